//! CLI errors and their exit codes: 0 ok, 1 API error, 2 usage error, 3 auth error.

use bmsdesk_core::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad flags or input the user can fix (unknown names, missing fields, refused confirmation).
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Api(#[from] ApiError),
    /// Local problems: config, files.
    #[error("{0}")]
    Local(String),
    /// A report was printed and found what it names (`bmsdesk doctor`): exit `code`.
    #[error("{summary}")]
    Reported { code: u8, summary: String },
    /// A write that could not be delivered now and waits in the outbox: not done yet.
    #[error("not sent yet ({reason}); queued as outbox item {seq}; run `bmsdesk outbox retry`")]
    Queued {
        seq: u64,
        reason: String,
        /// Waiting for a sign-in rather than for the link or the server.
        auth: bool,
    },
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Api(e) if e.is_auth() => 3,
            CliError::Api(ApiError::Invalid(_)) | CliError::Api(ApiError::Config(_)) => 2,
            CliError::Api(_) => 1,
            CliError::Local(_) => 1,
            CliError::Reported { code, .. } => *code,
            CliError::Queued { auth: true, .. } => 3,
            CliError::Queued { .. } => 1,
        }
    }
}

pub type CliResult<T> = Result<T, CliError>;

pub fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(usage("x").exit_code(), 2);
        assert_eq!(
            CliError::Api(ApiError::AuthFailed("no".into())).exit_code(),
            3
        );
        assert_eq!(CliError::Api(ApiError::MfaRequired).exit_code(), 3);
        assert_eq!(CliError::Api(ApiError::NotFound("t".into())).exit_code(), 1);
        assert_eq!(
            CliError::Api(ApiError::Invalid("missing".into())).exit_code(),
            2
        );
        assert_eq!(CliError::Local("disk".into()).exit_code(), 1);
        let queued = CliError::Queued {
            seq: 4,
            reason: "cannot reach the BMS server".into(),
            auth: false,
        };
        assert_eq!(queued.exit_code(), 1);
        assert!(queued.to_string().contains("queued as outbox item 4"));
    }
}
