//! A core [`Profile`] as this backend's client: its options, its token file.

use bmsdesk_core::capabilities::Capabilities;
use bmsdesk_core::config::Profile;
use bmsdesk_core::secret::Credentials;

use crate::auth::TokenStore;
use crate::client::ClientOptions;

/// What a BMS client takes from a profile.
pub trait ProfileExt {
    fn token_store(&self) -> TokenStore;
    /// Whether the saved sign-in for this profile can still be used (or refreshed) without
    /// asking for the password.
    fn has_usable_token(&self, now: chrono::DateTime<chrono::Utc>) -> bool;
    /// Everything the API client needs; `credentials` may be `None` when a saved token is
    /// expected to do.
    fn client_options(&self, credentials: Option<Credentials>) -> ClientOptions;
}

impl ProfileExt for Profile {
    fn token_store(&self) -> TokenStore {
        TokenStore::new(&self.token_file)
    }

    /// Whether the saved sign-in for this profile can still be used (or refreshed) without
    /// asking for the password.
    fn has_usable_token(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.token_store().load().is_some_and(|t| {
            t.belongs_to(
                &self.base_url,
                self.tenant.as_deref(),
                self.username.as_deref(),
            ) && (!t.access_expiring(now) || (!t.refresh_token.is_empty() && t.refresh_usable(now)))
        })
    }

    /// Everything the API client needs; `credentials` may be `None` when a saved token is
    /// expected to do.
    fn client_options(&self, credentials: Option<Credentials>) -> ClientOptions {
        let mut opts = ClientOptions::new(self.base_url.clone());
        opts.credentials = credentials;
        opts.token_store = Some(self.token_store());
        opts.page_size = self.page_size;
        opts.concurrency = self.concurrency;
        opts.timeout = self.timeout;
        opts.max_retries = self.max_retries;
        opts.max_reply_bytes = self.max_reply_bytes;
        opts.max_rows = self.max_rows;
        opts.tenant_zone = self.tenant_zone;
        // Read each time a client is built, so a `doctor` run applies to the next command.
        opts.capabilities = Capabilities::load(&self.capabilities_file());
        opts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::time::Duration;

    use bmsdesk_core::config::{Config, ConfigError, Dirs};

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn parse(text: &str, root: &Path) -> Result<Config, ConfigError> {
        let path = root.join("config").join("config.toml");
        Config::from_toml(text, Some(&path), Dirs::under(root))
    }

    #[test]
    fn client_options_carry_the_profile() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = parse(
            "api_base = \"apac\"\npage_size = 42\nconcurrency = 3\ntimeout_secs = 5\nmax_retries = 0\nmax_reply_mb = 2\nmax_rows = 900\n",
            tmp.path(),
        )
        .unwrap();
        let p = cfg.resolve(None, &no_env).unwrap();
        let opts = p.client_options(None);
        assert_eq!(
            (opts.max_reply_bytes, opts.max_rows),
            (2 * 1024 * 1024, 900)
        );
        assert_eq!(opts.base_url, "https://api.bmsapac.kaseya.com");
        assert_eq!(
            (opts.page_size, opts.concurrency, opts.max_retries),
            (42, 3, 0)
        );
        assert_eq!(opts.timeout, Duration::from_secs(5));
        assert_eq!(
            opts.token_store.as_ref().map(|s| s.path().to_path_buf()),
            Some(p.token_file.clone())
        );
        assert!(opts.credentials.is_none());
        assert!(opts.capabilities.is_empty());
        assert_eq!(p.note_type, None);
        let with_type = parse("note_type = 0\n", tmp.path()).unwrap();
        assert_eq!(with_type.resolve(None, &no_env).unwrap().note_type, Some(0));
        let bad = parse("note_type = -1\n", tmp.path()).unwrap();
        let e = bad.resolve(None, &no_env).unwrap_err().to_string();
        assert!(e.contains("note_type"), "{e}");

        // What `doctor` stored for the profile is read with it.
        let caps = bmsdesk_core::capabilities::Capabilities {
            max_page_size: Some(20),
            ..Default::default()
        };
        caps.save(&p.capabilities_file()).unwrap();
        assert_eq!(p.client_options(None).capabilities, caps);
    }

    #[test]
    fn saved_token_usability() {
        use chrono::TimeDelta;
        let tmp = tempfile::tempdir().unwrap();
        let cfg = parse("tenant = \"T\"\nusername = \"u\"\n", tmp.path()).unwrap();
        let p = cfg.resolve(None, &no_env).unwrap();
        let now = bmsdesk_core::clock::now();
        assert!(!p.has_usable_token(now));
        let mut t = crate::auth::TokenSet {
            access_token: "a".into(),
            refresh_token: "r".into(),
            access_token_expire_on: now - TimeDelta::minutes(5),
            refresh_token_expire_on: Some(now + TimeDelta::hours(1)),
            base_url: p.base_url.clone(),
            tenant: "T".into(),
            tenant_zone: None,
            username: "u".into(),
        };
        p.token_store().save(&t).unwrap();
        assert!(p.has_usable_token(now), "refreshable");
        t.refresh_token_expire_on = Some(now - TimeDelta::minutes(1));
        p.token_store().save(&t).unwrap();
        assert!(!p.has_usable_token(now), "expired both ways");
        t.access_token_expire_on = now + TimeDelta::hours(1);
        t.tenant = "Other".into();
        p.token_store().save(&t).unwrap();
        assert!(!p.has_usable_token(now), "another tenant's token");
    }
}
