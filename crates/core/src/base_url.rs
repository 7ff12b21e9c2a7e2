//! Where a profile's API lives: a region name or a URL, turned into a base URL; and the
//! template of a request path, how requests are counted per endpoint (client and simulator).

use crate::error::{ApiError, ApiResult};

pub use crate::guesses::REGIONS;

/// Turns a region name or URL into a base URL. Only `https://` is accepted, except on loopback
/// (the simulator), so a password or token never crosses a network in clear text.
pub fn resolve_base_url(input: &str) -> ApiResult<String> {
    let input = input.trim();
    let lower = input.to_ascii_lowercase();
    if let Some(region) = REGIONS
        .iter()
        .find(|r| r.name == lower || r.aliases.contains(&lower.as_str()))
    {
        if region.inferred {
            // Its API host is inferred (see `guesses::REGIONS`): say so where it is used.
            tracing::info!(
                region = region.name,
                host = region.api_base,
                "region API host is inferred, not documented"
            );
        }
        return Ok(region.api_base.to_string());
    }
    let url = url::Url::parse(input).map_err(|_| {
        let names: Vec<&str> = REGIONS.iter().map(|r| r.name).collect();
        ApiError::Config(format!(
            "api base {input:?} is neither a region ({}) nor a URL",
            names.join(", ")
        ))
    })?;
    let host = url.host_str().unwrap_or_default().to_string();
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(ApiError::Config(format!(
                "refusing plain http to {host}: use https:// (plain http is only allowed on loopback)"
            )));
        }
        other => {
            return Err(ApiError::Config(format!(
                "unsupported URL scheme {other:?}"
            )));
        }
    }
    if host.is_empty() {
        return Err(ApiError::Config(format!("api base {input:?} has no host")));
    }
    Ok(input.trim_end_matches('/').to_string())
}

/// The path with numeric segments replaced by `{id}` (`/v2/servicedesk/tickets/{id}/notes`):
/// how requests are counted per endpoint, here and in the simulator's stats.
pub fn path_template(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
