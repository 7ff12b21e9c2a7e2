//! Reading a reply body under a size cap. A hostile or broken server can answer with a body of
//! any size (a 1 GB reply once took 2 GB of memory): the body is refused up front when its
//! `Content-Length` says it is too big, and otherwise read chunk by chunk and dropped as soon
//! as it passes the cap, so memory never holds more than the cap.

use bmsdesk_core::error::ApiError;

pub use bmsdesk_core::config::defaults::MAX_REPLY_BYTES as DEFAULT_MAX_REPLY_BYTES;

/// Why a body could not be read.
pub(crate) enum BodyError {
    /// Larger than the cap (nothing more is read).
    TooLarge(ApiError),
    /// The connection failed while reading.
    Transport(reqwest::Error),
}

/// The whole body of `resp`, at most `cap` bytes. `what` names the request in the error.
pub(crate) async fn read_capped(
    mut resp: reqwest::Response,
    cap: u64,
    what: &str,
) -> Result<Vec<u8>, BodyError> {
    let too_large = || BodyError::TooLarge(too_large(what, cap));
    let announced = resp.content_length();
    if announced.is_some_and(|n| n > cap) {
        return Err(too_large());
    }
    // Trust the announced length only for the first allocation, and never beyond the cap.
    let mut body = Vec::with_capacity(announced.unwrap_or(0).min(cap).min(1 << 20) as usize);
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if (body.len() + chunk.len()) as u64 > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_large(what: &str, cap: u64) -> ApiError {
    const MIB: u64 = 1024 * 1024;
    let limit = if cap >= MIB && cap.is_multiple_of(MIB) {
        format!("{} MB", cap / MIB)
    } else {
        format!("{cap} bytes")
    };
    ApiError::TooLarge(format!(
        "the reply to {what} is larger than {limit} (max_reply_mb in the config); it was not read"
    ))
}
