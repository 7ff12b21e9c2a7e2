use super::*;
use std::collections::HashMap;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn parse(text: &str, root: &Path) -> Result<Config, ConfigError> {
    let path = root.join("config").join("config.toml");
    Config::from_toml(text, Some(&path), Dirs::under(root))
}

#[test]
fn missing_default_file_means_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let cfg = Config::load_with(None, &no_env, Dirs::under(root)).unwrap();
    assert!(cfg.source.is_none());
    let p = cfg.resolve(None, &no_env).unwrap();
    assert_eq!(p.name, "default");
    assert_eq!(p.base_url, "https://api.bms.kaseya.com");
    assert_eq!(p.token_file, root.join("data/default/token.json"));
    assert_eq!(p.cache_file, root.join("cache/default/cache.json"));
    assert_eq!(p.audit_dir, root.join("home/.bms-actions"));
    assert_eq!(p.state_dir, root.join("data/default"));
    assert_eq!(p.drafts_dir(), root.join("data/default/drafts"));
    assert_eq!(p.cache_ttl, chrono::TimeDelta::hours(24));
    assert_eq!((p.page_size, p.concurrency), (100, 4));
    assert_eq!(p.tenant, None);
    assert_eq!(
        cfg.log_file(&no_env).unwrap(),
        root.join("data/bmsdesk.log")
    );
}

#[test]
fn default_location_file_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = Dirs::under(tmp.path());
    std::fs::create_dir_all(&dirs.config).unwrap();
    std::fs::write(dirs.config.join("config.toml"), "tenant = \"Acme\"\n").unwrap();
    let cfg = Config::load_with(None, &no_env, dirs.clone()).unwrap();
    assert_eq!(cfg.source, Some(dirs.config.join("config.toml")));
    assert_eq!(
        cfg.resolve(None, &no_env).unwrap().tenant.as_deref(),
        Some("Acme")
    );
}

#[test]
fn explicitly_named_file_must_exist() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope.toml");
    let err = Config::load_with(Some(&missing), &no_env, Dirs::under(tmp.path())).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
    assert!(err.to_string().contains("nope.toml"));

    let env = env_of(&[("BMS_CONFIG", missing.to_str().unwrap())]);
    let err = Config::load_with(None, &env, Dirs::under(tmp.path())).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
}

#[test]
fn cli_path_beats_bms_config() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.toml");
    let b = tmp.path().join("b.toml");
    std::fs::write(&a, "tenant = \"A\"").unwrap();
    std::fs::write(&b, "tenant = \"B\"").unwrap();
    let env = env_of(&[("BMS_CONFIG", b.to_str().unwrap())]);
    let dirs = Dirs::under(tmp.path());
    let from_cli = Config::load_with(Some(&a), &env, dirs.clone()).unwrap();
    assert_eq!(from_cli.base.tenant.as_deref(), Some("A"));
    let from_env = Config::load_with(None, &env, dirs).unwrap();
    assert_eq!(from_env.base.tenant.as_deref(), Some("B"));
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let err = parse("tenant = \"Acme\"\n\nusername = oops\n", tmp.path()).unwrap_err();
    match &err {
        ConfigError::Parse { line, column, .. } => assert_eq!((*line, *column), (3, 12)),
        other => panic!("{other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("config.toml:3:12:"), "{shown}");
}

#[test]
fn wrong_type_and_unknown_key_are_located() {
    let tmp = tempfile::tempdir().unwrap();
    let err = parse(
        "[profiles.a]\ntenant = \"x\"\npage_size = \"many\"\n",
        tmp.path(),
    )
    .unwrap_err();
    assert!(matches!(err, ConfigError::Parse { line: 3, .. }), "{err:?}");

    let err = parse(
        "[profiles.a]\ntenant = \"x\"\npasword_command = \"pass x\"\n",
        tmp.path(),
    )
    .unwrap_err();
    assert!(matches!(err, ConfigError::Parse { line: 3, .. }), "{err:?}");
    assert!(err.to_string().contains("pasword_command"), "{err}");

    let err = parse("[cache]\nttl = 3\n", tmp.path()).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { line: 2, .. }), "{err:?}");
}

#[test]
fn single_profile_at_top_level() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = parse(
        "api_base = \"emea\"\ntenant = \"Acme IT\"\nusername = \"me@acme\"\npage_size = 50\n",
        tmp.path(),
    )
    .unwrap();
    assert_eq!(cfg.profile_names(), vec!["default"]);
    let p = cfg.resolve(None, &no_env).unwrap();
    assert_eq!(p.base_url, "https://api.bmsemea.kaseya.com");
    assert_eq!(p.tenant.as_deref(), Some("Acme IT"));
    assert_eq!(p.username.as_deref(), Some("me@acme"));
    assert_eq!(p.page_size, 50);
    assert!(cfg.resolve(Some("default"), &no_env).is_ok());
    assert!(matches!(
        cfg.resolve(Some("other"), &no_env),
        Err(ConfigError::UnknownProfile { .. })
    ));
}

const TWO_TENANTS: &str = r#"
default_profile = "acme"
page_size = 200
api_base = "emea"

[profiles.acme]
tenant = "Acme"
username = "a@acme"

[profiles.globex]
api_base = "apac"
tenant = "Globex"
username = "g@globex"
page_size = 25
"#;

#[test]
fn profile_choice_order() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = parse(TWO_TENANTS, tmp.path()).unwrap();
    assert_eq!(cfg.profile_names(), vec!["acme", "globex"]);

    assert_eq!(cfg.resolve(None, &no_env).unwrap().name, "acme");
    let env = env_of(&[("BMS_PROFILE", "globex")]);
    assert_eq!(cfg.resolve(None, &env).unwrap().name, "globex");
    // --profile beats BMS_PROFILE.
    assert_eq!(cfg.resolve(Some("acme"), &env).unwrap().name, "acme");

    let err = cfg.resolve(Some("initech"), &no_env).unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("initech") && shown.contains("acme, globex"),
        "{shown}"
    );
}

#[test]
fn top_level_keys_are_defaults_for_every_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = parse(TWO_TENANTS, tmp.path()).unwrap();
    let acme = cfg.resolve(Some("acme"), &no_env).unwrap();
    assert_eq!(acme.base_url, "https://api.bmsemea.kaseya.com");
    assert_eq!(acme.page_size, 200);
    let globex = cfg.resolve(Some("globex"), &no_env).unwrap();
    assert_eq!(globex.base_url, "https://api.bmsapac.kaseya.com");
    assert_eq!(globex.page_size, 25);
    // Separate tenants never share a token, cache or drafts folder by default.
    assert_ne!(acme.token_file, globex.token_file);
    assert_ne!(acme.cache_file, globex.cache_file);
    assert_ne!(acme.state_dir, globex.state_dir);
    assert_eq!(acme.audit_dir, globex.audit_dir);
}

#[test]
fn several_profiles_without_a_default_must_be_chosen() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = parse(
        "[profiles.a]\ntenant = \"A\"\n[profiles.b]\ntenant = \"B\"\n",
        tmp.path(),
    )
    .unwrap();
    let err = cfg.resolve(None, &no_env).unwrap_err();
    assert!(
        matches!(err, ConfigError::NoProfileChosen { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("a, b"));

    let one = parse("[profiles.solo]\ntenant = \"S\"\n", tmp.path()).unwrap();
    assert_eq!(one.resolve(None, &no_env).unwrap().name, "solo");

    let bad_default = parse("default_profile = \"zz\"\n[profiles.a]\n", tmp.path()).unwrap();
    assert!(matches!(
        bad_default.resolve(None, &no_env),
        Err(ConfigError::UnknownProfile { .. })
    ));
}

#[test]
fn environment_wins_over_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let cfg = parse(TWO_TENANTS, root).unwrap();
    let env = env_of(&[
        ("BMS_TENANT", "Env Tenant"),
        ("BMS_USERNAME", "env@user"),
        ("BMS_API_BASE", "http://127.0.0.1:9000"),
        ("BMS_TOKEN_FILE", "~/tok.json"),
        ("BMS_CACHE_FILE", "/tmp/c.json"),
        ("BMS_AUDIT_DIR", "/tmp/audit"),
        ("BMS_STATE_DIR", "/tmp/state"),
    ]);
    let p = cfg.resolve(Some("globex"), &env).unwrap();
    assert_eq!(p.tenant.as_deref(), Some("Env Tenant"));
    assert_eq!(p.username.as_deref(), Some("env@user"));
    assert_eq!(p.base_url, "http://127.0.0.1:9000");
    assert_eq!(p.token_file, root.join("home/tok.json"));
    assert_eq!(p.cache_file, PathBuf::from("/tmp/c.json"));
    assert_eq!(p.audit_dir, PathBuf::from("/tmp/audit"));
    assert_eq!(p.state_dir, PathBuf::from("/tmp/state/globex"));
    assert_eq!(
        cfg.log_file(&env).unwrap(),
        PathBuf::from("/tmp/state/bmsdesk.log")
    );

    // An empty variable counts as unset.
    let empty = env_of(&[("BMS_TENANT", ""), ("BMS_PROFILE", "")]);
    let p = cfg.resolve(None, &empty).unwrap();
    assert_eq!(
        (p.name.as_str(), p.tenant.as_deref()),
        ("acme", Some("Acme"))
    );
}

#[test]
fn api_base_is_validated() {
    let tmp = tempfile::tempdir().unwrap();
    for (base, ok) in [
        ("pulseway", true),
        ("https://bms.internal.example/", true),
        ("http://localhost:8080", true),
        ("http://bms.example.com", false),
        ("mars", false),
    ] {
        let cfg = parse(&format!("api_base = {base:?}\n"), tmp.path()).unwrap();
        let r = cfg.resolve(None, &no_env);
        assert_eq!(r.is_ok(), ok, "{base}: {r:?}");
        if let Err(e) = r {
            assert!(matches!(e, ConfigError::BadValue { ref key, .. } if key == "api_base"));
        }
    }
}

#[test]
fn numbers_out_of_range_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for text in [
        "page_size = 0",
        "page_size = 9000",
        "concurrency = 0",
        "timeout_secs = 0",
        "max_retries = 99",
        "max_reply_mb = 0",
        "max_rows = 0",
        "[cache]\nttl_hours = 99999999",
    ] {
        let cfg = parse(text, tmp.path()).unwrap();
        let err = cfg.resolve(None, &no_env).unwrap_err();
        assert!(
            matches!(err, ConfigError::BadValue { .. }),
            "{text}: {err:?}"
        );
    }
    let cfg = parse("[cache]\nttl_hours = 0\n", tmp.path()).unwrap();
    assert_eq!(
        cfg.resolve(None, &no_env).unwrap().cache_ttl,
        chrono::TimeDelta::zero()
    );
}

#[test]
fn paths_expand_home_and_relative_to_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let cfg = parse(
        "token_file = \"~/t/token.json\"\ncache_file = \"sub/cache.json\"\nstate_dir = \"/abs/state\"\n[audit]\ndir = \"~\"\n",
        root,
    )
    .unwrap();
    let p = cfg.resolve(None, &no_env).unwrap();
    assert_eq!(p.token_file, root.join("home/t/token.json"));
    assert_eq!(p.cache_file, root.join("config/sub/cache.json"));
    assert_eq!(p.state_dir, PathBuf::from("/abs/state/default"));
    assert_eq!(p.audit_dir, root.join("home"));
}

#[test]
fn profile_names_must_be_safe_folder_names() {
    let tmp = tempfile::tempdir().unwrap();
    for bad in ["\"..\"", "\"a/b\"", "\"\"", "\"x y\""] {
        let err = parse(&format!("[profiles.{bad}]\ntenant = \"x\"\n"), tmp.path()).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { .. }), "{bad}: {err:?}");
    }
}

#[test]
fn tui_and_sla_sections_are_kept_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = parse(
        "[tui]\ntheme = \"dark\"\n[tui.keys]\n\"ctrl-r\" = \"refresh\"\n[[tui.views]]\nname = \"Mine\"\nkey = 1\n[sla]\nwarn_minutes = 30\n",
        tmp.path(),
    )
    .unwrap();
    assert_eq!(cfg.tui["theme"].as_str(), Some("dark"));
    assert_eq!(cfg.tui["keys"]["ctrl-r"].as_str(), Some("refresh"));
    assert_eq!(cfg.tui["views"][0]["key"].as_integer(), Some(1));
    assert_eq!(cfg.sla["warn_minutes"].as_integer(), Some(30));
}

/// The top-level key list in `RawFile` repeats `ProfileConfig`'s; this keeps them in step.
#[test]
fn every_profile_key_is_accepted_at_top_level() {
    let full = ProfileConfig {
        api_base: Some("emea".into()),
        tenant: Some("T".into()),
        username: Some("u".into()),
        password_command: Some("echo p".into()),
        mfa_command: Some("echo 1".into()),
        secret_command_timeout_secs: Some(5),
        token_file: Some("/t".into()),
        cache_file: Some("/c".into()),
        page_size: Some(7),
        concurrency: Some(2),
        timeout_secs: Some(9),
        max_retries: Some(1),
        max_reply_mb: Some(8),
        max_rows: Some(1000),
        tenant_timezone: Some("Australia/Brisbane".into()),
        note_type: Some(3),
    };
    let text = toml::to_string(&full).unwrap();
    let as_table: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(
        as_table.len(),
        16,
        "a new ProfileConfig key needs adding to the test"
    );
    let raw: RawFile = toml::from_str(&text).unwrap();
    assert_eq!(raw.top_level_profile(), full);
}

#[test]
fn password_sources_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = parse(
        "tenant = \"T\"\nusername = \"u\"\npassword_command = \"printf 'from-cmd\\\\n'\"\n",
        tmp.path(),
    )
    .unwrap();
    let from_cmd = cfg.resolve(None, &no_env).unwrap();
    assert_eq!(from_cmd.password().unwrap().unwrap().expose(), "from-cmd");

    let env = env_of(&[("BMS_PASSWORD", "from-env")]);
    let from_env = cfg.resolve(None, &env).unwrap();
    assert_eq!(from_env.password().unwrap().unwrap().expose(), "from-env");

    let none = parse("tenant = \"T\"\n", tmp.path()).unwrap();
    assert!(
        none.resolve(None, &no_env)
            .unwrap()
            .password()
            .unwrap()
            .is_none()
    );
}

#[test]
fn password_command_output_is_trimmed_of_one_newline_only() {
    assert_eq!(
        secret_command::run("printf ' sp ace \\r\\n'", secret_command::DEFAULT_TIMEOUT)
            .unwrap()
            .expose(),
        " sp ace "
    );
    assert_eq!(
        secret_command::run("printf 'a\\n\\n'", secret_command::DEFAULT_TIMEOUT)
            .unwrap()
            .expose(),
        "a\n"
    );
    assert_eq!(
        secret_command::run("printf 'x'", secret_command::DEFAULT_TIMEOUT)
            .unwrap()
            .expose(),
        "x"
    );
}

#[test]
fn failing_password_command_never_shows_its_output() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = parse(
        "password_command = \"echo hunter2; echo hunter2-err >&2; exit 3\"\n",
        tmp.path(),
    )
    .unwrap();
    let err = cfg.resolve(None, &no_env).unwrap().password().unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("status 3"), "{shown}");
    assert!(shown.contains("password_command"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");

    let empty = parse("password_command = \"true\"\n", tmp.path()).unwrap();
    let err = empty
        .resolve(None, &no_env)
        .unwrap()
        .password()
        .unwrap_err();
    assert!(err.to_string().contains("printed nothing"), "{err}");
}

#[test]
fn credentials_need_tenant_and_user_and_pick_up_mfa() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = parse("username = \"u\"\n", tmp.path()).unwrap();
    let err = cfg
        .resolve(None, &no_env)
        .unwrap()
        .credentials(Secret::new("pw"))
        .unwrap_err();
    assert!(err.to_string().contains("BMS_TENANT"), "{err}");

    let cfg = parse(
        "tenant = \"T\"\nusername = \"u\"\nmfa_command = \"echo ' 123456 '\"\n",
        tmp.path(),
    )
    .unwrap();
    let creds = cfg
        .resolve(None, &no_env)
        .unwrap()
        .credentials(Secret::new("pw"))
        .unwrap();
    assert_eq!(creds.mfa_code.unwrap().expose(), "123456");
    assert_eq!((creds.tenant.as_str(), creds.username.as_str()), ("T", "u"));

    let env = env_of(&[("BMS_MFA_CODE", "654321")]);
    let creds = cfg
        .resolve(None, &env)
        .unwrap()
        .credentials(Secret::new("pw"))
        .unwrap();
    assert_eq!(creds.mfa_code.unwrap().expose(), "654321");
}

#[test]
fn known_secrets_come_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = parse("", tmp.path()).unwrap();
    let env = env_of(&[("BMS_PASSWORD", "pw"), ("BMS_MFA_CODE", "123")]);
    let secrets = cfg.resolve(None, &env).unwrap().known_secrets();
    let exposed: Vec<&str> = secrets.iter().map(Secret::expose).collect();
    assert_eq!(exposed, vec!["pw", "123"]);
    let dbg = format!("{:?}", cfg.resolve(None, &env).unwrap());
    assert!(!dbg.contains("\"pw\""), "{dbg}");
}

#[test]
fn example_config_parses_and_every_profile_resolves() {
    let tmp = tempfile::tempdir().unwrap();
    let text = include_str!("../../../../config.example.toml");
    let cfg = parse(text, tmp.path()).unwrap();
    assert_eq!(cfg.profile_names(), vec!["acme", "globex-emea", "sim"]);
    for name in cfg.profile_names() {
        let p = cfg.resolve(Some(&name), &no_env).unwrap();
        assert!(p.tenant.is_some() && p.username.is_some(), "{name}");
    }
    assert_eq!(cfg.resolve(None, &no_env).unwrap().name, "acme");
    let g = cfg.resolve(Some("globex-emea"), &no_env).unwrap();
    assert_eq!(
        (g.base_url.as_str(), g.page_size),
        ("https://api.bmsemea.kaseya.com", 250)
    );
    assert_eq!(
        cfg.resolve(Some("sim"), &no_env).unwrap().base_url,
        "http://127.0.0.1:8080"
    );
}

/// The commented `[tui]` and `[sla]` examples must be valid once uncommented.
#[test]
fn example_config_commented_sections_are_valid() {
    let text = include_str!("../../../../config.example.toml");
    for section in ["tui", "sla"] {
        let begin = format!("# example-begin {section}");
        let end = format!("# example-end {section}");
        let block: String = text
            .lines()
            .skip_while(|l| *l != begin)
            .skip(1)
            .take_while(|l| *l != end)
            .map(|l| l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#')))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(!block.trim().is_empty(), "{section} example missing");
        let tmp = tempfile::tempdir().unwrap();
        let cfg = parse(&block, tmp.path()).unwrap_or_else(|e| panic!("{section}: {e}"));
        let table = if section == "tui" { &cfg.tui } else { &cfg.sla };
        assert!(!table.is_empty());
    }
}

#[test]
fn line_col_counts_characters() {
    assert_eq!(line_col("ab\ncdé f", 8), (2, 5));
    assert_eq!(line_col("", 10), (1, 1));
}

#[test]
fn secret_command_timeout_is_checked_and_defaults_to_30_s() {
    let tmp = tempfile::tempdir().unwrap();
    let p = parse("api_base = \"us\"\n", tmp.path())
        .unwrap()
        .resolve(None, &no_env)
        .unwrap();
    assert_eq!(p.secret_command_timeout, std::time::Duration::from_secs(30));
    let p = parse("secret_command_timeout_secs = 2\n", tmp.path())
        .unwrap()
        .resolve(None, &no_env)
        .unwrap();
    assert_eq!(p.secret_command_timeout, std::time::Duration::from_secs(2));
    let err = parse("secret_command_timeout_secs = 0\n", tmp.path())
        .unwrap()
        .resolve(None, &no_env)
        .unwrap_err()
        .to_string();
    assert!(err.contains("secret_command_timeout_secs"), "{err}");
}
