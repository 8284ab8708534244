//! A real server, in process, on a fresh database of either backend, and a small client.

#![allow(dead_code)]

use api::{ApiConfig, AppState};
use domain::App;
use domain::ports::SystemClock;
use domain::settings::Settings;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use store::testing::{Kind, TestDb};

pub struct Server {
    pub addr: SocketAddr,
    pub base: String,
    pub state: Arc<AppState>,
    pub db: TestDb,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _blobs: tempfile::TempDir,
}

impl Server {
    /// A server without rate limits (the tests drive it hard from one address); abuse tests
    /// use [`Server::start_with`].
    pub async fn start(kind: Kind) -> Server {
        Self::start_with(kind, Settings::for_tests(), ApiConfig { limits: api::limits::LimitConfig::off(), ..ApiConfig::default() }).await
    }

    pub async fn start_with(kind: Kind, settings: Settings, config: ApiConfig) -> Server {
        let db = TestDb::new(kind).await;
        let blobs = tempfile::tempdir().unwrap();
        let bus = api::ws::HubBus::new();
        let app = Arc::new(App::new(
            Arc::new(db.store.clone()),
            Arc::new(store::LocalBlobs::new(blobs.path())),
            bus.clone(),
            Arc::new(SystemClock),
            settings,
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = ApiConfig { site_url: format!("http://{addr}"), ..config };
        let limits = api::ConnectionLimits { total: config.max_connections, per_ip: config.max_connections_per_ip };
        let state = AppState::new(app, bus, config);
        let router = api::router(state.clone(), None);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(api::serve(listener, router, limits, async move {
            let _ = rx.await;
        }));
        Server {
            addr,
            base: format!("http://{addr}/api/v4"),
            state,
            db,
            http: reqwest::Client::new(),
            stop: Some(tx),
            task: Some(task),
            _blobs: blobs,
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.state.hub.disconnect_all();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.db.cleanup().await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Signs up and logs in a user; returns their client.
    pub async fn user(&self, name: &str) -> Client {
        let body = json!({"username": name, "email": format!("{name}@{name}.example"), "password": "correct horse battery"});
        let r = self.http.post(self.url("/users")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201, "sign up {name}: {}", r.text().await.unwrap());
        self.login(name).await
    }

    pub async fn login(&self, name: &str) -> Client {
        let r = self.http.post(self.url("/users/login")).json(&json!({"login_id": name, "password": "correct horse battery"})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let token = r.headers()["token"].to_str().unwrap().to_owned();
        let user: Value = r.json().await.unwrap();
        Client { base: self.base.clone(), http: self.http.clone(), token, id: user["id"].as_str().unwrap().to_owned(), name: name.to_owned() }
    }
}

/// A signed-in user.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub token: String,
    pub id: String,
    pub name: String,
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Client {
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, format!("{}{}", self.base, path)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, body, headers }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    /// Creates an open team and returns its id.
    pub async fn team(&self, name: &str) -> String {
        let r = self.post("/teams", json!({"name": name, "display_name": name, "type": "O"})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    pub async fn channel(&self, team: &str, name: &str, kind: &str) -> String {
        let r = self.post("/channels", json!({"team_id": team, "name": name, "display_name": name, "type": kind})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    /// Joins an open team.
    pub async fn join_team(&self, team: &str) {
        let r = self.post(&format!("/teams/{team}/members"), json!({"team_id": team, "user_id": self.id})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }

    /// Joins a public channel (or is added to it, by a member who may).
    pub async fn join_channel(&self, channel: &str) {
        let r = self.post(&format!("/channels/{channel}/members"), json!({"user_id": self.id})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }

    pub async fn say(&self, channel: &str, message: &str) -> Value {
        let r = self.post("/posts", json!({"channel_id": channel, "message": message})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body
    }
}

/// Runs a test body against a fresh server, once per backend.
#[macro_export]
macro_rules! server_test {
    ($name:ident, |$srv:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($srv: &common::Server) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let s = common::Server::start(store::testing::Kind::Sqlite).await;
                run(&s).await;
                s.stop().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let s = common::Server::start(store::testing::Kind::Postgres).await;
                run(&s).await;
                s.stop().await;
            }
        }
    };
}

pub use serde_json::json as j;
pub const _KIND: Option<Kind> = None;

/// A WebSocket client that authenticates with a challenge, as the Python driver does.
pub struct Socket {
    pub ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Socket {
    pub async fn connect(addr: SocketAddr, token: &str) -> Socket {
        use futures_util::SinkExt;
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v4/websocket")).await.unwrap();
        let challenge = json!({"seq": 1, "action": "authentication_challenge", "data": {"token": token}});
        ws.send(tokio_tungstenite::tungstenite::Message::Text(challenge.to_string().into())).await.unwrap();
        let mut s = Socket { ws };
        let reply = s.next_json().await.expect("challenge reply");
        assert_eq!(reply["status"], "OK", "{reply}");
        assert_eq!(reply["seq_reply"], 1);
        let hello = s.next_json().await.expect("hello");
        assert_eq!(hello["event"], "hello");
        assert_eq!(hello["seq"], 0);
        s
    }

    /// The next JSON frame, or `None` after two seconds of silence or on close.
    pub async fn next_json(&mut self) -> Option<Value> {
        use futures_util::StreamExt;
        loop {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(2), self.ws.next()).await.ok()??.ok()?;
            match msg {
                tokio_tungstenite::tungstenite::Message::Text(t) => return serde_json::from_str(&t).ok(),
                tokio_tungstenite::tungstenite::Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Events (frames with an `event`), skipping status and other chatter, until `name`.
    pub async fn expect_event(&mut self, name: &str) -> Value {
        loop {
            let v = self.next_json().await.unwrap_or_else(|| panic!("no {name} event"));
            if v["event"] == name {
                return v;
            }
        }
    }
}

/// Writes a JSON report to `reports/<name>.json` at the repository root.
pub fn write_report(name: &str, value: &Value) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reports");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.json")), serde_json::to_string_pretty(value).unwrap_or_default());
}

/// Merges one backend's figures into `reports/<name>.json`: `{backends: {sqlite: .., postgres:
/// ..}}` plus the headline fields of the backend written last, summed where they are counts.
pub fn merge_report(name: &str, backend: &str, value: &Value) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../reports/{name}.json"));
    let mut all: Value = std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_else(|| json!({}));
    if !all["backends"].is_object() {
        all = json!({"backends": {}});
    }
    all["backends"][backend] = value.clone();
    let backends = all["backends"].as_object().cloned().unwrap_or_default();
    for key in ["cells", "expected_denies", "mismatches", "cases", "steps", "checks", "leaks"] {
        if backends.values().any(|b| b[key].is_number()) {
            all[key] = json!(backends.values().filter_map(|b| b[key].as_u64()).sum::<u64>());
        }
    }
    if let Some(routes) = value.get("routes") {
        all["routes"] = routes.clone();
    }
    write_report(name, &all);
}
