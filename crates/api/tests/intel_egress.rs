//! Intel egress through the real router, on both backends: TAXII as clients request it, TLP
//! ceilings on every feed and collection, and what must leave an audience (relabelled
//! channels, deleted posts, RED context). Regression tests named after the bugs they pin;
//! `tests/compat/intel` judges the same rules with taxii2-client and stix2-validator.

mod common;

use common::{Client, j};
use serde_json::Value;

const TAXII: &str = "application/taxii+json;version=2.1";

async fn key(admin: &Client, name: &str, ceiling: &str) -> String {
    let r = admin.post("/intel/feed_keys", j!({"name": name, "tlp_ceiling": ceiling})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["key"].as_str().unwrap().to_owned()
}

async fn taxii(srv: &common::Server, key: &str, path: &str) -> (u16, String, Value) {
    let r = srv.http.get(format!("http://{}/taxii2/{path}", srv.addr)).basic_auth("anyone", Some(key)).header("accept", TAXII).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, ct, r.json().await.unwrap_or(Value::Null))
}

// taxii2-client requests discovery at `/taxii2/` (with the slash); the nested router only
// matched `/taxii2`, so the web client's HTML answered and the client gave up.
server_test!(taxii_discovery_answers_at_the_trailing_slash, |srv| {
    let admin = srv.user("admin1").await;
    let k = key(&admin, "reader", "GREEN").await;
    let (status, ct, body) = taxii(srv, &k, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ct, TAXII);
    assert_eq!(body["api_roots"][0], format!("http://{}/taxii2/api/", srv.addr));
    let (status, ct, _) = taxii(srv, "ck_wrong", "").await;
    assert_eq!((status, ct.as_str()), (401, TAXII));
});
