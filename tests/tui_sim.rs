//! The TUI's event loop and worker against the simulator: keys in, real API calls out,
//! results checked through the API. Headless (TestBackend); the pty tests run the binary.

// Every exchange with the simulators here is checked against the spec when they go.
use crate::spec;

use std::time::Duration;

use bmsdesk_bms::{client::Client, client::ClientOptions};
use bmsdesk_core::actions::Actions;
use bmsdesk_core::store::cache::Cache;
use bmsdesk_core::store::drafts::DraftStore;
use bmsdesk_core::store::outbox::ItemState;
use bmsdesk_core::{draft::TicketDraft, secret::Credentials, secret::Secret};
use bmsdesk_sim::{self as sim, SimConfig, SimHandle};
use bmsdesk_tui::event_loop::{EventLoop, NoHost};
use bmsdesk_tui::{Model, Settings, worker};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const QUIET: Duration = Duration::from_millis(400);

fn ch(c: char) -> Event {
    let m = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Event::Key(KeyEvent::new(KeyCode::Char(c), m))
}
fn code(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}
fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}
fn text(s: &str) -> Vec<Event> {
    s.chars().map(ch).collect()
}

struct Rig {
    _sim: SimHandle,
    client: Client,
    lp: EventLoop<TestBackend>,
    _dir: tempfile::TempDir,
}

/// A simulator with a small tenant (and the process clock pinned, as every test here).
async fn small_sim() -> SimHandle {
    bmsdesk_core::clock::pin_for_tests();
    spec::spawn_checked(SimConfig {
        tickets: 200,
        accounts: 10,
        // Some nullable fields null, as a real server leaves them: the TUI must cope.
        null_rate: 0.02,
        ..SimConfig::default()
    })
    .await
    .expect("sim")
}

async fn rig() -> Rig {
    let sim = small_sim().await;
    let mut o = ClientOptions::new(sim.base_url());
    o.credentials = Some(Credentials {
        tenant: sim::DEMO_TENANT.into(),
        username: sim::DEMO_USER.into(),
        password: Secret::new(sim::DEMO_PASSWORD),
        mfa_code: None,
    });
    o.timeout = Duration::from_secs(10);
    let client = Client::new(o).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let w = worker::spawn(
        Actions::new(client.clone(), None),
        Cache::load(dir.path().join("cache.json")),
        tx.clone(),
    );
    let mut model = Model::new(Settings::default(), "demo", true);
    model.size = (120, 40);
    let init = model.init(Vec::new());
    let mut lp = EventLoop::new(
        Terminal::new(TestBackend::new(120, 40)).unwrap(),
        model,
        rx,
        tx,
        w,
        DraftStore::new(dir.path().join("drafts")),
        dir.path().to_path_buf(),
        Box::new(NoHost),
    );
    lp.exec(init);
    lp.run_until_idle([], QUIET).await.unwrap();
    Rig {
        _sim: sim,
        client,
        lp,
        _dir: dir,
    }
}

fn screen(lp: &EventLoop<TestBackend>) -> String {
    lp.terminal.backend().to_string()
}

/// Picks whatever each remaining new-ticket picker offers first, until the form shows.
async fn first_choices_to_the_form(lp: &mut EventLoop<TestBackend>) -> TicketDraft {
    for _ in 0..8 {
        if lp.model.new_ticket.as_ref().is_some_and(|n| n.form_open) {
            break;
        }
        lp.run_until_idle([code(KeyCode::Enter)], QUIET)
            .await
            .unwrap();
    }
    let nt = lp.model.new_ticket.as_ref().expect("flow still open");
    assert!(nt.form_open, "the pickers lead to the form");
    nt.draft.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opens_and_shows_tickets_then_switches_view() {
    let mut r = rig().await;
    let m = &r.lp.model;
    assert!(m.data.me.is_some(), "who am I answered");
    assert!(m.data.accounts.as_ref().is_some_and(|a| !a.is_empty()));
    assert!(m.list.len_loaded() > 0, "my tickets loaded");
    let me = m.data.me.as_ref().unwrap().full_name.clone();
    for &i in m.list.visible() {
        assert_eq!(
            m.list.rows[i as usize].assignee_name.as_deref(),
            Some(me.as_str())
        );
    }
    r.lp.run_until_idle([ch('2')], QUIET).await.unwrap();
    let open = r.lp.model.list.len_loaded();
    assert!(
        open > r.lp.model.list.visible().len() / 2 && open > 20,
        "{open}"
    );
    let s = screen(&r.lp);
    let first = r.lp.model.selected().unwrap().ticket_number.clone();
    assert!(s.contains(&first), "{s}");
    assert!(s.contains("tickets · updated"));
    // The detail of the selection loads beside the list (wide terminal).
    assert!(
        r.lp.model
            .detail
            .cache
            .contains_key(&r.lp.model.list.sel_id.unwrap())
    );
    // (The fields show; the thread may be below a long description.)
    assert!(s.contains("Respond") && s.contains("Details"), "{s}");
    // Idle: nothing more is drawn.
    let draws = r.lp.draws;
    r.lp.run_until_idle([], QUIET).await.unwrap();
    assert_eq!(r.lp.draws, draws);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_a_ticket_from_a_template_through_the_pickers() {
    let mut r = rig().await;
    r.lp.run_until_idle([ch('2')], QUIET).await.unwrap();
    // n → template (first real one) → account → location → whatever is missing.
    let mut keys = vec![ch('n'), code(KeyCode::Down), code(KeyCode::Enter)];
    r.lp.run_until_idle(keys.drain(..), QUIET).await.unwrap();
    let account = r.lp.model.data.accounts.as_ref().unwrap()[1].clone();
    let q: String = account.name.chars().take(6).collect();
    r.lp.run_until_idle(text(&q).into_iter().chain([code(KeyCode::Enter)]), QUIET)
        .await
        .unwrap();
    let draft = first_choices_to_the_form(&mut r.lp).await;
    let nt = r.lp.model.new_ticket.as_ref().unwrap();
    assert_eq!(draft.account_id, Some(account.id));
    let location = draft.location_id.expect("location picked");
    // Title came from the template (focus on details then); type the details.
    let mut keys = vec![];
    if bmsdesk_tui::forms::text_of(&nt.title).is_empty() {
        keys.extend(text("Scanner jams"));
        keys.push(code(KeyCode::Tab));
    }
    keys.extend([ctrl('u')]);
    keys.extend(text("Paper jam on the scanner, tray 2"));
    keys.extend([ctrl('s'), code(KeyCode::Enter)]);
    r.lp.run_until_idle(keys, QUIET).await.unwrap();
    let m = &r.lp.model;
    assert!(m.new_ticket.is_none(), "created: {:?}", m.status.error);
    let id = m.list.sel_id.unwrap();
    assert!(
        m.status
            .info
            .as_deref()
            .unwrap_or("")
            .starts_with("created")
    );
    // Through the API: it exists with the chosen account and location.
    let t = r.client.ticket(id).await.unwrap();
    assert_eq!(t.row.account_id, Some(account.id));
    assert_eq!(t.row.location_id, Some(location));
    assert!(
        t.details
            .unwrap_or_default()
            .contains("Paper jam on the scanner")
    );
    assert!(screen(&r.lp).contains(&t.row.ticket_number));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_a_ticket_with_a_contact_picked_in_the_form() {
    let mut r = rig().await;
    let account = r.lp.model.data.accounts.as_ref().unwrap()[1].clone();
    // The caller's name and phone as a hostile client could have typed them.
    let contact = r._sim.state().write(|t| {
        let id = t.account(account.id).unwrap().contacts[0];
        let c = t.contacts.iter_mut().find(|c| c.id == id).unwrap();
        c.first = "Zed\x1b]0;owned\x07";
        c.last = "Quux\x1b[2J";
        c.phone = "\x1b[31m+1 555-010-0000".into();
        id
    });
    // n → blank ticket → the account → the first choice of every other picker: the form.
    let mut keys = vec![ch('n'), code(KeyCode::Enter)];
    keys.extend(text(&account.name.chars().take(6).collect::<String>()));
    keys.push(code(KeyCode::Enter));
    r.lp.run_until_idle(keys, QUIET).await.unwrap();
    let draft = first_choices_to_the_form(&mut r.lp).await;
    assert_eq!(draft.account_id, Some(account.id));
    let location = draft.location_id.expect("location picked");
    until(&mut r.lp, "the account's contacts, fetched ahead", |m| {
        m.data.contacts.contains_key(&account.id)
    })
    .await;
    // Title, details, then on to the contact field (via account and location).
    let mut keys = text("Caller cannot print");
    keys.push(code(KeyCode::Tab));
    keys.extend(text("Reported by phone"));
    keys.extend([code(KeyCode::Tab), code(KeyCode::Tab), code(KeyCode::Tab)]);
    keys.push(code(KeyCode::Enter));
    keys.extend(text("quux"));
    keys.push(code(KeyCode::Enter));
    r.lp.run_until_idle(keys, QUIET).await.unwrap();
    let nt = r.lp.model.new_ticket.as_ref().unwrap();
    assert_eq!(nt.draft.contact_id, Some(contact));
    assert_eq!(
        nt.draft.location_id,
        Some(location),
        "a chosen location stays"
    );
    let s = screen(&r.lp);
    assert!(
        s.contains("Contact  Zed Quux") && !s.contains("owned"),
        "{s}"
    );
    assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
    r.lp.run_until_idle([ctrl('s'), code(KeyCode::Enter)], QUIET)
        .await
        .unwrap();
    let m = &r.lp.model;
    assert!(m.new_ticket.is_none(), "created: {:?}", m.status.error);
    let id = m.list.sel_id.unwrap();
    let t = r.client.ticket(id).await.unwrap();
    assert_eq!(t.row.contact_id, Some(contact));
    assert_eq!(t.row.location_id, Some(location));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adds_a_note_and_removes_its_draft() {
    let mut r = rig().await;
    r.lp.run_until_idle([ch('2')], QUIET).await.unwrap();
    let id = r.lp.model.list.sel_id.unwrap();
    let before = r.client.notes(id).await.unwrap().len();
    let mut keys = vec![ch('a')];
    keys.extend(text("Spoke to the user & rebooted <the> router"));
    r.lp.run_until_idle(keys, Duration::from_millis(900))
        .await
        .unwrap();
    // The debounced draft is on disk while typing.
    assert!(r.lp.model.drafts.contains_key(&id));
    let drafts = DraftStore::new(r._dir.path().join("drafts"));
    assert!(drafts.load(id).is_some_and(|d| d.text.contains("rebooted")));
    r.lp.run_until_idle([ctrl('t'), ctrl('s')], QUIET)
        .await
        .unwrap();
    assert!(
        r.lp.model.layers.is_empty(),
        "{:?}",
        r.lp.model.status.error
    );
    let notes = r.client.notes(id).await.unwrap();
    assert_eq!(notes.len(), before + 1);
    let n = notes
        .iter()
        .find(|n| n.details.contains("rebooted"))
        .expect("our note");
    assert_eq!(n.is_internal, Some(false), "ctrl-t made it external");
    assert!(
        n.details.contains("&amp;") && n.details.contains("&lt;the&gt;"),
        "{}",
        n.details
    );
    assert!(
        drafts.load(id).is_none(),
        "draft removed once the server confirmed"
    );
}

// ----- a flaky link: the outbox, offline start -----------------------------------------

struct OutboxRig {
    sim: SimHandle,
    lp: EventLoop<TestBackend>,
    dir: tempfile::TempDir,
}

fn fast_options(base_url: String) -> ClientOptions {
    let mut o = ClientOptions::new(base_url);
    o.credentials = Some(Credentials {
        tenant: sim::DEMO_TENANT.into(),
        username: sim::DEMO_USER.into(),
        password: Secret::new(sim::DEMO_PASSWORD),
        mfa_code: None,
    });
    o.timeout = Duration::from_secs(3);
    o.backoff = Duration::from_millis(10);
    o
}

/// The TUI as `run` builds it: writes through an outbox, the cached list shown at start,
/// the worker's background loop quick.
fn tui_on(client: Client, dir: &std::path::Path) -> EventLoop<TestBackend> {
    let drafts = DraftStore::new(dir.join("drafts"));
    let actions = Actions::new(client, None)
        .with_outbox(bmsdesk_core::store::outbox::Outbox::new(dir.join("outbox")))
        .with_drafts(drafts.clone());
    let cache = Cache::load(dir.join("cache.json"));
    let start_view = &bmsdesk_tui::settings::default_views(&[])[0];
    let snapshot = worker::load_snapshot(&cache, start_view);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let w = worker::spawn_with(
        actions,
        cache,
        tx.clone(),
        worker::WorkerOptions {
            flush_every: Duration::from_millis(300),
            refresh_base: None,
        },
    );
    let mut model = Model::new(Settings::default(), "demo", true);
    model.size = (120, 40);
    let mut init = model.init(drafts.list());
    if let Some(s) = snapshot {
        init.extend(model.show_cached(s.rows, s.fetched_at, s.total));
    }
    let mut lp = EventLoop::new(
        Terminal::new(TestBackend::new(120, 40)).unwrap(),
        model,
        rx,
        tx,
        w,
        drafts,
        dir.to_path_buf(),
        Box::new(NoHost),
    );
    lp.exec(init);
    lp
}

async fn outbox_rig() -> OutboxRig {
    let sim = small_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let client = Client::new(fast_options(sim.base_url())).unwrap();
    let mut lp = tui_on(client, dir.path());
    lp.run_until_idle([], QUIET).await.unwrap();
    OutboxRig { sim, lp, dir }
}

/// A new TUI on the state in `dir` while the server refuses every connection, run until it
/// has noticed and settled.
async fn restart_offline(sim: &SimHandle, dir: &std::path::Path) -> EventLoop<TestBackend> {
    sim.state().set_faults(bmsdesk_sim::Faults {
        reset: 1.0,
        ..Default::default()
    });
    let client = Client::new(fast_options(sim.base_url())).unwrap();
    let mut lp = tui_on(client, dir);
    lp.run_until_idle([], QUIET).await.unwrap();
    until(&mut lp, "offline", |m| {
        m.outbox.offline.is_some() && !m.list.loading
    })
    .await;
    lp
}

/// Runs the loop until `done` holds (or fails after ~15 s).
async fn until(lp: &mut EventLoop<TestBackend>, what: &str, done: impl Fn(&Model) -> bool) {
    for _ in 0..60 {
        if done(&lp.model) {
            return;
        }
        lp.run_until_idle([], Duration::from_millis(250))
            .await
            .unwrap();
    }
    panic!("{what}: never happened; status {:?}", lp.model.status.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_written_during_an_outage_is_pending_then_lands_exactly_once() {
    let mut r = outbox_rig().await;
    r.lp.run_until_idle([ch('2')], QUIET).await.unwrap();
    let id = r.lp.model.list.sel_id.unwrap();
    let count = |sim: &SimHandle| {
        sim.state()
            .notes(id)
            .iter()
            .filter(|n| n.details.contains("outage-note-1"))
            .count()
    };
    // The server now refuses every connection.
    r.sim.state().set_faults(bmsdesk_sim::Faults {
        reset: 1.0,
        ..Default::default()
    });
    let mut keys = vec![ch('a')];
    keys.extend(text("outage-note-1 rebooted the switch"));
    keys.push(ctrl('s'));
    r.lp.run_until_idle(keys, QUIET).await.unwrap();
    until(&mut r.lp, "the note queued", |m| m.outbox.pending() == 1).await;
    let m = &r.lp.model;
    assert!(
        m.layers.is_empty(),
        "the editor closed: the outbox holds the note"
    );
    assert_eq!(m.outbox.ticket_state(id), Some(ItemState::Pending));
    assert!(
        !m.drafts.contains_key(&id),
        "stored durably, the draft is gone"
    );
    until(&mut r.lp, "offline noticed", |m| m.outbox.offline.is_some()).await;
    let s = screen(&r.lp);
    assert!(s.contains("OFFLINE") && s.contains("1 pending"), "{s}");
    assert!(s.contains("⧗ PENDING"), "the note shows in the detail: {s}");
    assert!(s.contains("outage-note-1"), "{s}");
    assert_eq!(count(&r.sim), 0);
    // A while later, still down: still pending, nothing sent.
    r.lp.run_until_idle([], Duration::from_millis(700))
        .await
        .unwrap();
    assert_eq!(r.lp.model.outbox.pending(), 1);
    assert_eq!(count(&r.sim), 0);

    // The link is back: the banner clears, the note lands once, the marker goes.
    r.sim.state().clear_faults();
    until(&mut r.lp, "delivered", |m| {
        m.outbox.pending() == 0 && m.outbox.offline.is_none()
    })
    .await;
    r.lp.run_until_idle([], QUIET).await.unwrap();
    assert_eq!(count(&r.sim), 1, "exactly once");
    let m = &r.lp.model;
    assert_eq!(m.outbox.ticket_state(id), None);
    assert!(m.outbox.items.is_empty());
    let s = screen(&r.lp);
    assert!(!s.contains("OFFLINE") && !s.contains("pending"), "{s}");
    assert!(!s.contains("⧗"), "{s}");
    // More time passes: nothing is sent again.
    r.lp.run_until_idle([], Duration::from_millis(900))
        .await
        .unwrap();
    assert_eq!(count(&r.sim), 1);
    assert!(
        bmsdesk_core::store::outbox::Outbox::new(r.dir.path().join("outbox"))
            .list()
            .is_empty()
    );
}

/// A TUI that is killed (`kill -9`) while the server holds the reply to its note: it runs on
/// its own runtime, which is torn down mid-request once the server has the note.
async fn killed_while_sending(sim: &SimHandle, dir: &std::path::Path, text: &'static str) -> i64 {
    let (base, state, dir) = (sim.base_url(), sim.state().clone(), dir.to_path_buf());
    let process = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let id = rt.block_on(async {
            let mut o = fast_options(base);
            o.timeout = Duration::from_secs(300);
            let mut lp = tui_on(Client::new(o).unwrap(), &dir);
            lp.run_until_idle([ch('2')], QUIET).await.unwrap();
            let id = lp.model.list.sel_id.unwrap();
            // The server acts, then holds the reply.
            state.set_faults(bmsdesk_sim::Faults {
                stall: 1.0,
                stall_ms: 600_000,
                limit: Some(1),
                methods: vec!["POST".into()],
                path_contains: Some("/notes".into()),
                ..Default::default()
            });
            let mut keys = vec![ch('a')];
            keys.extend(text.chars().map(ch));
            keys.push(ctrl('s'));
            lp.run_until_idle(keys, QUIET).await.unwrap();
            until(&mut lp, "the server has the note", |_| {
                state.notes(id).iter().any(|n| n.details.contains(text))
            })
            .await;
            assert!(lp.model.drafts.contains_key(&id), "the draft is on disk");
            id
        });
        rt.shutdown_background();
        id
    });
    // Waited for off the test's runtime, which keeps serving the simulator.
    tokio::task::spawn_blocking(move || process.join())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_sent_just_before_a_kill_goes_once_its_note_is_delivered() {
    let sim = small_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let id = killed_while_sending(&sim, dir.path(), "kill-nine-note-4e1").await;
    let drafts = DraftStore::new(dir.path().join("drafts"));
    assert!(drafts.load(id).is_some(), "left behind by the kill");

    let mut lp = tui_on(
        Client::new(fast_options(sim.base_url())).unwrap(),
        dir.path(),
    );
    until(&mut lp, "the outbox drained", |m| m.outbox.items.is_empty()).await;
    lp.run_until_idle([], QUIET).await.unwrap();
    let copies = || {
        sim.state()
            .notes(id)
            .iter()
            .filter(|n| n.details.contains("kill-nine-note-4e1"))
            .count()
    };
    assert_eq!(copies(), 1, "delivered once (found, not sent again)");
    assert!(
        !lp.model.drafts.contains_key(&id),
        "no unsent draft shown: `a` starts afresh"
    );
    assert!(drafts.load(id).is_none(), "the draft file is gone");
    assert!(!screen(&lp).contains("draft"), "{}", screen(&lp));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_refused_with_503_is_queued_and_delivered_once() {
    let mut r = outbox_rig().await;
    r.lp.run_until_idle([ch('2')], QUIET).await.unwrap();
    let id = r.lp.model.list.sel_id.unwrap();
    r.sim.state().set_faults(bmsdesk_sim::Faults {
        unavailable: 1.0,
        retry_after_secs: 0,
        methods: vec!["POST".into()],
        path_contains: Some("notes".into()),
        ..Default::default()
    });
    let mut keys = vec![ch('a')];
    keys.extend(text("busy-note-2"));
    keys.push(ctrl('s'));
    r.lp.run_until_idle(keys, QUIET).await.unwrap();
    until(&mut r.lp, "queued", |m| m.outbox.pending() == 1).await;
    assert!(screen(&r.lp).contains("1 pending"));
    r.sim.state().clear_faults();
    until(&mut r.lp, "delivered", |m| m.outbox.items.is_empty()).await;
    let n = r
        .sim
        .state()
        .notes(id)
        .iter()
        .filter(|n| n.details.contains("busy-note-2"))
        .count();
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_offline_from_the_cache_and_recovers() {
    // A first session fills the cache (lookups, accounts, the list of view 1, the selected
    // ticket's detail).
    let mut r = outbox_rig().await;
    let cached: Vec<String> =
        r.lp.model
            .list
            .rows
            .iter()
            .map(|t| t.ticket_number.clone())
            .collect();
    assert!(!cached.is_empty());
    let sel = r.lp.model.list.sel_id.expect("a selection");
    until(&mut r.lp, "the detail", |m| {
        m.detail.cache.contains_key(&sel)
    })
    .await;
    let stored = r.dir.path().join(format!("cache.details/{sel}.json"));
    for _ in 0..100 {
        if stored.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(stored.exists(), "the opened ticket is kept for offline use");
    let title = r.lp.model.detail.cache[&sel].ticket.row.title.clone();
    drop(r.lp);
    // The second starts while the server cannot be reached at all.
    let mut lp = restart_offline(&r.sim, r.dir.path()).await;
    let m = &lp.model;
    assert_eq!(m.list.len_loaded(), cached.len(), "the cached list");
    assert!(m.list.from_cache);
    assert!(m.data.accounts.as_ref().is_some_and(|a| !a.is_empty()));
    assert!(m.status.error.is_none(), "{:?}", m.status.error);
    let s = screen(&lp);
    assert!(s.contains("OFFLINE"), "{s}");
    assert!(s.contains(&cached[0]), "{s}");
    assert!(s.contains("cached"), "{s}");
    // The ticket opened last time reads from its offline copy, marked as such.
    assert_eq!(lp.model.list.sel_id, Some(sel));
    until(&mut lp, "the offline copy", |m| {
        m.detail.cache.contains_key(&sel)
    })
    .await;
    assert!(lp.model.detail.cache[&sel].offline_copy);
    let s = screen(&lp);
    assert!(
        s.contains("offline copy") && s.contains(&title.chars().take(20).collect::<String>()),
        "{s}"
    );
    // The link comes back: the banner clears and the list is loaded fresh.
    r.sim.state().clear_faults();
    until(&mut lp, "back online", |m| {
        m.outbox.offline.is_none() && !m.list.loading && !m.list.from_cache
    })
    .await;
    let s = screen(&lp);
    assert!(!s.contains("OFFLINE") && s.contains("updated"), "{s}");
    assert!(lp.model.data.me.is_some(), "who am I asked again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_logs_a_span_across_midnight_as_one_entry_per_day() {
    use bmsdesk_core::actions::WriteOp;
    use bmsdesk_core::model::TimeLogInput;
    use bmsdesk_tui::Msg;
    use bmsdesk_tui::protocol::{Reply, Request};
    use chrono::NaiveDate;

    bmsdesk_core::clock::pin_for_tests();
    let sim = spec::spawn_checked(SimConfig {
        tickets: 50,
        accounts: 5,
        null_rate: 0.02,
        ..SimConfig::default()
    })
    .await
    .expect("sim");
    let client = Client::new(fast_options(sim.base_url())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let w = worker::spawn_with(
        Actions::new(client, None),
        Cache::load(dir.path().join("cache.json")),
        tx,
        worker::WorkerOptions {
            flush_every: Duration::from_secs(60),
            refresh_base: None,
        },
    );
    let (ticket, work_type, role) = sim.state().read(|t| {
        (
            t.tickets[3].id,
            t.refs.work_type_id("Remote Support"),
            t.refs.role_id("Service Desk"),
        )
    });
    let part = |day: u32, start: &str, end: &str, hours: f64| TimeLogInput {
        start_date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
        start_time: start.into(),
        end_time: end.into(),
        work_type_id: work_type,
        role_id: role,
        timespent: Some(hours),
        notes: Some("overnight-w1".into()),
        internal_notes: None,
        user_id: None,
        status_id: None,
    };
    let op = |input| WriteOp::AddTimeLog {
        ticket_id: ticket,
        input,
    };
    w.send(Request::Write {
        req: 77,
        op: op(part(5, "23:40:00", "23:59:59", 0.33)),
        then: vec![op(part(6, "00:00:00", "00:15:00", 0.25))],
        draft: None,
    })
    .await
    .unwrap();
    // One answer per day's entry, in order.
    let logs = tokio::time::timeout(Duration::from_secs(15), async {
        let mut logs = Vec::new();
        while logs.len() < 2 {
            if let Some(Msg::Api(r)) = rx.recv().await
                && let Reply::Written {
                    req: 77, result, ..
                } = *r
            {
                logs.push(result.expect("both delivered"));
            }
        }
        logs
    })
    .await
    .expect("a reply");
    assert_eq!(logs.len(), 2);
    assert!(
        logs.iter()
            .all(|r| matches!(r, bmsdesk_core::actions::WriteResult::TimeLog(_))),
        "{logs:?}"
    );
    let on_server: Vec<String> = sim
        .state()
        .read(|t| t.timelogs.get(&ticket).cloned().unwrap_or_default())
        .iter()
        .filter(|l| {
            l.notes
                .as_deref()
                .is_some_and(|n| n.contains("overnight-w1"))
        })
        .map(|l| l.start_date.to_string())
        .collect();
    assert_eq!(on_server, vec!["2026-11-05", "2026-11-06"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sentence_typed_right_after_a_view_switch_goes_to_the_note_editor() {
    let mut r = outbox_rig().await;
    // A slow link: the view's first page takes a while.
    r.sim.state().set_faults(bmsdesk_sim::Faults {
        latency_ms: 700,
        path_contains: Some("tickets/search".into()),
        ..Default::default()
    });
    // `2`, `a` and a sentence in one burst: T (timer), n (new ticket) and q (quit) in it.
    let sentence = "Took the call, need a quote";
    let mut keys = vec![ch('2'), ch('a')];
    keys.extend(text(sentence));
    r.lp.run_until_idle(keys, Duration::from_millis(20))
        .await
        .unwrap();
    let m = &r.lp.model;
    assert!(!m.quit, "q did not quit");
    assert!(m.timer.is_none(), "T did not start a timer");
    assert!(m.new_ticket.is_none(), "n did not open a form");
    until(&mut r.lp, "the editor opened", |m| {
        matches!(m.layers.last(), Some(bmsdesk_tui::app::Layer::Note(_)))
    })
    .await;
    r.sim.state().clear_faults();
    let m = &r.lp.model;
    let Some(bmsdesk_tui::app::Layer::Note(e)) = m.layers.last() else {
        unreachable!()
    };
    assert_eq!(e.text(), sentence);
    assert_eq!(Some(e.ticket_id), m.list.sel_id, "on the view's first row");
    assert!(!m.quit && m.timer.is_none() && m.new_ticket.is_none());
    assert!(screen(&r.lp).contains(sentence), "{}", screen(&r.lp));
}

/// The server's ids of the tickets the list holds, sorted.
fn held_ids(m: &Model) -> Vec<i64> {
    let mut v: Vec<i64> = m.list.by_id.keys().copied().filter(|&id| id > 0).collect();
    v.sort_unstable();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_with_the_server_down_every_view_shows_what_the_cache_holds() {
    // A first session loads view 1 (at start) and view 2.
    let mut r = outbox_rig().await;
    let mine = held_ids(&r.lp.model);
    assert!(!mine.is_empty());
    r.lp.run_until_idle([ch('2')], QUIET).await.unwrap();
    until(&mut r.lp, "view 2 loaded", |m| {
        !m.list.loading && m.list.len_loaded() > 0
    })
    .await;
    let open = held_ids(&r.lp.model);
    let open_rows: Vec<_> = r.lp.model.list.rows.clone();
    let queue_view =
        r.lp.model
            .views
            .iter()
            .find(|v| !v.queue.is_empty())
            .cloned()
            .expect("a queue view");
    let queue = queue_view.queue[0].to_lowercase();
    let mut in_queue: Vec<i64> = open_rows
        .iter()
        .filter(|t| {
            t.queue_name.as_deref().map(str::to_lowercase) == Some(queue.clone())
                && t.completed_date.is_none()
        })
        .map(|t| t.id)
        .collect();
    in_queue.sort_unstable();
    assert!(!in_queue.is_empty(), "the tenant has tickets in {queue}");
    drop(r.lp);

    // Restart while the server cannot be reached at all.
    let mut lp = restart_offline(&r.sim, r.dir.path()).await;
    assert_eq!(held_ids(&lp.model), mine, "view 1: its own last list");
    // View 2: its own last list too, marked cached.
    lp.run_until_idle([ch('2')], QUIET).await.unwrap();
    until(&mut lp, "view 2 settled", |m| !m.list.loading).await;
    assert_eq!(held_ids(&lp.model), open, "view 2: its own last list");
    assert!(lp.model.list.from_cache);
    let s = screen(&lp);
    assert!(s.contains("cached") && !s.contains(" 0 tickets"), "{s}");
    // A view never loaded: the kept tickets that fit it, marked as such.
    let key = char::from(b'0' + queue_view.key);
    lp.run_until_idle([ch(key)], QUIET).await.unwrap();
    until(&mut lp, "the queue view settled", |m| !m.list.loading).await;
    assert_eq!(
        held_ids(&lp.model),
        in_queue,
        "the cached tickets of {queue}"
    );
    let s = screen(&lp);
    assert!(s.contains("cached rows"), "{s}");
    // The link comes back: the view loads fresh.
    r.sim.state().clear_faults();
    until(&mut lp, "live again", |m| {
        m.outbox.offline.is_none() && !m.list.loading && !m.list.from_cache
    })
    .await;
}
