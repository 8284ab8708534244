//! What wraps every request: request ids, Mattermost's headers, body limits, the AppError
//! shape for unknown routes and methods; and the accept loop that serves connections.

use crate::AppState;
use crate::error::{REQUEST_ID, app_error_response};
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// `X-Version-Id` as Mattermost formats it: version, build, config hash, licensed.
fn version_header() -> HeaderValue {
    HeaderValue::from_str(&format!("{}.0.conclave.false", crate::MM_VERSION)).expect("static header")
}

async fn common(req: Request, next: Next) -> Response {
    let id = domain::ids::new_id();
    let is_get = req.method() == Method::GET;
    let is_api = req.uri().path().starts_with("/api/");
    let mut resp = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    let headers = resp.headers_mut();
    headers.insert("x-request-id", HeaderValue::from_str(&id).expect("ids are ascii"));
    headers.insert("x-version-id", version_header());
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if is_api && is_get && !headers.contains_key(header::CACHE_CONTROL) {
        // Mattermost marks API reads as already expired instead of sending Cache-Control,
        // which some clients treat specially.
        headers.insert(header::EXPIRES, HeaderValue::from_static("0"));
    }
    resp
}

async fn api_not_found() -> Response {
    app_error_response(StatusCode::NOT_FOUND, "api.context.404.app_error", "Sorry, we could not find the page.")
}

async fn method_not_allowed() -> Response {
    app_error_response(StatusCode::METHOD_NOT_ALLOWED, "api.context.405.app_error", "This method is not allowed on this resource.")
}

/// Turns bare 413/400/415 answers produced by lower layers into AppErrors.
async fn shape_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let ct = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if resp.status().is_client_error() && !ct.starts_with("application/json") && resp.status() != StatusCode::SWITCHING_PROTOCOLS {
        return match resp.status() {
            StatusCode::PAYLOAD_TOO_LARGE => {
                app_error_response(StatusCode::PAYLOAD_TOO_LARGE, "api.context.request_body_too_large.app_error", "The request body is too large.")
            }
            StatusCode::NOT_FOUND => resp,
            status => app_error_response(status, "api.context.invalid_request.app_error", "The request could not be understood."),
        };
    }
    resp
}

/// The peer address (0.0.0.0 when the request did not come through [`serve`]).
pub(crate) fn peer_ip(ext: &axum::http::Extensions) -> std::net::IpAddr {
    ext.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip()).unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

pub(crate) fn rate_headers(headers: &mut axum::http::HeaderMap, d: &crate::limits::Decision) {
    if d.limit == 0 {
        return;
    }
    headers.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
    headers.insert("x-ratelimit-reset", HeaderValue::from(d.reset_secs));
    if !d.allowed {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(d.reset_secs.max(1)));
    }
}

/// Per-address rate limit on everything, with Mattermost's `X-Ratelimit-*` headers.
async fn per_ip(axum::extract::State(state): axum::extract::State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let d = state.limits.per_ip.check(&peer_ip(req.extensions()));
    let mut resp =
        if d.allowed { next.run(req).await } else { crate::error::ApiError(domain::Error::new(domain::ErrorCode::RateLimited)).into_response() };
    rate_headers(resp.headers_mut(), &d);
    resp
}

/// Collapses runs of slashes in the path (`/posts/x//reactions` becomes `/posts/x/reactions`).
///
/// Mattermost's router cleans paths before matching (it answers 301 to the clean path), and
/// clients depend on it: mattermostdriver's `get_reactions_of_post` builds
/// `/posts/{id}//reactions`. Rewriting in place rather than redirecting also keeps the method
/// and body of non-GET requests.
fn collapse_slashes(mut req: Request) -> Request {
    let path = req.uri().path();
    if !path.contains("//") {
        return req;
    }
    let mut clean = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && clean.ends_with('/')) {
            clean.push(c);
        }
    }
    if let Some(query) = req.uri().query() {
        clean = format!("{clean}?{query}");
    }
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = clean.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

pub(crate) fn wrap(api: Router, taxii: Router, feeds: Router, web: Option<Router>, state: &Arc<AppState>) -> Router {
    let api = api
        .fallback(api_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(shape_errors))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes));
    let mut app = Router::new().nest("/api/v4", api).merge(taxii).nest("/feeds", feeds);
    app = match web {
        Some(web) => app.merge(web),
        None => app.fallback(api_not_found),
    };
    let app = app
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(Duration::from_secs(30)))
        .layer(middleware::from_fn_with_state(state.clone(), per_ip))
        .layer(middleware::from_fn(common));
    // Paths are cleaned before any route is matched, so the rewrite wraps the whole router.
    Router::new().fallback_service(tower::ServiceExt::map_request(app, collapse_slashes))
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets
/// in-flight requests finish (up to 10 s) and returns. Header reads time out after 10 s so
/// that slow clients cannot hold connections open (slowloris), and the number of open
/// connections is capped. Upgraded (WebSocket) connections leave hyper's control; the hub
/// closes them.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Connections the server accepts at once.
    pub total: usize,
    /// Connections one address may hold at once.
    pub per_ip: usize,
}

pub async fn serve(listener: TcpListener, router: Router, limits: ConnectionLimits, shutdown: impl std::future::Future<Output = ()> + Send) {
    let max = limits.total.clamp(1, u32::MAX as usize >> 4);
    let permits = Arc::new(tokio::sync::Semaphore::new(max));
    let per_ip: Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>> = Arc::default();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            // Over the cap: close at once rather than queue.
            drop(stream);
            continue;
        };
        {
            let mut counts = per_ip.lock().unwrap_or_else(|p| p.into_inner());
            let n = counts.entry(peer.ip()).or_default();
            if *n >= limits.per_ip.max(1) {
                drop(stream);
                continue;
            }
            *n += 1;
        }
        let per_ip = per_ip.clone();
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let router = router.clone();
            async move { tower::ServiceExt::oneshot(router, req.map(axum::body::Body::new)).await }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(10)).keep_alive(true);
        let conn = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut conn = std::pin::pin!(conn);
            let result = tokio::select! {
                r = conn.as_mut() => r,
                _ = async { let _ = stop.wait_for(|s| *s).await; } => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, peer = %peer, "connection ended with an error");
            }
            let mut counts = per_ip.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(n) = counts.get_mut(&peer.ip()) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(&peer.ip());
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection task holds a permit; all permits back means all requests finished.
    let _ = tokio::time::timeout(Duration::from_secs(10), permits.acquire_many(max as u32)).await;
}
