//! Blocklist feeds for firewalls, DNS filters and SIEMs under `/feeds/`: one plain-text list
//! per type (one value per line, nothing else) and a CSV with context columns.
//!
//! Only confirmed, unexpired indicators within the key's TLP ceiling are listed; RED never
//! is. The CSV never names channels or the members who posted.

use crate::AppState;
use crate::taxii::feed_secret;
use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::ports::Exportable;
use domain::services::feeds::FeedPrincipal;
use std::sync::Arc;

pub struct FeedKeyAuth(pub FeedPrincipal);

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut resp = (status, text).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    resp
}

impl FromRequestParts<Arc<AppState>> for FeedKeyAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Response> {
        let unauthorized = || {
            let mut r = plain(StatusCode::UNAUTHORIZED, "a valid feed key is required (HTTP Basic password or Bearer token)\n");
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Conclave feeds\""));
            r
        };
        let secret = feed_secret(parts).ok_or_else(unauthorized)?;
        state.app.authenticate_feed(&secret).await.map(FeedKeyAuth).map_err(|_| unauthorized())
    }
}

/// Which indicator types each list carries.
fn kinds(list: &str) -> Option<&'static [&'static str]> {
    Some(match list {
        "ipv4.txt" => &["ipv4", "ipv4_cidr"],
        "ipv6.txt" => &["ipv6", "ipv6_cidr"],
        "domains.txt" => &["domain"],
        "urls.txt" => &["url"],
        "hashes.txt" => &["md5", "sha1", "sha256", "sha512"],
        "indicators.csv" => &[],
        _ => return None,
    })
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

fn iso(ms: i64) -> String {
    if ms <= 0 { String::new() } else { ioc::stix::timestamp(ms) }
}

fn csv(rows: &[Exportable]) -> String {
    let mut out = String::from("value,type,tlp,confidence,first_seen,last_seen,valid_until,indicator_id,labels,sightings\n");
    for r in rows {
        let i = &r.indicator;
        let fields = [
            csv_field(&i.value),
            i.kind.clone(),
            format!("TLP:{}", r.tlp.as_str()),
            i.confidence.to_string(),
            iso(r.first_seen),
            iso(r.last_seen),
            iso(i.valid_until),
            i.id.to_string(),
            csv_field(&i.tags.join(";")),
            r.sightings.to_string(),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

async fn list(State(state): State<Arc<AppState>>, FeedKeyAuth(feed): FeedKeyAuth, Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(kinds) = kinds(&name) else { return plain(StatusCode::NOT_FOUND, "no such feed\n") };
    let rows = match state.app.export(&feed, kinds).await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::error!(error = %e, "feed export failed");
            return plain(StatusCode::SERVICE_UNAVAILABLE, "the feed is temporarily unavailable\n");
        }
    };
    let (body, ct) = if name.ends_with(".csv") {
        (csv(&rows), "text/csv; charset=utf-8")
    } else {
        let mut values: Vec<&str> = rows.iter().map(|r| r.indicator.value.as_str()).collect();
        values.sort_unstable();
        values.dedup();
        let mut text = values.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        (text, "text/plain; charset=utf-8")
    };
    let etag = format!("\"{:016x}\"", body.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3)));
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        r.headers_mut().insert(header::ETAG, HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\"")));
        return r;
    }
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    h.insert(header::ETAG, HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\"")));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    resp
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new().route("/{name}", get(list)).with_state(state)
}
