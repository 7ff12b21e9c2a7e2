//! Secrets and the credentials a PSA's sign-in takes.

use std::fmt;

/// A secret string (password, MFA code, token). Its `Debug`/`Display` never show the value, so
/// it cannot leak through logs or error messages by accident.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// What the password grant needs.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub tenant: String,
    pub username: String,
    pub password: Secret,
    pub mfa_code: Option<Secret>,
}
