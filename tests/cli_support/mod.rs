//! Shared harness for CLI tests: a simulator on a random loopback port (hosted by a runtime
//! owned by the test) and the real `bmsdesk` binary run with an isolated HOME.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use bmsdesk_sim::{self as sim, SimConfig, SimHandle};

pub mod fake;
pub(crate) use crate::spec;

pub struct Env {
    pub sim: SimHandle,
    pub home: tempfile::TempDir,
    pub rt: tokio::runtime::Runtime,
    pub user: String,
    pub password: String,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

impl Env {
    pub fn new() -> Env {
        Self::with(config())
    }

    pub fn with(cfg: SimConfig) -> Env {
        // The simulator and every binary these tests start share one pinned clock.
        bmsdesk_core::clock::pin_for_tests();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        // Every exchange the binary has with the simulator is checked against the spec when
        // the simulator goes (as in `tests/common`).
        let sim = rt
            .block_on(spec::spawn_checked(SimConfig { port: 0, ..cfg }))
            .expect("simulator starts");
        Env {
            sim,
            home: tempfile::tempdir().expect("tempdir"),
            rt,
            user: sim::DEMO_USER.to_string(),
            password: sim::DEMO_PASSWORD.to_string(),
        }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn audit_dir(&self) -> PathBuf {
        self.home().join(".bms-actions")
    }

    /// The command with an isolated environment pointing at the simulator.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_bmsdesk"));
        c.args(args);
        for (k, _) in std::env::vars() {
            if k.starts_with("BMS") || k.starts_with("XDG_") {
                c.env_remove(k);
            }
        }
        if let Some(now) = bmsdesk_core::clock::env_for_child() {
            c.env(bmsdesk_core::clock::ENV, now);
        }
        let h = self.home();
        c.env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join(".config"))
            .env("XDG_DATA_HOME", h.join(".local/share"))
            .env("XDG_CACHE_HOME", h.join(".cache"))
            .env("XDG_STATE_HOME", h.join(".local/state"))
            .env("BMS_API_BASE", self.sim.base_url())
            .env("BMS_TENANT", sim::DEMO_TENANT)
            .env("BMS_USERNAME", &self.user)
            .env("BMS_PASSWORD", &self.password)
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null());
        c
    }

    /// [`Env::cmd`] with the laptop's zone set to `zone` (IANA): the same pinned instant.
    pub fn cmd_in_zone(&self, args: &[&str], zone: &str) -> Command {
        let mut c = self.cmd(args);
        let at = bmsdesk_core::clock::now().to_rfc3339();
        c.env(bmsdesk_core::clock::ENV, format!("{at} {zone}"));
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_cmd(self.cmd(args))
    }

    pub fn run_cmd(&self, mut c: Command) -> Run {
        let out: Output = c.output().expect("binary runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// A client signed in to the simulator, for checking what the CLI did.
    pub fn client(&self) -> bmsdesk_bms::client::Client {
        let mut opts = bmsdesk_bms::ClientOptions::new(self.sim.base_url());
        opts.credentials = Some(bmsdesk_core::secret::Credentials {
            tenant: sim::DEMO_TENANT.into(),
            username: sim::DEMO_USER.into(),
            password: bmsdesk_core::secret::Secret::new(sim::DEMO_PASSWORD),
            mfa_code: None,
        });
        bmsdesk_bms::Client::new(opts).expect("client")
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// Every audit line written so far (all days).
    pub fn audit_lines(&self) -> Vec<serde_json::Value> {
        let mut lines = Vec::new();
        if let Ok(dir) = std::fs::read_dir(self.audit_dir()) {
            let mut files: Vec<_> = dir.flatten().map(|e| e.path()).collect();
            files.sort();
            for f in files {
                let text = std::fs::read_to_string(&f).unwrap_or_default();
                for l in text.lines().filter(|l| !l.trim().is_empty()) {
                    lines.push(
                        serde_json::from_str(l)
                            .unwrap_or_else(|e| panic!("bad audit line {l:?}: {e}")),
                    );
                }
            }
        }
        lines
    }

    /// Every file under HOME, as text (for secret scans).
    pub fn all_files_text(&self) -> String {
        fn walk(p: &Path, out: &mut String) {
            if let Ok(rd) = std::fs::read_dir(p) {
                for e in rd.flatten() {
                    let path = e.path();
                    if path.is_dir() {
                        walk(&path, out);
                    } else if let Ok(bytes) = std::fs::read(&path) {
                        out.push_str(&format!("== {}\n", path.display()));
                        out.push_str(&String::from_utf8_lossy(&bytes));
                        out.push('\n');
                    }
                }
            }
        }
        let mut out = String::new();
        walk(self.home(), &mut out);
        out
    }
}

/// The share of nullable reply fields the simulator sends as `null` in these tests (as in
/// `tests/common`): the binary must cope with a server that leaves fields empty.
pub const NULL_RATE: f64 = 0.02;

/// The tenant the CLI tests run against by default.
pub fn config() -> SimConfig {
    SimConfig {
        null_rate: NULL_RATE,
        ..SimConfig::default()
    }
}

pub fn short_ttl() -> SimConfig {
    SimConfig {
        access_ttl: Duration::from_secs(2),
        ..config()
    }
}

impl Env {
    /// The first account of the tenant: (id, name).
    pub fn first_account(&self) -> (i64, String) {
        let accounts = self.run(&["accounts", "--json"]).ok().json();
        let a = &accounts[0];
        (
            a["id"].as_i64().expect("account id"),
            a["name"].as_str().expect("account name").to_string(),
        )
    }

    /// Creates a ticket on the first account through the CLI and returns it as JSON.
    pub fn create_ticket(&self, title: &str) -> serde_json::Value {
        let (account, _) = self.first_account();
        self.run(&[
            "tickets",
            "create",
            "--json",
            "--title",
            title,
            "--details",
            "Line one\nLine <two> & more",
            "--account",
            &account.to_string(),
            "--priority",
            "High",
            "--type",
            "Incident",
            "--source",
            "Phone",
            "--queue",
            "Help Desk",
        ])
        .ok()
        .json()
    }

    /// Every file under HOME with this file name.
    pub fn files_named(&self, name: &str) -> Vec<PathBuf> {
        fn walk(p: &Path, name: &str, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, name, out);
                } else if path.file_name().is_some_and(|n| n == name) {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.home(), name, &mut out);
        out
    }
}
