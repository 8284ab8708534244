//! TAXII 2.1 under `/taxii2/`: discovery, one API root, collections by audience, objects,
//! manifests, versions, and status for contributions.
//!
//! Machines authenticate with a feed key, as the HTTP Basic password (any user name) or as
//! `Authorization: Bearer`. A key sees the collections at or below its TLP ceiling (and, if
//! it is restricted, only the ones it names); everything else answers 404 so that its
//! existence is not revealed. Responses use exactly `application/taxii+json;version=2.1`
//! and TAXII's error body.

mod objects;

use crate::AppState;
use crate::error::REQUEST_ID;
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use domain::services::feeds::FeedPrincipal;
use serde_json::{Value, json};
use std::sync::Arc;

pub const TAXII_MEDIA: &str = "application/taxii+json;version=2.1";
pub const STIX_MEDIA: &str = "application/stix+json;version=2.1";
/// Largest POST body accepted (advertised as `max_content_length`).
pub const MAX_CONTENT: usize = 10 * 1024 * 1024;

/// A TAXII error response.
pub struct TaxiiError {
    status: StatusCode,
    title: &'static str,
    description: String,
}

impl TaxiiError {
    pub fn new(status: StatusCode, title: &'static str, description: impl Into<String>) -> Self {
        TaxiiError { status, title, description: description.into() }
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found", format!("No {what} with that id is available to this key."))
    }
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", description)
    }
}

impl From<domain::Error> for TaxiiError {
    fn from(e: domain::Error) -> Self {
        let (status, _, message) = crate::error::describe(&e);
        if status.is_server_error() {
            tracing::error!(error = ?e, "TAXII request failed");
        }
        let title = match status.as_u16() {
            400 => "Bad request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not found",
            413 => "Content too large",
            _ if status.is_server_error() => "Server error",
            _ => "Request failed",
        };
        TaxiiError { status, title, description: message }
    }
}

pub fn taxii_json(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(TAXII_MEDIA));
    resp
}

impl IntoResponse for TaxiiError {
    fn into_response(self) -> Response {
        let body = json!({
            "title": self.title,
            "description": self.description,
            "http_status": self.status.as_u16().to_string(),
            "error_id": REQUEST_ID.try_with(Clone::clone).unwrap_or_default(),
        });
        let mut resp = taxii_json(self.status, &body);
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Conclave TAXII\""));
        }
        resp
    }
}

pub type TaxiiResult<T> = Result<T, TaxiiError>;

/// A feed key from `Authorization: Basic` (the password), `Authorization: Bearer`, or
/// `Authorization: Token` (what taxii2-client's `TokenAuth` sends).
pub fn feed_secret(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token") {
        return Some(rest.trim().to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        return text.split_once(':').map(|(_, password)| password.to_owned());
    }
    None
}

/// The authenticated machine.
pub struct Feed(pub FeedPrincipal);

impl FromRequestParts<Arc<AppState>> for Feed {
    type Rejection = TaxiiError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> TaxiiResult<Self> {
        let unauthorized =
            || TaxiiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", "A valid feed key is required (HTTP Basic password or Bearer token).");
        let secret = feed_secret(parts).ok_or_else(unauthorized)?;
        state.app.authenticate_feed(&secret).await.map(Feed).map_err(|_| unauthorized())
    }
}

/// Refuses requests whose `Accept` names only media types we cannot produce. Clients that
/// send a generic `Accept` (some ingesters do) get TAXII JSON anyway.
async fn accept_check(req: Request, next: Next) -> Response {
    if let Some(accept) = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()) {
        let acceptable = accept.split(',').any(|part| {
            let media = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            matches!(media.as_str(), "application/taxii+json" | "application/json" | "*/*" | "application/*" | "")
        });
        let wrong_version = accept.contains("taxii+json") && accept.contains("version=") && !accept.replace(' ', "").contains("version=2.1");
        if !acceptable || wrong_version {
            return TaxiiError::new(StatusCode::NOT_ACCEPTABLE, "Not acceptable", format!("This server produces {TAXII_MEDIA}.")).into_response();
        }
    }
    next.run(req).await
}

fn base_url(state: &AppState) -> String {
    format!("{}/taxii2/", state.config.site_url.trim_end_matches('/'))
}

async fn discovery(State(state): State<Arc<AppState>>, _feed: Feed) -> Response {
    let root = format!("{}api/", base_url(&state));
    taxii_json(
        StatusCode::OK,
        &json!({
            "title": format!("{} TAXII", state.app.settings.site_name),
            "description": "Indicators shared by the community, by Traffic Light Protocol audience.",
            "contact": state.config.site_url,
            "default": root,
            "api_roots": [root],
        }),
    )
}

async fn api_root(State(state): State<Arc<AppState>>, _feed: Feed) -> Response {
    taxii_json(
        StatusCode::OK,
        &json!({
            "title": format!("{} indicators", state.app.settings.site_name),
            "description": "Collections of STIX 2.1 objects, one per TLP ceiling, plus partner collections.",
            "versions": [TAXII_MEDIA],
            "max_content_length": MAX_CONTENT,
        }),
    )
}

pub(crate) fn collection_json(c: &domain::model::Collection, feed: &FeedPrincipal) -> Value {
    json!({
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "alias": c.alias,
        "can_read": feed.may_read(c) && !c.can_write,
        "can_write": c.can_write && feed.can_write,
        "media_types": [STIX_MEDIA],
    })
}

async fn collections(State(state): State<Arc<AppState>>, Feed(feed): Feed) -> TaxiiResult<Response> {
    let cols = state.app.feed_collections(&feed).await?;
    let list: Vec<Value> = cols.iter().map(|c| collection_json(c, &feed)).collect();
    Ok(taxii_json(StatusCode::OK, &json!({"collections": list})))
}

async fn collection(
    State(state): State<Arc<AppState>>,
    Feed(feed): Feed,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> TaxiiResult<Response> {
    let c = state.app.feed_collection(&feed, &id).await.map_err(|_| TaxiiError::not_found("collection"))?;
    Ok(taxii_json(StatusCode::OK, &collection_json(&c, &feed)))
}

async fn not_found() -> Response {
    TaxiiError::new(StatusCode::NOT_FOUND, "Not found", "No such TAXII endpoint.").into_response()
}

async fn method_not_allowed() -> Response {
    TaxiiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed", "This method is not allowed on this endpoint.").into_response()
}

/// The `/taxii2/` routes. Discovery is routed at the top level: a router nested under
/// `/taxii2` matches `/taxii2` but not `/taxii2/`, the URL TAXII clients actually request.
pub fn router(state: Arc<AppState>) -> Router {
    let discovery_root = Router::new().route("/taxii2/", get(discovery)).layer(middleware::from_fn(accept_check)).with_state(state.clone());
    Router::new().nest("/taxii2", nested(state)).merge(discovery_root)
}

fn nested(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(discovery))
        .route("/api/", get(api_root))
        .route("/api/status/{status_id}/", get(objects::status))
        .route("/api/collections/", get(collections))
        .route("/api/collections/{id}/", get(collection))
        .route("/api/collections/{id}/manifest/", get(objects::manifest))
        .route(
            "/api/collections/{id}/objects/",
            get(objects::objects).post(objects::add_objects).layer(axum::extract::DefaultBodyLimit::max(MAX_CONTENT)),
        )
        .route("/api/collections/{id}/objects/{object_id}/", get(objects::object).delete(objects::delete_object))
        .route("/api/collections/{id}/objects/{object_id}/versions/", get(objects::versions))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(accept_check))
        .with_state(state)
}
