//! `bmsdesk login | logout | whoami`

use bmsdesk_bms::ProfileExt;
use std::io::{BufRead, Read};

use serde_json::json;

use super::args::GlobalOpts;
use super::context::{Ctx, load_profile};
use super::error::{CliError, CliResult, usage};
use super::output;

/// `login --mfa-code -`: the code from the first line of stdin, so it never shows in `ps`.
pub fn read_code_from_stdin() -> CliResult<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(1024)
        .read_line(&mut line)
        .map_err(|e| CliError::Local(format!("cannot read the MFA code from stdin: {e}")))?;
    let code = line.trim();
    if code.is_empty() {
        return Err(usage("--mfa-code -: stdin held no code"));
    }
    Ok(code.to_string())
}

pub async fn login(global: &GlobalOpts, mfa_code: Option<String>) -> CliResult<()> {
    let mut ctx = Ctx::open_for_login(global, mfa_code).await?;
    let me = ctx.me().await?;
    // A note needs a type and the tenant's list says which (`domain::note_type`): cached now,
    // a note written later while the server cannot be reached still gets one.
    if ctx.profile.note_type.is_none()
        && ctx.client.capabilities().lookups.note_types != Some(false)
        && let Err(e) = ctx
            .lookup(bmsdesk_core::lookups::LookupKind::NoteTypes)
            .await
    {
        tracing::info!(error = %e, "note types not cached at sign-in");
    }
    let until = ctx.client.tokens().await.map(|t| t.access_token_expire_on);
    if ctx.json {
        return output::json(&json!({
            "signed_in": true, "profile": ctx.profile.name, "api_base": ctx.client.base_url(),
            "user": me.full_name, "user_id": me.user_id, "token_file": ctx.profile.token_file,
            "access_token_expires": until,
        }));
    }
    // `output::text` sanitizes: the user's name is the server's text.
    output::text(&format!(
        "signed in to {} as {} (user id {}); token saved to {}",
        ctx.client.base_url(),
        me.full_name,
        me.user_id,
        ctx.profile.token_file.display()
    ))
}

pub async fn logout(global: &GlobalOpts) -> CliResult<()> {
    let (_, profile) = load_profile(global)?;
    let store = profile.token_store();
    let had = store.load().is_some();
    store.clear();
    if global.json {
        return output::json(&json!({"signed_out": true, "had_token": had}));
    }
    output::text(if had {
        "signed out; token removed"
    } else {
        "no saved sign-in"
    })
}

pub async fn whoami(global: &GlobalOpts) -> CliResult<()> {
    let mut ctx = Ctx::open(global).await?;
    let me = ctx.me().await?;
    let tokens = ctx.client.tokens().await;
    if ctx.json {
        return output::json(&json!({
            "profile": ctx.profile.name,
            "api_base": ctx.client.base_url(),
            "tenant": ctx.profile.tenant,
            "username": ctx.profile.username,
            "user": me,
            "access_token_expires": tokens.as_ref().map(|t| t.access_token_expire_on),
            "refresh_token_expires": tokens.as_ref().and_then(|t| t.refresh_token_expire_on),
        }));
    }
    output::fields(&[
        ("User", format!("{} (id {})", me.full_name, me.user_id)),
        ("Email", me.email_address.clone().unwrap_or_default()),
        ("Company", me.business_name.clone().unwrap_or_default()),
        ("Tenant", ctx.profile.tenant.clone().unwrap_or_default()),
        ("Profile", ctx.profile.name.clone()),
        ("API", ctx.client.base_url().to_string()),
        (
            "Time zone",
            me.olson_time_zone_name
                .clone()
                .or(me.time_zone_name.clone())
                .unwrap_or_default(),
        ),
        (
            "Token until",
            output::when(tokens.map(|t| t.access_token_expire_on)),
        ),
    ])
}
