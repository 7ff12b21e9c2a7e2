//! Typed errors of the BMS client. Every message is safe to show: none carries a secret.

use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ApiError {
    /// The server could not be reached (connection refused/reset, DNS, timeout).
    #[error("cannot reach the BMS server: {0}")]
    Transport(String),
    /// 401 that survived a token refresh and a fresh sign-in.
    #[error("not signed in: {0}")]
    Unauthorized(String),
    /// The server wants a one-time MFA code with the password.
    #[error("the server asks for an MFA code (set BMS_MFA_CODE or pass --mfa-code)")]
    MfaRequired,
    /// Sign-in was refused (bad user name, password, tenant or MFA code).
    #[error("sign-in refused: {0}")]
    AuthFailed(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// The server answered with `success: false` (or a 4xx carrying the envelope).
    #[error("{message}")]
    Api {
        status: u16,
        code: Option<i64>,
        message: String,
    },
    /// A non-2xx status without a usable envelope (gateways, 429, 5xx).
    #[error("HTTP {status}: {message}")]
    Http {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    /// The reply could not be decoded into what the endpoint documents.
    #[error("unexpected reply from the server: {0}")]
    Decode(String),
    /// Bad local setup: base URL, missing credentials, unreadable token file.
    #[error("{0}")]
    Config(String),
    /// A reply body larger than the configured cap (`max_reply_mb`); it was not read.
    #[error("{0}")]
    TooLarge(String),
    /// A listing stopped before its end (the row cap, the request budget, or a server whose
    /// pages contradict what it announced): the message says why and what to do.
    #[error("{0}")]
    Paging(String),
    /// The endpoint's request budget for this hour is used up, so a listing was stopped
    /// before asking for more (our own guard, ahead of the server's 429): try again later.
    #[error("{0}")]
    Budget(String),
    /// A write that could not be kept in the outbox and could not be delivered either.
    #[error("{0}")]
    NotSaved(String),
    /// Input refused before anything was sent (missing required fields, unknown names).
    #[error("{0}")]
    Invalid(String),
}

impl ApiError {
    pub fn from_status(status: u16, code: Option<i64>, message: String) -> Self {
        match status {
            401 => ApiError::Unauthorized(message),
            404 => ApiError::NotFound(message),
            400..=499 if status != 429 => ApiError::Api {
                status,
                code,
                message,
            },
            200..=299 => ApiError::Api {
                status,
                code,
                message,
            },
            _ => ApiError::Http {
                status,
                message,
                retry_after: None,
            },
        }
    }

    /// Sign-in problems: the CLI exits 3 on these.
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            ApiError::Unauthorized(_) | ApiError::MfaRequired | ApiError::AuthFailed(_)
        )
    }

    /// Worth another try later: the link or the server's load, not the request itself.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Transport(_) | ApiError::Budget(_) => true,
            ApiError::Http { status, .. } => matches!(status, 429 | 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
