//! The API's error type and the one table that maps every domain error to an HTTP status and
//! a Mattermost error id.
//!
//! Every non-2xx answer from `/api/v4` has Mattermost's AppError shape:
//! `{id, message, detailed_error, request_id, status_code}`. Internal causes go to the log,
//! never to the client; `detailed_error` is always empty.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{Error, ErrorCode};

tokio::task_local! {
    /// The id of the request being served, for error bodies and logs.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub Error);

pub type ApiResult<T> = Result<T, ApiError>;

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError(Error::new(code))
    }
}

/// Status, Mattermost id and message for each error. Exhaustive: a new [`ErrorCode`] does not
/// compile until it has a row here.
pub fn describe(e: &Error) -> (StatusCode, &'static str, String) {
    use ErrorCode::*;
    let param = e.param.unwrap_or("parameter");
    let (status, id, message): (StatusCode, &'static str, String) = match e.code {
        SessionExpired => (StatusCode::UNAUTHORIZED, "api.context.session_expired.app_error", "Invalid or expired session, please login again.".into()),
        InvalidCredentials => (StatusCode::UNAUTHORIZED, "api.user.login.invalid_credentials_email_username", "Enter a valid email or username and/or password, or sign in using another method.".into()),
        AccountDeactivated => (StatusCode::UNAUTHORIZED, "api.user.login.inactive.app_error", "Login failed because your account has been deactivated. Please contact an administrator.".into()),
        LoginThrottled => (StatusCode::TOO_MANY_REQUESTS, "api.user.login.throttled.app_error", "Too many login attempts. Please wait a little and try again.".into()),
        CsrfFailed => (StatusCode::UNAUTHORIZED, "api.context.csrf_check_failed.app_error", "The request was refused because it appears to be a cross-site request forgery.".into()),
        InvalidParam => (StatusCode::BAD_REQUEST, "api.context.invalid_param.app_error", format!("Invalid or missing {param} parameter.")),
        InvalidBody => (StatusCode::BAD_REQUEST, "api.context.invalid_body_param.app_error", format!("Invalid or missing {param} in request body.")),
        BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "api.context.request_body_too_large.app_error", "The request body is too large.".into()),
        NotFound => (StatusCode::NOT_FOUND, not_found_id(e.param), format!("Unable to find the {}.", e.param.unwrap_or("resource").replace('_', " "))),
        RouteNotFound => (StatusCode::NOT_FOUND, "api.context.404.app_error", "Sorry, we could not find the page.".into()),
        MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "api.context.405.app_error", "This method is not allowed on this resource.".into()),
        PermissionDenied => (StatusCode::FORBIDDEN, "api.context.permissions.app_error", "You do not have the appropriate permissions.".into()),
        RateLimited => (StatusCode::TOO_MANY_REQUESTS, "api.context.rate_limited.app_error", "Too many requests. Please slow down.".into()),
        FeatureDisabled => (StatusCode::NOT_IMPLEMENTED, "api.context.feature_disabled.app_error", "This feature is disabled on this server.".into()),
        Conflict => (StatusCode::CONFLICT, "app.conflict.app_error", "The change conflicts with the current state; please retry.".into()),
        UsernameTaken => (StatusCode::BAD_REQUEST, "app.user.save.username_exists.app_error", "An account with that username already exists.".into()),
        EmailTaken => (StatusCode::BAD_REQUEST, "app.user.save.email_exists.app_error", "An account with that email already exists.".into()),
        InvalidUsername => (StatusCode::BAD_REQUEST, "model.user.is_valid.username.app_error", "Username must begin with a letter, and contain between 3 to 22 lowercase characters made up of numbers, letters, and the symbols '.', '-', and '_'.".into()),
        InvalidEmail => (StatusCode::BAD_REQUEST, "model.user.is_valid.email.app_error", "Invalid email address.".into()),
        WeakPassword => (StatusCode::BAD_REQUEST, "model.user.is_valid.pwd_length.app_error", "Your password must be at least 12 and at most 256 characters long.".into()),
        SignupClosed => (StatusCode::FORBIDDEN, "api.user.create_user.no_open_server", "This server does not allow open signups. Please speak with your administrator to receive an invitation.".into()),
        TeamNameTaken => (StatusCode::BAD_REQUEST, "app.team.save.existing.app_error", "A team with that name already exists.".into()),
        ChannelNameTaken => (StatusCode::BAD_REQUEST, "store.sql_channel.save_channel.exists.app_error", "A channel with that name already exists on the same team.".into()),
        InvalidChannelName => (StatusCode::BAD_REQUEST, "model.channel.is_valid.name.app_error", "Invalid channel name. Use lowercase letters, numbers, dashes and underscores.".into()),
        ChannelArchived => (StatusCode::BAD_REQUEST, "api.channel.archived.app_error", "This channel has been archived.".into()),
        NotTeamMember => (StatusCode::FORBIDDEN, "api.channel.add_user.to.channel.failed.app_error", "The user is not a member of the channel's team.".into()),
        PostTooLong => (StatusCode::BAD_REQUEST, "model.post.is_valid.message_length.app_error", "The message is too long.".into()),
        EmptyPost => (StatusCode::BAD_REQUEST, "api.post.create_post.message_empty.app_error", "A message needs text or at least one file.".into()),
        InvalidRoot => (StatusCode::BAD_REQUEST, "api.post.create_post.root_id.app_error", "Invalid root_id parameter.".into()),
        FileTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "api.file.upload_file.too_large_detailed.app_error", "The file is larger than this server allows.".into()),
        UnsupportedImage => (StatusCode::BAD_REQUEST, "api.file.upload_file.bad_image.app_error", "The image could not be processed.".into()),
        SearchQueryTooComplex => (StatusCode::BAD_REQUEST, "api.post.search_posts.too_complex.app_error", "The search query is too long or has too many terms.".into()),
        Internal => (StatusCode::INTERNAL_SERVER_ERROR, "app.internal_error", "An internal error occurred.".into()),
        Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "app.unavailable.app_error", "The server is temporarily unable to handle the request. Please retry.".into()),
    };
    (status, id, message)
}

fn not_found_id(what: Option<&str>) -> &'static str {
    match what {
        Some("post") => "app.post.get.app_error",
        Some("channel") => "app.channel.get.existing.app_error",
        Some("user") => "app.user.missing_account.const",
        Some("team") => "app.team.get.find.app_error",
        Some("file") => "app.file_info.get.app_error",
        Some("channel_member") => "app.channel.get_member.missing.app_error",
        Some("team_member") => "app.team.get_member.missing.app_error",
        _ => "api.context.404.app_error",
    }
}

/// Builds an AppError response for a status and id (used by the middleware for errors that
/// happen outside handlers, such as unknown routes).
pub fn app_error_response(status: StatusCode, id: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "id": id,
        "message": message,
        "detailed_error": "",
        "request_id": current_request_id(),
        "status_code": status.as_u16(),
    });
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, id, message) = describe(&self.0);
        if status.is_server_error() {
            tracing::error!(request_id = %current_request_id(), error = ?self.0, "request failed");
        } else if !self.0.detail.is_empty() {
            tracing::debug!(request_id = %current_request_id(), error = ?self.0, "request refused");
        }
        let mut resp = app_error_response(status, id, &message);
        if self.0.code == ErrorCode::RateLimited {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        resp
    }
}
