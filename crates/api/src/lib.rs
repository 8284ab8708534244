//! Conclave's HTTP edge: the Mattermost REST API v4 and WebSocket, and (later) the intel,
//! TAXII 2.1 and feed routes.
//!
//! **Architecture Invariant:** handlers are thin: extract, call one domain service, map the
//! result to a wire type. No handler talks to storage.
//!
//! **Architecture Invariant:** nothing here holds global state: [`router`] takes an
//! [`AppState`] and [`serve`] takes its listener and shutdown signal, so tests run the real
//! server in-process on port 0.

#![recursion_limit = "256"]

pub mod error;
pub mod extract;
mod feeds;
pub mod limits;
mod middleware;
mod openapi;
mod routes;
pub mod taxii;
pub mod wire;
pub mod ws;

use axum::Router;
use domain::App;
use std::sync::Arc;

/// Mattermost server version we are compatible with; mobile apps refuse servers below 9.11.
pub const MM_VERSION: &str = "10.11.0";

/// Settings of the HTTP edge.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// The public URL (`SiteURL`), used for absolute links and the WebSocket origin check.
    pub site_url: String,
    /// Largest JSON or form body accepted (file uploads have their own limit).
    pub max_body_bytes: usize,
    /// Origins, besides the site URL and same-host, allowed to open WebSockets.
    pub allowed_origins: Vec<String>,
    /// Most simultaneous connections the server accepts.
    pub max_connections: usize,
    /// Per-connection WebSocket outbound queue; a client that falls this far behind is
    /// disconnected and resyncs.
    pub ws_queue: usize,
    /// Largest WebSocket message a client may send.
    pub ws_max_message: usize,
    /// Open WebSockets one user may hold (tabs, devices).
    pub ws_per_user: usize,
    /// Connections one address may hold at once.
    pub max_connections_per_ip: usize,
    /// Rate limits.
    pub limits: limits::LimitConfig,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            site_url: "http://127.0.0.1:8065".into(),
            max_body_bytes: 1 << 20,
            allowed_origins: Vec::new(),
            max_connections: 50_000,
            ws_queue: 256,
            ws_max_message: 64 * 1024,
            ws_per_user: 32,
            max_connections_per_ip: 1_000,
            limits: limits::LimitConfig::default(),
        }
    }
}

/// Everything a request handler may use.
pub struct AppState {
    pub app: Arc<App>,
    pub hub: Arc<ws::Hub>,
    pub config: ApiConfig,
    pub limits: limits::Limits,
}

impl AppState {
    /// Builds the state and starts the WebSocket hub, which receives the domain's events.
    pub fn new(app: Arc<App>, bus: Arc<ws::HubBus>, config: ApiConfig) -> Arc<AppState> {
        let hub = ws::Hub::start(app.clone(), bus, config.clone());
        let limits = limits::Limits::new(&config.limits);
        Arc::new(AppState { app, hub, config, limits })
    }
}

/// The whole HTTP surface. `web` serves everything outside the API (the browser client).
/// Serves `router` with the limits from `state`'s configuration (see [`serve`]).
pub async fn serve_state(
    listener: tokio::net::TcpListener,
    router: Router,
    state: &AppState,
    shutdown: impl std::future::Future<Output = ()> + Send,
) {
    serve(
        listener,
        router,
        middleware::ConnectionLimits { total: state.config.max_connections, per_ip: state.config.max_connections_per_ip },
        shutdown,
    )
    .await
}

pub fn router(state: Arc<AppState>, web: Option<Router>) -> Router {
    middleware::wrap(routes::api(state.clone()), taxii::router(state.clone()), feeds::router(state.clone()), web, &state)
}

pub use middleware::{ConnectionLimits, serve};
pub use openapi::spec as openapi_spec;
pub use routes::gates;
