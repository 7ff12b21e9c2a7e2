//! `bmsdesk doctor`: signs in, measures what the spec leaves open on the user's own tenant
//! (`api::measure`), reports each point with what bmsdesk will do about it, and stores the
//! measurements as the tenant's capabilities for every later command of the profile.
//!
//! Read-only unless `--write-test` is given. The requests it sends are few and counted in
//! the report (the limit is per endpoint per hour, see `api::guesses::HOURLY_LIMIT`).

mod checks;
mod report;
mod write_test;

use bmsdesk_bms::ProfileExt;
use serde_json::json;

use super::args::{DoctorArgs, GlobalOpts};
use super::context::Ctx;
use super::error::{CliError, CliResult};
use super::output;
use bmsdesk_core::{capabilities::Capabilities, error::ApiError, secret::Secret};
use report::{Check, Mark, Report};

pub(crate) const SIGN_IN: &str = "Sign-in";

pub async fn run(global: &GlobalOpts, args: DoctorArgs) -> CliResult<()> {
    let mut ctx = Ctx::open_for_doctor(global).await?;
    let code = match args.mfa_code.as_deref() {
        Some("-") => Some(super::session::read_code_from_stdin()?),
        Some(c) => Some(c.to_string()),
        None => None,
    };
    let mut report = Report::new(!ctx.json);
    if !ctx.json {
        output::text(&format!(
            "bmsdesk doctor: profile {}, {}, tenant {}\n",
            ctx.profile.name,
            ctx.client.base_url(),
            ctx.profile.tenant.as_deref().unwrap_or("(none)")
        ))?;
    }
    let mut caps = Capabilities {
        measured_at: Some(bmsdesk_core::clock::now()),
        api_base: Some(ctx.client.base_url().to_string()),
        tenant: ctx.profile.tenant.clone(),
        ..Capabilities::default()
    };
    let signed_in = sign_in(&ctx, code, &mut report).await;
    if let Ok(sign_ins) = &signed_in {
        checks::measure(
            &mut ctx,
            &mut report,
            &mut caps,
            args.write_test,
            *sign_ins > 0,
        )
        .await;
        checks::budget(&ctx, &mut report, *sign_ins);
    }
    // Only a run that got in has measured anything: a failed sign-in keeps the old file.
    let saved = match &signed_in {
        Ok(_) => {
            let path = ctx.profile.capabilities_file();
            match caps.save(&path) {
                Ok(()) => Some(path),
                Err(e) => {
                    report.add(
                        Check::new(
                            "Saved",
                            "capabilities",
                            Mark::Warn,
                            format!("could not be saved to {} ({e})", path.display()),
                        )
                        .action("later commands keep bmsdesk's guesses; fix the folder and run doctor again"),
                    );
                    None
                }
            }
        }
        Err(_) => None,
    };
    let blocking = report.blocking();
    if ctx.json {
        output::json(&json!({
            "profile": ctx.profile.name,
            "api_base": ctx.client.base_url(),
            "tenant": ctx.profile.tenant,
            "ok": blocking.is_empty(),
            "blocking": blocking,
            "warnings": report.warnings(),
            "checks": report.checks(),
            "capabilities": signed_in.is_ok().then_some(&caps),
            "capabilities_file": saved,
        }))?;
    } else {
        let mut tail = String::new();
        if let Some(path) = &saved {
            tail.push_str(&format!(
                "\nSaved what was measured to {}; every command of this profile uses it.\n",
                path.display()
            ));
        }
        tail.push_str(&if blocking.is_empty() {
            format!(
                "\nResult: ready ({} warning{}).",
                report.warnings(),
                if report.warnings() == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "\nResult: {} problem{} block{} normal use (✗ above).",
                blocking.len(),
                if blocking.len() == 1 { "" } else { "s" },
                if blocking.len() == 1 { "s" } else { "" }
            )
        });
        output::text(&tail)?;
    }
    if blocking.is_empty() {
        return Ok(());
    }
    Err(CliError::Reported {
        code: signed_in.err().unwrap_or(1),
        summary: format!("doctor: blocked by {}", blocking.join(", ")),
    })
}

/// Signs in for the report. `Ok(n)`: signed in with `n` sign-in requests (the budget does not
/// count them); `Err(exit code)`: it failed, and the report says why.
async fn sign_in(ctx: &Ctx, code: Option<String>, r: &mut Report) -> Result<u32, u8> {
    let client = &ctx.client;
    let who = format!(
        "{} at {}",
        ctx.profile.username.as_deref().unwrap_or("(no user name)"),
        ctx.profile.tenant.as_deref().unwrap_or("(no tenant)")
    );
    let mut code_given = ctx.profile.has_mfa_source();
    if let Some(c) = code.filter(|c| !c.trim().is_empty()) {
        client.set_mfa_code(Some(Secret::new(c.trim()))).await;
        code_given = true;
    }
    if !client.has_credentials().await {
        if ctx.profile.has_usable_token(bmsdesk_core::clock::now()) {
            r.add(
                Check::new(
                    SIGN_IN,
                    "sign-in",
                    Mark::Warn,
                    format!("the saved sign-in of {who}; no password is configured, so signing in was not tried"),
                )
                .action("set BMS_PASSWORD or password_command (or run doctor at a terminal) to check the sign-in itself"),
            );
            return Ok(0);
        }
        r.add(
            Check::new(
                SIGN_IN,
                "sign-in",
                Mark::Fail,
                super::context::missing_sign_in(&ctx.profile),
            )
            .action("see config.example.toml; `bmsdesk login` signs in the same way"),
        );
        return Err(3);
    }
    let mut requests = 1;
    let outcome = match client.login().await {
        Err(ApiError::MfaRequired) if ctx.interactive => {
            match bmsdesk_core::config::prompt_password("MFA code: ") {
                Ok(code) => {
                    client.set_mfa_code(Some(code)).await;
                    requests += 1;
                    client
                        .login()
                        .await
                        .map(|_| "password and an MFA code (asked for by the server)")
                }
                Err(e) => Err(ApiError::Config(format!("cannot read the MFA code: {e}"))),
            }
        }
        Ok(_) if code_given => Ok(
            "password and an MFA code (the code was given; whether the tenant requires one was not tried)",
        ),
        Ok(_) => Ok("password only (no MFA code asked for)"),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(path) => {
            r.ok(SIGN_IN, "sign-in", format!("{path}, as {who}"));
            Ok(requests)
        }
        Err(e) => {
            let action = match &e {
                ApiError::MfaRequired => {
                    "the server asks this user for an MFA code: pass --mfa-code CODE (or - to read it from stdin), or set BMS_MFA_CODE or mfa_command; an API Employee user is not asked for one"
                }
                ApiError::AuthFailed(_) => {
                    "check the tenant (the Company name under My Settings in BMS), the user name and the password"
                }
                ApiError::Transport(_) => {
                    "check api_base (a region name or the API URL) and the network"
                }
                _ => "`bmsdesk login` signs in the same way and shows the same error",
            };
            r.add(Check::new(SIGN_IN, "sign-in", Mark::Fail, format!("{who}: {e}")).action(action));
            Err(CliError::Api(e).exit_code())
        }
    }
}
