//! End to end: the real binary in a pseudo-terminal, its screen read back through vt100.
//! HOME and the XDG folders point into a temp dir, so nothing of the user's is touched.

#![cfg(unix)]

// Every exchange with the simulators here is checked against the spec when they go.
use crate::spec;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bmsdesk_bms::{client::Client, client::ClientOptions};
use bmsdesk_core::model::TicketFilter;
use bmsdesk_core::{secret::Credentials, secret::Secret};
use bmsdesk_sim::{self as sim, SimConfig, SimHandle};
use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 140;
const WAIT: Duration = Duration::from_secs(20);

struct Tui {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _home: tempfile::TempDir,
}

impl Tui {
    fn spawn(args: &[&str], env: &[(&str, String)]) -> Tui {
        bmsdesk_core::clock::pin_for_tests();
        let home = tempfile::tempdir().unwrap();
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_bmsdesk"));
        cmd.args(args);
        cmd.env_clear();
        let h = home.path();
        cmd.env("HOME", h);
        for (k, sub) in [
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_STATE_HOME", "state"),
            ("TMPDIR", "tmp"),
        ] {
            let d = h.join(sub);
            std::fs::create_dir_all(&d).unwrap();
            cmd.env(k, d);
        }
        cmd.env("TERM", "xterm-256color");
        // The binary runs on the test's pinned clock (and zone), whatever today's date is.
        if let Some(now) = bmsdesk_core::clock::env_for_child() {
            cmd.env(bmsdesk_core::clock::ENV, now);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(h);
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let p = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        // Keep the master open for the child's lifetime.
        std::mem::forget(pair.master);
        Tui {
            parser,
            writer,
            child,
            _home: home,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if start.elapsed() > WAIT {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    /// Signs in and shows the Open view (every open ticket of the demo tenant).
    fn open_view(&mut self) -> String {
        self.wait_for("tickets", |s| s.contains("tickets · updated"));
        self.keys("2");
        self.wait_for("open tickets", |s| {
            s.contains("tickets · updated") && s.contains("T20")
        })
    }

    /// Sends the note being edited (ctrl-s) and returns the number of its ticket.
    fn send_note(&mut self) -> String {
        self.keys("\x13");
        let s = self.wait_text("note added to ");
        number_after(&s, "note added to ")
    }

    fn keys(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(120));
    }

    /// `q`, and `y` if it asks (a draft, a timer or queued writes are left behind).
    fn quit(mut self) {
        self.keys("q");
        let start = Instant::now();
        let mut confirmed = false;
        loop {
            if !confirmed && self.screen().contains("Quit with") {
                confirmed = true;
                self.keys("y");
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "exit status {status:?}\n{}",
                    self.screen()
                );
                break;
            }
            assert!(start.elapsed() < WAIT, "did not quit:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            !self.parser.lock().unwrap().screen().alternate_screen(),
            "terminal restored"
        );
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The simulator the end-to-end tests drive: small, so the binary loads it at once.
async fn small_sim() -> SimHandle {
    bmsdesk_core::clock::pin_for_tests();
    spec::spawn_checked(SimConfig {
        tickets: 150,
        accounts: 8,
        ..SimConfig::default()
    })
    .await
    .expect("the simulator starts")
}

fn sim_env(h: &SimHandle) -> Vec<(&'static str, String)> {
    vec![
        ("BMS_API_BASE", h.base_url()),
        ("BMS_TENANT", sim::DEMO_TENANT.into()),
        ("BMS_USERNAME", sim::DEMO_USER.into()),
        ("BMS_PASSWORD", sim::DEMO_PASSWORD.into()),
    ]
}

fn client(h: &SimHandle) -> Client {
    let mut o = ClientOptions::new(h.base_url());
    o.credentials = Some(Credentials {
        tenant: sim::DEMO_TENANT.into(),
        username: sim::DEMO_USER.into(),
        password: Secret::new(sim::DEMO_PASSWORD),
        mfa_code: None,
    });
    Client::new(o).unwrap()
}

/// "T2025…" right after `prefix` on the screen.
fn number_after(screen: &str, prefix: &str) -> String {
    let i = screen
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix:?} in\n{screen}"))
        + prefix.len();
    screen[i..].split_whitespace().next().unwrap().to_string()
}

async fn find_ticket(c: &Client, number: &str) -> bmsdesk_core::model::TicketRow {
    let rows = c
        .search_tickets(&TicketFilter {
            ticket_number: Some(number.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    rows.into_iter()
        .find(|r| r.ticket_number == number)
        .expect("ticket exists")
}

#[test]
fn demo_opens_shows_tickets_and_quits_cleanly() {
    let mut t = Tui::spawn(&["demo", "--tickets", "150"], &[("NO_COLOR", "1".into())]);
    t.wait_text("DEMO");
    t.wait_text("2 Open");
    t.keys("2");
    let s = t.wait_for("open tickets", |s| {
        s.contains("tickets · updated") && s.contains("T20")
    });
    assert!(s.contains("Number") && s.contains("Due in"), "{s}");
    // The detail pane of the selection (wide terminal) fills in (its fields, above the
    // description and notes, which may be below the fold).
    t.wait_text("Created by");
    // Help lists the bindings; any key closes it.
    t.keys("?");
    t.wait_text("command palette");
    t.keys("x");
    t.wait_for("help closed", |s| !s.contains("command palette"));
    t.quit();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_a_ticket_from_a_template_through_the_pickers() {
    let h = small_sim().await;
    let c = client(&h);
    let templates = c.ticket_templates().await.unwrap();
    let tpl = c.ticket_template(templates[0].id).await.unwrap();
    let accounts = c.accounts().await.unwrap();
    let account = accounts.iter().find(|a| a.name.len() >= 4).unwrap().clone();
    let locs = c.locations(account.id).await.unwrap();
    let expect_loc = locs
        .iter()
        .find(|l| l.is_main == Some(true))
        .or(locs.first())
        .unwrap()
        .id;
    let env = sim_env(&h);
    let number = tokio::task::spawn_blocking(move || {
        let mut t = Tui::spawn(&[], &env);
        t.wait_for("tickets", |s| s.contains("tickets · updated"));
        t.keys("n");
        t.wait_text("(blank ticket)");
        t.keys("\x1b[B\r"); // first real template
        t.wait_text("New ticket: account");
        let q: String = account.name.chars().take(8).collect();
        t.keys(&q);
        t.keys("\r");
        for _ in 0..10 {
            let s = t.wait_for("a picker or the form", |s| {
                s.contains("ctrl-s review") || (s.contains("enter pick") && !s.contains("loading"))
            });
            if s.contains("ctrl-s review") {
                break;
            }
            t.keys("\r");
        }
        t.wait_text("ctrl-s review");
        if tpl.title.as_deref().unwrap_or("").trim().is_empty() {
            t.keys("Scanner jams\t");
        }
        t.keys(" Paper jam in tray 2 (pty)");
        t.keys("\x13"); // ctrl-s: review
        t.wait_text("enter create");
        t.keys("\r");
        let s = t.wait_text("created T");
        let number = number_after(&s, "created ");
        t.quit();
        number
    })
    .await
    .unwrap();
    let row = find_ticket(&c, &number).await;
    let ticket = c.ticket(row.id).await.unwrap();
    assert_eq!(ticket.row.account_id, Some(account.id));
    assert_eq!(ticket.row.location_id, Some(expect_loc));
    assert!(
        ticket
            .details
            .unwrap_or_default()
            .contains("Paper jam in tray 2 (pty)")
    );
}

/// Opens view 2, writes a note on its selected ticket with `type_it` (in the note editor),
/// sends it and returns it as the API has it (the one whose details contain `marker`).
async fn note_written_in_the_tui(
    type_it: fn(&mut Tui),
    marker: &'static str,
) -> bmsdesk_core::model::Note {
    let h = small_sim().await;
    let c = client(&h);
    let env = sim_env(&h);
    let number = tokio::task::spawn_blocking(move || {
        let mut t = Tui::spawn(&[], &env);
        t.open_view();
        t.keys("a");
        t.wait_text("Note on");
        type_it(&mut t);
        let number = t.send_note();
        t.quit();
        number
    })
    .await
    .unwrap();
    let row = find_ticket(&c, &number).await;
    let notes = c.notes(row.id).await.unwrap();
    notes
        .into_iter()
        .find(|n| n.details.contains(marker))
        .expect("the note is on the ticket")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adds_a_note_seen_by_the_api() {
    let note = note_written_in_the_tui(
        |t| t.keys("Called the user, issue resolved (pty)"),
        "issue resolved (pty)",
    )
    .await;
    assert_eq!(note.is_internal, Some(true), "internal by default");
}

/// An executable `sh` script in `dir` standing in for `$EDITOR` (`$1` is the file to edit).
fn fake_editor(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    let editor = dir.join("fake-editor");
    std::fs::write(&editor, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    editor
}

/// `$EDITOR` runs without the password or MFA code the user put in bmsdesk's environment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_never_sees_the_password_variables() {
    let h = small_sim().await;
    let bin = tempfile::tempdir().unwrap();
    let dump = bin.path().join("editor-env.txt");
    let editor = fake_editor(
        bin.path(),
        &format!(
            "env > '{}'\nprintf 'typed in the editor (env)\\n' >> \"$1\"",
            dump.display()
        ),
    );
    let mut env = sim_env(&h);
    env.push(("EDITOR", editor.display().to_string()));
    env.push(("BMS_MFA_CODE", "424242".into()));
    tokio::task::spawn_blocking(move || {
        let mut t = Tui::spawn(&[], &env);
        t.open_view();
        t.keys("E");
        t.wait_text("text from $EDITOR");
    })
    .await
    .unwrap();
    let seen = std::fs::read_to_string(&dump).unwrap();
    assert!(seen.contains("BMS_TENANT="), "the rest is kept: {seen}");
    for secret in ["BMS_PASSWORD", "BMS_MFA_CODE"] {
        assert!(!seen.contains(secret), "{secret} reached $EDITOR: {seen}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasted_line_breaks_reach_the_server() {
    let note = note_written_in_the_tui(
        |t| {
            // Unbracketed: CR arrives as Enter, LF (raw mode) as Ctrl-J.
            t.keys("paste-one\rtwo\nthree ");
            // Bracketed, with the CR line breaks terminals paste.
            t.keys("\x1b[200~four\rfive\r\nsix\x1b[201~");
        },
        "paste-one",
    )
    .await;
    assert_eq!(
        bmsdesk_core::text::html::to_text(&note.details),
        "paste-one\ntwo\nthree four\nfive\nsix",
        "{}",
        note.details
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_a_note_in_the_editor_and_gets_the_screen_back() {
    let h = small_sim().await;
    let c = client(&h);
    // An "editor" that appends a line to the file it is given, as a person would type it.
    let bin = tempfile::tempdir().unwrap();
    let editor = fake_editor(
        bin.path(),
        "printf 'Rebooted the switch from the editor (pty)\\n' >> \"$1\"",
    );
    let mut env = sim_env(&h);
    env.push(("EDITOR", editor.display().to_string()));
    let number = tokio::task::spawn_blocking(move || {
        let mut t = Tui::spawn(&[], &env);
        t.open_view();
        t.keys("E");
        // Back from the editor: the full screen is drawn again, with the text in the note.
        let s = t.wait_text("text from $EDITOR");
        assert!(s.contains("Rebooted the switch"), "{s}");
        assert!(
            s.contains("Number") && s.contains("updated just now"),
            "the list and status bar are redrawn: {s}"
        );
        assert!(
            t.parser.lock().unwrap().screen().alternate_screen(),
            "the TUI took the screen back"
        );
        let number = t.send_note();
        t.quit();
        number
    })
    .await
    .unwrap();
    let row = find_ticket(&c, &number).await;
    let notes = c.notes(row.id).await.unwrap();
    assert!(
        notes.iter().any(|n| n
            .details
            .contains("Rebooted the switch from the editor (pty)")),
        "{notes:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalates_with_a_reason_seen_by_the_api() {
    let h = small_sim().await;
    let c = client(&h);
    // An open ticket that is not escalated yet.
    let open = c
        .search_tickets(&TicketFilter {
            exclude_completed: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    let target = open
        .iter()
        .find(|r| {
            r.status_name
                .as_deref()
                .is_some_and(|s| s == "New" || s == "In Progress")
        })
        .expect("a ticket to escalate")
        .clone();
    let number = target.ticket_number.clone();
    let env = sim_env(&h);
    let shown = tokio::task::spawn_blocking(move || {
        let mut t = Tui::spawn(&[], &env);
        t.open_view();
        // Exact match on the number selects it.
        t.keys(&format!("/'{number}\r"));
        t.wait_text("1 match");
        t.keys("e");
        t.wait_text("Escalating needs a note giving the reason");
        t.keys("Client director escalated by phone (pty)");
        t.keys("\x13"); // ctrl-s: send
        let s = t.wait_text("→ Escalated with a note");
        t.quit();
        s
    })
    .await
    .unwrap();
    assert!(shown.contains(&target.ticket_number), "{shown}");
    let ticket = c.ticket(target.id).await.unwrap();
    assert_eq!(ticket.row.status_name.as_deref(), Some("Escalated"));
    let notes = c.notes(target.id).await.unwrap();
    let note = notes
        .iter()
        .find(|n| {
            n.details
                .contains("Client director escalated by phone (pty)")
        })
        .expect("the reason is a note on the ticket");
    assert_eq!(note.is_internal, Some(true));
}
