//! The domain's error type.
//!
//! Services fail with an [`ErrorCode`]: a closed set of reasons that the HTTP edge maps, in one
//! exhaustive table, to a status code and Mattermost's stable error id. The `detail` string is
//! for the log only; it never reaches a client, because it can carry internal causes such as
//! SQL errors.

use std::fmt;

/// Why a request failed. Adding a variant forces the API's error table to say how it looks
/// on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    // Authentication.
    SessionExpired,
    InvalidCredentials,
    AccountDeactivated,
    LoginThrottled,
    CsrfFailed,
    // Generic request problems.
    InvalidParam,
    InvalidBody,
    BodyTooLarge,
    NotFound,
    RouteNotFound,
    MethodNotAllowed,
    PermissionDenied,
    RateLimited,
    FeatureDisabled,
    Conflict,
    // Accounts.
    UsernameTaken,
    EmailTaken,
    InvalidUsername,
    InvalidEmail,
    WeakPassword,
    SignupClosed,
    // Teams and channels.
    TeamNameTaken,
    ChannelNameTaken,
    InvalidChannelName,
    ChannelArchived,
    NotTeamMember,
    // Posts and files.
    PostTooLong,
    EmptyPost,
    InvalidRoot,
    FileTooLarge,
    UnsupportedImage,
    // Search.
    SearchQueryTooComplex,
    // Anything the client cannot fix: storage failures, bugs.
    Internal,
    Unavailable,
}

/// A failed domain operation.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    /// The parameter or field at fault, shown to the client where Mattermost does so.
    pub param: Option<&'static str>,
    /// Internal detail for the log. Never sent to a client.
    pub detail: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode) -> Self {
        Error { code, param: None, detail: String::new() }
    }

    pub fn invalid_param(param: &'static str) -> Self {
        Error { code: ErrorCode::InvalidParam, param: Some(param), detail: String::new() }
    }

    pub fn not_found(what: &'static str) -> Self {
        Error { code: ErrorCode::NotFound, param: Some(what), detail: String::new() }
    }

    pub fn forbidden() -> Self {
        Error::new(ErrorCode::PermissionDenied)
    }

    pub fn internal(detail: impl fmt::Display) -> Self {
        Error { code: ErrorCode::Internal, param: None, detail: detail.to_string() }
    }

    pub fn unavailable(detail: impl fmt::Display) -> Self {
        Error { code: ErrorCode::Unavailable, param: None, detail: detail.to_string() }
    }

    pub fn with_detail(mut self, detail: impl fmt::Display) -> Self {
        self.detail = detail.to_string();
        self
    }

    pub fn with_param(mut self, param: &'static str) -> Self {
        self.param = Some(param);
        self
    }
}

impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Self {
        Error::new(code)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.code)?;
        if let Some(p) = self.param {
            write!(f, "({p})")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for Error {}
