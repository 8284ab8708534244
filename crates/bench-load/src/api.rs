//! A small client for the parts of Conclave's Mattermost v4 API the scenarios use.

use serde_json::{Value, json};
use std::net::IpAddr;
use std::time::Duration;

/// One keep-alive HTTP client with a bearer token.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub base: String,
    pub token: String,
}

/// An HTTP answer: its status and body.
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

/// A keep-alive client, optionally bound to a loopback source address.
pub fn http_client(source: Option<IpAddr>) -> reqwest::Client {
    let mut b = reqwest::Client::builder().timeout(Duration::from_secs(30)).pool_max_idle_per_host(512).tcp_nodelay(true);
    if let Some(ip) = source {
        b = b.local_address(ip);
    }
    b.build().expect("a plain-HTTP reqwest client always builds")
}

impl Api {
    pub fn new(http: reqwest::Client, base: &str, token: &str) -> Api {
        Api { http, base: base.to_owned(), token: token.to_owned() }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Reply, String> {
        let req = if self.token.is_empty() { req } else { req.bearer_auth(&self.token) };
        let resp = req.send().await.map_err(|e| format!("request failed: {e}"))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| format!("reading a response failed: {e}"))?;
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        Ok(Reply { status, body })
    }

    pub async fn get(&self, path: &str) -> Result<Reply, String> {
        self.send(self.http.get(format!("{}/api/v4{path}", self.base))).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Reply, String> {
        self.send(self.http.post(format!("{}/api/v4{path}", self.base)).json(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Result<Reply, String> {
        self.send(self.http.put(format!("{}/api/v4{path}", self.base)).json(body)).await
    }

    /// Like [`Api::post`], but a non-2xx answer is an error.
    pub async fn post_ok(&self, path: &str, body: &Value) -> Result<Value, String> {
        let r = self.post(path, body).await?;
        if !(200..300).contains(&r.status) {
            return Err(format!("POST {path} answered {}: {}", r.status, r.body));
        }
        Ok(r.body)
    }

    /// Logs in and returns the session token from the `Token` header.
    pub async fn login(http: &reqwest::Client, base: &str, login_id: &str, password: &str) -> Result<String, String> {
        let resp = http
            .post(format!("{base}/api/v4/users/login"))
            .json(&json!({"login_id": login_id, "password": password}))
            .send()
            .await
            .map_err(|e| format!("login request failed: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("login as {login_id} answered {}", resp.status()));
        }
        resp.headers().get("token").and_then(|v| v.to_str().ok()).map(str::to_owned).ok_or_else(|| "login answer had no Token header".into())
    }

    /// `POST /posts`; the body carries an idempotency key as the web client does.
    pub async fn create_post(&self, channel_id: &str, message: &str, pending_post_id: &str) -> Result<Reply, String> {
        self.post("/posts", &json!({"channel_id": channel_id, "message": message, "pending_post_id": pending_post_id})).await
    }
}

/// A string field of a JSON object, or an error naming it.
pub fn str_field(v: &Value, key: &str) -> Result<String, String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| format!("answer has no `{key}`: {v}"))
}
