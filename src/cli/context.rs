//! What every command needs: the resolved profile, a signed-in client, audited actions and the
//! lookup cache, plus name→id resolution through that cache.

use bmsdesk_bms::ProfileExt;
use std::io::IsTerminal;

use super::args::GlobalOpts;
use super::error::{CliError, CliResult, usage};
use super::output;
use super::resolve::{Resolved, resolve};
use bmsdesk_bms::client::Client;
use bmsdesk_core::actions::{Actions, Outcome, WriteOp, WriteResult};
use bmsdesk_core::config::{self, Profile};
use bmsdesk_core::domain::sla::SlaEngine;
use bmsdesk_core::domain::sla_settings::SlaSettings;
use bmsdesk_core::domain::workflow::{NoteKind, TransitionCheck, check_transition};
use bmsdesk_core::model::{Account, Id, Location, LookupItem, TicketRow, UserInfo};
use bmsdesk_core::store::audit::AuditLog;
use bmsdesk_core::store::cache::Cache;
use bmsdesk_core::store::drafts::DraftStore;
use bmsdesk_core::store::outbox::Outbox;
use bmsdesk_core::{error::ApiError, lookups::LookupKind, secret::Credentials, secret::Secret};

pub struct Ctx {
    pub config: config::Config,
    pub profile: Profile,
    pub client: Client,
    pub actions: Actions,
    pub cache: Cache,
    pub refresh: bool,
    pub json: bool,
    pub interactive: bool,
    me: Option<UserInfo>,
    /// Print the client's warnings on stderr when done (not while the TUI owns the screen).
    report_notices: bool,
}

impl Drop for Ctx {
    /// Every way out of a command drops its `Ctx`: warnings that did not stop the command
    /// (a sign-in that could not be saved, a list cut short by its server) are printed once,
    /// before main prints the command's error, if any.
    fn drop(&mut self) {
        if self.report_notices {
            for n in self.client.take_notices() {
                eprintln!("warning: {n}");
            }
        }
    }
}

pub fn load_config(global: &GlobalOpts) -> CliResult<config::Config> {
    config::Config::load(global.config.as_deref(), &config::process_env)
        .map_err(|e| usage(e.to_string()))
}

pub fn load_profile(global: &GlobalOpts) -> CliResult<(config::Config, Profile)> {
    let cfg = load_config(global)?;
    let profile = cfg
        .resolve(global.profile.as_deref(), &config::process_env)
        .map_err(|e| usage(e.to_string()))?;
    // Every command opens its profile here: folders left open to others are closed now.
    profile
        .secure_folders()
        .map_err(|e| CliError::Local(e.to_string()))?;
    Ok((cfg, profile))
}

impl Ctx {
    /// Loads config, builds the client and makes sure there is a usable sign-in (asking for the
    /// password, and an MFA code, only when no saved token can be used).
    pub async fn open(global: &GlobalOpts) -> CliResult<Ctx> {
        let (cfg, profile) = load_profile(global)?;
        let interactive = std::io::stdin().is_terminal();
        let mut ctx = Self::build(cfg, profile, global, interactive, false)?;
        ctx.report_notices = true;
        ctx.ensure_signed_in().await?;
        Ok(ctx)
    }

    /// Like `open`, for the TUI: when the server cannot be reached for the sign-in, it opens
    /// anyway (offline, from the cache; the sign-in happens once the link is back).
    pub async fn open_for_tui(global: &GlobalOpts) -> CliResult<Ctx> {
        let (cfg, profile) = load_profile(global)?;
        let interactive = std::io::stdin().is_terminal();
        let ctx = Self::build(cfg, profile, global, interactive, false)?;
        match ctx.ensure_signed_in().await {
            Err(CliError::Api(e)) if e.is_transient() => {
                tracing::warn!(error = %e, "cannot reach the server to sign in; starting offline");
                Ok(ctx)
            }
            r => r.map(|()| ctx),
        }
    }

    /// Like `open`, but always signs in afresh (`bmsdesk login`).
    pub async fn open_for_login(global: &GlobalOpts, mfa_code: Option<String>) -> CliResult<Ctx> {
        let (cfg, profile) = load_profile(global)?;
        let interactive = std::io::stdin().is_terminal();
        let mut ctx = Self::build(cfg, profile, global, interactive, true)?;
        ctx.report_notices = true;
        if let Some(code) = mfa_code.filter(|c| !c.trim().is_empty()) {
            ctx.client
                .set_mfa_code(Some(Secret::new(code.trim())))
                .await;
        }
        ctx.login().await?;
        Ok(ctx)
    }

    /// For `bmsdesk doctor`: built to sign in afresh (the password asked for when none is
    /// configured and a person is there), not signed in yet, and without the capabilities on
    /// file, so what it measures is the server and not an earlier measurement.
    pub async fn open_for_doctor(global: &GlobalOpts) -> CliResult<Ctx> {
        let (cfg, profile) = load_profile(global)?;
        let interactive = std::io::stdin().is_terminal();
        let mut ctx = Self::build_with(cfg, profile, global, interactive, true, true)?;
        ctx.report_notices = true;
        Ok(ctx)
    }

    fn build(
        config: config::Config,
        profile: Profile,
        global: &GlobalOpts,
        interactive: bool,
        force_password: bool,
    ) -> CliResult<Ctx> {
        Self::build_with(config, profile, global, interactive, force_password, false)
    }

    /// `measuring`: the client starts without the tenant's stored capabilities.
    fn build_with(
        config: config::Config,
        profile: Profile,
        global: &GlobalOpts,
        interactive: bool,
        force_password: bool,
        measuring: bool,
    ) -> CliResult<Ctx> {
        let local = |e: config::ConfigError| usage(e.to_string());
        let saved_usable = profile.has_usable_token(bmsdesk_core::clock::now());
        let mut password = profile.password().map_err(local)?;
        let have_identity = profile.tenant.is_some() && profile.username.is_some();
        if password.is_none() && have_identity && (force_password || !saved_usable) && interactive {
            let prompt = format!(
                "Password for {} at {}: ",
                profile.username.as_deref().unwrap_or_default(),
                profile.tenant.as_deref().unwrap_or_default()
            );
            password = Some(
                config::prompt_password(&prompt)
                    .map_err(|e| CliError::Local(format!("cannot read the password: {e}")))?,
            );
        }
        let credentials: Option<Credentials> = match password.clone() {
            Some(p) if have_identity => Some(profile.credentials(p).map_err(local)?),
            _ => None,
        };
        let mut options = profile.client_options(credentials);
        if measuring {
            options.capabilities = bmsdesk_core::capabilities::Capabilities::default();
        }
        let client = Client::new(options)?;
        let mut secrets: Vec<Secret> = profile.known_secrets();
        secrets.extend(password);
        let audit = AuditLog::new(profile.audit_dir.clone())
            .with_secrets(secrets)
            .with_profile(profile.name.clone());
        let actions = Actions::new(client.clone(), Some(audit))
            .with_outbox(Outbox::new(profile.outbox_dir()))
            .with_drafts(DraftStore::new(profile.drafts_dir()));
        let cache = Cache::open(&profile);
        Ok(Ctx {
            config,
            profile,
            client,
            actions,
            cache,
            refresh: global.refresh,
            json: global.json,
            interactive,
            me: None,
            report_notices: false,
        })
    }

    async fn ensure_signed_in(&self) -> CliResult<()> {
        if let Some(t) = self.client.tokens().await {
            let now = bmsdesk_core::clock::now();
            if !t.access_expiring(now) || t.refresh_usable(now) {
                return Ok(());
            }
        }
        if !self.client.has_credentials().await {
            return Err(CliError::Api(ApiError::Unauthorized(missing_sign_in(
                &self.profile,
            ))));
        }
        self.login().await
    }

    /// Password sign-in; asks for an MFA code when the server wants one and a person is there.
    pub async fn login(&self) -> CliResult<()> {
        if !self.client.has_credentials().await {
            return Err(CliError::Api(ApiError::Unauthorized(missing_sign_in(
                &self.profile,
            ))));
        }
        match self.client.login().await {
            Ok(_) => Ok(()),
            Err(ApiError::MfaRequired) if self.interactive => {
                let code = config::prompt_password("MFA code: ")
                    .map_err(|e| CliError::Local(format!("cannot read the MFA code: {e}")))?;
                self.client.set_mfa_code(Some(code)).await;
                self.client.login().await.map(|_| ()).map_err(CliError::Api)
            }
            Err(e) => Err(CliError::Api(e)),
        }
    }

    /// Sends a write through the outbox. One that cannot be delivered now stays queued: with
    /// `--json` that is printed (`{"queued": true, "outbox_item": N, ...}`), and the command
    /// fails with [`CliError::Queued`] (exit 1, or 3 when a sign-in is needed) so a script
    /// knows it is not done.
    pub async fn write(&self, op: WriteOp) -> CliResult<WriteResult> {
        match self.actions.submit(op.clone()).await? {
            Outcome::Done(r) => Ok(r),
            Outcome::Queued {
                item: seq,
                reason,
                needs_sign_in,
            } => {
                if self.json {
                    output::json(&serde_json::json!({
                        "queued": true,
                        "outbox_item": seq,
                        "operation": op.summary(),
                        "reason": reason,
                    }))?;
                }
                Err(CliError::Queued {
                    seq,
                    reason,
                    auth: needs_sign_in,
                })
            }
        }
    }

    /// The SLA engine for the `[sla]` config section (business hours, targets, rules). Business
    /// hours are in the tenant's time zone unless the section names one; if the server cannot
    /// say which, UTC is used.
    pub async fn sla_engine(&mut self) -> CliResult<SlaEngine> {
        let tenant_tz = if self.config.sla.contains_key("timezone") {
            None
        } else {
            self.me().await.ok().and_then(|me| me.olson_time_zone_name)
        };
        let settings = SlaSettings::from_table(Some(&self.config.sla), tenant_tz.as_deref())
            .map_err(|e| usage(e.to_string()))?;
        Ok(SlaEngine::new(settings))
    }

    /// Applies the workflow rules to a status change before anything is sent: a refusal or a
    /// missing note is a usage error saying what to do; a warning is shown and the change goes on.
    pub async fn check_status_change(
        &mut self,
        ticket_id: Id,
        to: &Resolved,
        note: Option<&str>,
    ) -> CliResult<()> {
        let engine = self.sla_engine().await?;
        // Offline, the change is still queued: what cannot be read now is named in a warning,
        // and the rules are applied as far as what is known allows.
        let mut unread = Vec::new();
        let statuses = match self.lookup_or_empty(LookupKind::Statuses).await {
            Ok(items) => items,
            Err(CliError::Api(e)) if e.is_transient() => {
                unread.push(("the status list".to_string(), e));
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        let target = statuses
            .iter()
            .find(|s| s.id == to.id)
            .cloned()
            .unwrap_or(LookupItem {
                id: to.id,
                name: to.name.clone().unwrap_or_default(),
                ..Default::default()
            });
        let row = match self.client.ticket(ticket_id).await {
            Ok(ticket) => ticket.row,
            Err(e) if e.is_transient() => {
                unread.push((format!("ticket {ticket_id}"), e));
                TicketRow {
                    id: ticket_id,
                    ..Default::default()
                }
            }
            Err(e) => return Err(e.into()),
        };
        if let Some((_, why)) = unread.first() {
            let what: Vec<&str> = unread.iter().map(|(w, _)| w.as_str()).collect();
            output::note(format!(
                "warning: cannot read {} now ({why}); the workflow rules were checked only as \
                 far as that allows",
                what.join(" or ")
            ));
        }
        match check_transition(&row, &target, note, &engine.settings().rules) {
            TransitionCheck::Allowed => Ok(()),
            TransitionCheck::Warn { message } => {
                output::note(format!("warning: {message}"));
                Ok(())
            }
            TransitionCheck::NeedsNote { kind, message } => {
                let how = match kind {
                    NoteKind::Resolution => format!(
                        "add it with the change: bmsdesk notes add {ticket_id} --status \"{}\" -m \"what fixed it\"",
                        target.name
                    ),
                    NoteKind::Escalation => {
                        format!("use: bmsdesk tickets escalate {ticket_id} --reason \"why\"")
                    }
                };
                Err(usage(format!("{message} — {how}")))
            }
            TransitionCheck::Refused { message } => Err(usage(message)),
        }
    }

    pub async fn me(&mut self) -> CliResult<UserInfo> {
        if let Some(me) = &self.me {
            return Ok(me.clone());
        }
        let me = self.client.user_info().await?;
        self.me = Some(me.clone());
        Ok(me)
    }

    fn persist_cache(&self) {
        if let Err(e) = self.cache.save() {
            tracing::warn!(error = %e, "could not save the cache");
        }
    }

    pub async fn lookup(&mut self, kind: LookupKind) -> CliResult<Vec<LookupItem>> {
        let items = self.cache.lookup(&self.client, kind, self.refresh).await?;
        self.persist_cache();
        Ok(items)
    }

    /// Like [`Ctx::lookup`] but an unavailable list is empty (ids are then taken as given).
    pub async fn lookup_or_empty(&mut self, kind: LookupKind) -> CliResult<Vec<LookupItem>> {
        match self.lookup(kind).await {
            Ok(items) => Ok(items),
            Err(CliError::Api(e)) if !e.is_auth() && !e.is_transient() => {
                tracing::warn!(kind = kind.name(), error = %e, "lookup unavailable");
                Ok(Vec::new())
            }
            Err(e) => Err(e),
        }
    }

    pub async fn accounts(&mut self) -> CliResult<Vec<Account>> {
        let items = self.cache.accounts(&self.client, self.refresh).await?;
        self.persist_cache();
        Ok(items)
    }

    pub async fn locations(&mut self, account_id: Id) -> CliResult<Vec<Location>> {
        let items = self
            .cache
            .locations(&self.client, account_id, self.refresh)
            .await?;
        self.persist_cache();
        Ok(items)
    }

    /// A lookup id or name. When the list cannot be read now (offline, nothing cached), an id
    /// is taken as given, so a write can still be queued; a name needs the list.
    pub async fn resolve_lookup(&mut self, kind: LookupKind, input: &str) -> CliResult<Resolved> {
        match self.lookup_or_empty(kind).await {
            // A list built into the client (sources) is its guess, not the tenant's: an id
            // outside it is taken as given, for a tenant whose ids differ.
            Ok(items)
                if matches!(
                    bmsdesk_bms::lookups::source(kind),
                    bmsdesk_bms::lookups::LookupSource::Fixed(_)
                ) =>
            {
                match input.trim().parse::<Id>() {
                    Ok(id) => Ok(Resolved {
                        id,
                        name: items.iter().find(|i| i.id == id).map(|i| i.name.clone()),
                    }),
                    Err(_) => resolve(kind.singular(), input, &items),
                }
            }
            Ok(items) => resolve(kind.singular(), input, &items),
            Err(CliError::Api(e)) if e.is_transient() => match input.trim().parse::<Id>() {
                Ok(id) => Ok(Resolved { id, name: None }),
                Err(_) => Err(CliError::Local(format!(
                    "cannot look up {kind} names now ({e}); give the {kind} id instead",
                    kind = kind.singular()
                ))),
            },
            Err(e) => Err(e),
        }
    }

    /// An assignee id or name, or "me".
    pub async fn resolve_assignee(&mut self, input: &str) -> CliResult<Resolved> {
        if input.trim().eq_ignore_ascii_case("me") {
            let me = self.me().await?;
            return Ok(Resolved {
                id: me.user_id,
                name: Some(me.full_name),
            });
        }
        self.resolve_lookup(LookupKind::Assignees, input).await
    }

    pub async fn resolve_account(&mut self, input: &str) -> CliResult<Resolved> {
        let accounts = self.accounts().await?;
        resolve("account", input, &accounts)
    }

    /// Canonical names for a comma-separated list of lookup names (for name-based filters).
    pub async fn canonical_names(&mut self, kind: LookupKind, input: &str) -> CliResult<String> {
        let items = self.lookup_or_empty(kind).await?;
        let mut names = Vec::new();
        for part in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if items.is_empty() {
                names.push(part.to_string());
            } else {
                let r = resolve(kind.singular(), part, &items)?;
                names.push(r.name.unwrap_or_else(|| part.to_string()));
            }
        }
        if names.is_empty() {
            return Err(usage(format!("empty {} filter", kind.singular())));
        }
        Ok(names.join(","))
    }

    /// Asks "yes/no" on the terminal; without one, refuses (use --yes in scripts).
    pub fn confirm(&self, question: &str) -> CliResult<()> {
        if !self.interactive {
            return Err(usage(format!(
                "{question} — refusing without a terminal to ask; pass --yes"
            )));
        }
        output::note(format!("{question} [y/N] "));
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| CliError::Local(e.to_string()))?;
        if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            Ok(())
        } else {
            Err(usage("cancelled"))
        }
    }
}

pub(super) fn missing_sign_in(profile: &Profile) -> String {
    let mut missing = Vec::new();
    if profile.tenant.is_none() {
        missing.push("tenant (BMS_TENANT)");
    }
    if profile.username.is_none() {
        missing.push("username (BMS_USERNAME)");
    }
    if missing.is_empty() {
        "no saved sign-in and no password: run `bmsdesk login`, or set BMS_PASSWORD or password_command".into()
    } else {
        format!(
            "no saved sign-in; the profile {:?} lacks {} — see config.example.toml",
            profile.name,
            missing.join(" and ")
        )
    }
}
