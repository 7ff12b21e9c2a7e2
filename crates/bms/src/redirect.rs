//! Which redirects the client follows. A 307/308 re-sends the method and the body, so following
//! one on sign-in would post the password, the MFA code or the tokens to wherever the server
//! points, plain http included. So:
//!
//! * sign-in and refresh (`/v2/security/…`): never followed; the redirect is an error naming
//!   where it pointed ([`refused`]);
//! * everything else: followed only within the same origin (scheme, host and port), so a
//!   redirect can never move a request (and its bearer token) to another server or from https
//!   to http. At most [`MAX_HOPS`] in a row.

use reqwest::redirect::{Attempt, Policy};

use bmsdesk_core::error::ApiError;

/// Redirects followed for one request before giving up.
pub const MAX_HOPS: usize = 5;

/// Paths whose requests carry the password or tokens in the body.
fn is_auth_path(path: &str) -> bool {
    path.to_ascii_lowercase().starts_with("/v2/security/")
}

/// The policy of the client's one `reqwest::Client`. A redirect it does not follow is handed
/// back as the 3xx response itself, which [`refused`] turns into an error.
pub fn policy() -> Policy {
    Policy::custom(|attempt: Attempt| {
        let Some(first) = attempt.previous().first() else {
            return attempt.stop();
        };
        let same_origin = first.origin() == attempt.url().origin();
        if is_auth_path(first.path()) || !same_origin || attempt.previous().len() > MAX_HOPS {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// The error for a redirect reply the policy did not follow, or `None` for any other status.
/// Not transient: asking again would get the same redirect.
pub fn refused(status: u16, location: Option<&str>, from: &reqwest::Url) -> Option<ApiError> {
    // Only the statuses that redirect (not 304 Not Modified or 300 Multiple Choices).
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let target = location
        .and_then(|l| from.join(l).ok())
        .map(|u| {
            let host = u.host_str().unwrap_or("?");
            match u.port() {
                Some(p) => format!("{}://{host}:{p}", u.scheme()),
                None => format!("{}://{host}", u.scheme()),
            }
        })
        .unwrap_or_else(|| "an unnamed place".to_string());
    let target = bmsdesk_core::text::sanitize_line(&target);
    let why = if is_auth_path(from.path()) {
        "sign-in requests are never redirected, so the password and tokens stay with the configured server"
    } else if location.is_some_and(|l| from.join(l).is_ok_and(|u| u.origin() == from.origin())) {
        "too many redirects in a row"
    } else {
        "redirects to another server (or from https to http) are not followed"
    };
    Some(ApiError::Config(format!(
        "the server answered HTTP {status}, a redirect to {target}; not followed: {why}. \
         Check api_base"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_errors_name_the_target() {
        let from = reqwest::Url::parse("https://api.example.com/v2/security/authenticate").unwrap();
        let e = refused(307, Some("http://evil.example:8080/x"), &from).unwrap();
        let text = e.to_string();
        assert!(
            text.contains("http://evil.example:8080") && text.contains("redirect"),
            "{text}"
        );
        assert!(!e.is_transient());
        assert!(refused(200, None, &from).is_none());
        assert!(refused(304, None, &from).is_none());
        let data = reqwest::Url::parse("https://api.example.com/v2/crm/accounts").unwrap();
        let text = refused(308, Some("http://api.example.com/v2"), &data)
            .unwrap()
            .to_string();
        assert!(text.contains("another server"), "{text}");
    }
}
