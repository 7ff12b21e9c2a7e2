//! Latency probe: the release binary in a real pseudo-terminal against the simulator.
//!
//! ```sh
//! cargo build --release && cargo run --release --example pty_probe -- --tickets 100000
//! ```
//!
//! Starts `bmsdesk sim --tickets N` on a free port, then runs `bmsdesk` (TUI) twice in a
//! 200x50 pty with HOME in a temp folder and one saved view that shows every ticket:
//!
//! 1. cold start: first frame, time until every ticket is loaded, frames per second while
//!    pages stream in, RSS once loaded;
//! 2. idle: frames and CPU time over a few quiet seconds;
//! 3. `j`/`k`: key → visible change (first byte of the next frame that differs), N presses;
//! 4. `/` filter: per key, the echo and the settled result ("N matches"); plus whole words
//!    typed at 60 ms a key (last key → settled);
//! 5. RSS with the list and the detail (notes) of the selected ticket loaded;
//! 6. warm start (cache and last list on disk): first frame and first frame with rows.
//!
//! The screen is read back with vt100; a frame is counted per synchronized-update start
//! (`ESC [ ? 2026 h`, which the TUI wraps every draw in). Options: `--tickets N`
//! (100000), `--presses N` (200), `--cols C --rows R` (200x50), `--idle-secs S` (5),
//! `--bin PATH` (target/release/bmsdesk), `--seed N`, `--sort KEY` (the view's sort, e.g.
//! `due`: time to SLA breach).
#![allow(
    clippy::unwrap_used,
    reason = "a measuring tool run by hand: a panic is a failed run"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child as ProcChild, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const BSU: &[u8] = b"\x1b[?2026h";

struct Args {
    tickets: usize,
    presses: usize,
    cols: u16,
    rows: u16,
    idle_secs: u64,
    seed: u64,
    bin: PathBuf,
    /// `sort` of the probe's view ("due", "-priority"...); none = the default order.
    sort: Option<String>,
}

fn parse_args() -> Args {
    let mut a = Args {
        tickets: 100_000,
        presses: 200,
        cols: 200,
        rows: 50,
        idle_secs: 5,
        seed: 42,
        bin: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/bmsdesk"),
        sort: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--tickets" => a.tickets = v().parse().expect("--tickets N"),
            "--presses" => a.presses = v().parse().expect("--presses N"),
            "--cols" => a.cols = v().parse().expect("--cols N"),
            "--rows" => a.rows = v().parse().expect("--rows N"),
            "--idle-secs" => a.idle_secs = v().parse().expect("--idle-secs N"),
            "--seed" => a.seed = v().parse().expect("--seed N"),
            "--bin" => a.bin = PathBuf::from(v()),
            "--sort" => a.sort = Some(v()),
            "-h" | "--help" => {
                println!(
                    "pty_probe [--tickets N] [--presses N] [--cols C] [--rows R] [--idle-secs S] [--seed N] [--bin PATH] [--sort due]"
                );
                std::process::exit(0);
            }
            other => panic!("unknown option {other}"),
        }
    }
    a
}

// ---- statistics -------------------------------------------------------------------------

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Stats {
    n: usize,
    p50: f64,
    p95: f64,
    max: f64,
}

fn stats(samples: &[Duration]) -> Stats {
    let mut v: Vec<f64> = samples.iter().map(|d| ms(*d)).collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pick = |q: f64| {
        if v.is_empty() {
            f64::NAN
        } else {
            v[((v.len() as f64 - 1.0) * q).round() as usize]
        }
    };
    Stats {
        n: v.len(),
        p50: pick(0.5),
        p95: pick(0.95),
        max: v.last().copied().unwrap_or(f64::NAN),
    }
}

fn report(name: &str, samples: &[Duration]) {
    let s = stats(samples);
    println!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} |",
        s.n, s.p50, s.p95, s.max
    );
}

// ---- the simulator ------------------------------------------------------------------------

struct Sim {
    child: ProcChild,
    base: String,
}

impl Sim {
    fn start(bin: &PathBuf, tickets: usize, seed: u64, home: &std::path::Path) -> Sim {
        let mut child = Command::new(bin)
            .args(["sim", "--port", "0", "--tickets", &tickets.to_string()])
            .args(["--seed", &seed.to_string()])
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("sim-config"))
            .env("XDG_STATE_HOME", home.join("sim-state"))
            .env("XDG_DATA_HOME", home.join("sim-data"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start bmsdesk sim");
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().expect("sim stdout"));
        out.read_line(&mut line).expect("sim banner");
        // Keep reading: a closed pipe would kill the simulator at its next line.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        Sim { child, base }
    }
}

impl Sim {
    /// A raw HTTP/1.1 call to the simulator's control endpoints (no token needed).
    fn control(&self, method: &str, path: &str) -> String {
        use std::net::TcpStream;
        let host = self.base.trim_start_matches("http://");
        let mut s = TcpStream::connect(host).expect("connect to the simulator");
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    /// Search requests served since the last reset.
    fn searches(&self) -> u64 {
        let body = self.control("GET", "/_sim/stats");
        let key = "\"POST /v2/servicedesk/tickets/search\":";
        body.find(key)
            .and_then(|i| {
                body[i + key.len()..]
                    .split(|c: char| !c.is_ascii_digit())
                    .find(|p| !p.is_empty())
                    .and_then(|n| n.parse().ok())
            })
            .unwrap_or(0)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- the TUI in a pty ---------------------------------------------------------------------

struct Screen {
    parser: vt100::Parser,
    /// Start of each frame (synchronized update).
    frames: Vec<Instant>,
    tail: Vec<u8>,
    last_output: Instant,
    closed: bool,
}

struct Shared {
    screen: Mutex<Screen>,
    cv: Condvar,
}

struct Tui {
    shared: Arc<Shared>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    pid: u32,
    started: Instant,
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

impl Tui {
    fn spawn(bin: &PathBuf, env: &[(String, String)], cols: u16, rows: u16) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(bin);
        cmd.env_clear();
        for (k, v) in env {
            cmd.env(k, v);
        }
        let shared = Arc::new(Shared {
            screen: Mutex::new(Screen {
                parser: vt100::Parser::new(rows, cols, 0),
                frames: Vec::new(),
                tail: Vec::new(),
                last_output: Instant::now(),
                closed: false,
            }),
            cv: Condvar::new(),
        });
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let started = Instant::now();
        let child = pair.slave.spawn_command(cmd).expect("spawn bmsdesk");
        drop(pair.slave);
        let pid = child.process_id().unwrap_or(0);
        let sh = shared.clone();
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let now = Instant::now();
                let mut s = sh.screen.lock().unwrap();
                // A frame marker may be split across reads: look at the tail too.
                let mut joined = std::mem::take(&mut s.tail);
                let old = joined.len();
                joined.extend_from_slice(&buf[..n]);
                let found = count(&joined, BSU) - count(&joined[..old], BSU);
                for _ in 0..found {
                    s.frames.push(now);
                }
                let keep = joined.len().saturating_sub(BSU.len() - 1);
                s.tail = joined[keep..].to_vec();
                s.parser.process(&buf[..n]);
                s.last_output = now;
                drop(s);
                sh.cv.notify_all();
            }
            sh.screen.lock().unwrap().closed = true;
            sh.cv.notify_all();
        });
        Tui {
            shared,
            writer,
            child,
            pid,
            started,
        }
    }

    /// Waits until `pred` holds for the screen; returns when it first did.
    fn wait_until(&self, timeout: Duration, pred: impl Fn(&Screen) -> bool) -> Option<Instant> {
        let end = Instant::now() + timeout;
        let mut s = self.shared.screen.lock().unwrap();
        loop {
            if pred(&s) {
                return Some(s.last_output.max(self.started));
            }
            let now = Instant::now();
            if now >= end || s.closed {
                return None;
            }
            s = self.shared.cv.wait_timeout(s, end - now).unwrap().0;
        }
    }

    fn text(&self) -> String {
        self.shared
            .screen
            .lock()
            .unwrap()
            .parser
            .screen()
            .contents()
    }

    fn formatted(&self) -> Vec<u8> {
        self.shared
            .screen
            .lock()
            .unwrap()
            .parser
            .screen()
            .contents_formatted()
    }

    fn frames(&self) -> usize {
        self.shared.screen.lock().unwrap().frames.len()
    }

    fn frames_between(&self, a: Instant, b: Instant) -> usize {
        let s = self.shared.screen.lock().unwrap();
        s.frames.iter().filter(|t| **t >= a && **t <= b).count()
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Sends `bytes` and waits for the screen (text or attributes) to change.
    fn press(&mut self, bytes: &[u8]) -> Option<Duration> {
        let before = self.formatted();
        let t0 = Instant::now();
        self.send(bytes);
        self.wait_until(Duration::from_secs(2), |s| {
            s.parser.screen().contents_formatted() != before
        })
        .map(|t| t.saturating_duration_since(t0))
    }

    /// Waits until nothing was written for `quiet`.
    fn settle(&self, quiet: Duration, timeout: Duration) {
        let end = Instant::now() + timeout;
        loop {
            let last = self.shared.screen.lock().unwrap().last_output;
            let now = Instant::now();
            if now.duration_since(last) >= quiet || now >= end {
                return;
            }
            std::thread::sleep(quiet - now.duration_since(last));
        }
    }

    fn status_line(s: &Screen, rows: u16) -> String {
        let text = s.parser.screen().contents();
        text.lines()
            .nth(rows as usize - 1)
            .unwrap_or("")
            .to_string()
    }

    fn quit(mut self) {
        self.send(b"\x1b");
        std::thread::sleep(Duration::from_millis(50));
        self.send(b"q");
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
    }
}

/// "12,345 tickets" / "10/12,345 tickets" in the status line: the shown count.
fn ticket_count(status: &str) -> Option<u64> {
    let i = status.rfind(" tickets")?;
    let head = &status[..i];
    let start = head
        .rfind(|c: char| !(c.is_ascii_digit() || c == ',' || c == '/'))
        .map(|p| p + 1)
        .unwrap_or(0);
    let num = head[start..].split('/').next()?.replace(',', "");
    num.parse().ok()
}

fn loaded(s: &Screen, rows: u16, n: u64) -> bool {
    let st = Tui::status_line(s, rows);
    !st.contains("loading tickets") && ticket_count(&st) == Some(n)
}

fn has_rows(s: &Screen, rows: u16) -> bool {
    ticket_count(&Tui::status_line(s, rows)).is_some_and(|n| n > 0)
}

// ---- /proc --------------------------------------------------------------------------------

fn proc_status_kb(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// utime + stime of the process, in seconds.
fn cpu_secs(pid: u32) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Some(ticks as f64 / hz)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

// ---- the run ------------------------------------------------------------------------------

const STATUSES: &str = r#"["New", "In Progress", "Waiting Customer", "Waiting Materials", "Escalated", "Scheduled", "Completed", "Closed"]"#;
const WORDS: &[&str] = &[
    "printer", "outlook", "vpn", "password", "backup", "laptop", "harbor", "disk", "offline",
    "summit",
];

fn main() {
    let mut a = parse_args();
    assert!(
        a.bin.exists(),
        "{} not found: cargo build --release first",
        a.bin.display()
    );
    // The child's environment has no PATH: give it an absolute path.
    a.bin = a.bin.canonicalize().expect("the binary's path");
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let mut env: Vec<(String, String)> = Vec::new();
    for (k, sub) in [
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
        ("TMPDIR", "tmp"),
    ] {
        let d = h.join(sub);
        std::fs::create_dir_all(&d).unwrap();
        env.push((k.into(), d.display().to_string()));
    }
    let cfg = h.join("config/bmsdesk/config.toml");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    let sort = a
        .sort
        .as_deref()
        .map(|s| format!("sort = {s:?}\n"))
        .unwrap_or_default();
    std::fs::write(
        &cfg,
        format!("[tui]\n[[tui.views]]\nname = \"All\"\nkey = 1\nstatus = {STATUSES}\n{sort}"),
    )
    .unwrap();

    println!(
        "bmsdesk pty probe: {} tickets, {}x{}, sort {}, load {}",
        a.tickets,
        a.cols,
        a.rows,
        a.sort.as_deref().unwrap_or("default"),
        loadavg()
    );
    let t = Instant::now();
    let sim = Sim::start(&a.bin, a.tickets, a.seed, h);
    println!(
        "simulator at {} (generated in {:.1} s)",
        sim.base,
        t.elapsed().as_secs_f64()
    );
    // Allocator tuning to try (e.g. MALLOC_ARENA_MAX=2) passes through.
    env.extend(
        std::env::vars().filter(|(k, _)| k.starts_with("MALLOC_") || k.starts_with("GLIBC_")),
    );
    env.extend([
        ("HOME".into(), h.display().to_string()),
        ("TERM".into(), "xterm-256color".into()),
        ("BMS_API_BASE".into(), sim.base.clone()),
        ("BMS_TENANT".into(), bmsdesk_sim::DEMO_TENANT.into()),
        ("BMS_USERNAME".into(), bmsdesk_sim::DEMO_USER.into()),
        ("BMS_PASSWORD".into(), bmsdesk_sim::DEMO_PASSWORD.into()),
    ]);
    let n = a.tickets as u64;
    let (rows, cols) = (a.rows, a.cols);
    let long = Duration::from_secs(300);

    // 1. Cold start and full load.
    let mut tui = Tui::spawn(&a.bin, &env, cols, rows);
    let first = tui.wait_until(long, |s| !s.frames.is_empty());
    let first_rows = tui.wait_until(long, |s| has_rows(s, rows));
    let done = tui.wait_until(long, |s| loaded(s, rows, n));
    let Some(done) = done else {
        panic!("not loaded; screen:\n{}", tui.text());
    };
    let since = |t: Option<Instant>| t.map(|t| ms(t - tui.started)).unwrap_or(f64::NAN);
    let first_rows_at = first_rows.unwrap_or(done);
    let load_s = (done - first_rows_at).as_secs_f64().max(1e-3);
    let load_frames = tui.frames_between(first_rows_at, done);
    let rss_loaded = proc_status_kb(tui.pid, "VmRSS:");
    println!("\n## Cold start ({} tickets)\n", n);
    println!("| what | value |\n|---|---|");
    println!("| first frame | {:.0} ms |", since(first));
    println!("| first rows | {:.0} ms |", since(first_rows));
    println!(
        "| all {} tickets loaded | {:.0} ms ({:.0} tickets/s from the first rows) |",
        n,
        since(Some(done)),
        n as f64 / load_s
    );
    println!(
        "| frames while loading | {} in {:.2} s = {:.0}/s |",
        load_frames,
        load_s,
        load_frames as f64 / load_s
    );
    println!(
        "| RSS when loaded | {:.0} MB |",
        rss_loaded.unwrap_or(0) as f64 / 1024.0
    );

    // 2. Idle.
    tui.settle(Duration::from_millis(800), Duration::from_secs(20));
    let f0 = tui.frames();
    let c0 = cpu_secs(tui.pid).unwrap_or(0.0);
    std::thread::sleep(Duration::from_secs(a.idle_secs));
    let idle_frames = tui.frames() - f0;
    let idle_cpu = cpu_secs(tui.pid).unwrap_or(0.0) - c0;
    println!(
        "| idle {} s | {} frames, CPU {:.2}% |",
        a.idle_secs,
        idle_frames,
        100.0 * idle_cpu / a.idle_secs as f64
    );

    // 3. j/k.
    let mut jk = Vec::new();
    let mut missed = 0;
    for i in 0..a.presses {
        // Down 3/4 of the time so the list scrolls too.
        let key: &[u8] = if i % 4 == 3 { b"k" } else { b"j" };
        match tui.press(key) {
            Some(d) => jk.push(d),
            None => missed += 1,
        }
        std::thread::sleep(Duration::from_millis(15 + (i as u64 * 7) % 40));
    }
    // 5. RSS with the detail and notes of the selection.
    tui.settle(Duration::from_millis(1000), Duration::from_secs(20));
    let rss_detail = proc_status_kb(tui.pid, "VmRSS:");
    let hwm = proc_status_kb(tui.pid, "VmHWM:");

    // 4. `/` filter.
    let mut echo = Vec::new();
    let mut settle = Vec::new();
    let mut burst = Vec::new();
    let prompt = |s: &Screen, q: &str| {
        let text = s.parser.screen().contents();
        let line = text
            .lines()
            .nth(rows as usize - 2)
            .unwrap_or("")
            .to_string();
        line.starts_with(&format!("/{q}▏"))
            && line.contains(" match")
            && !line.contains("filtering")
    };
    for w in WORDS {
        tui.send(b"/");
        tui.wait_until(Duration::from_secs(2), |s| prompt(s, ""));
        for k in 1..=w.len() {
            let q = &w[..k];
            let t0 = Instant::now();
            if let Some(d) = tui.press(&q.as_bytes()[k - 1..]) {
                echo.push(d);
            }
            match tui.wait_until(Duration::from_secs(5), |s| prompt(s, q)) {
                Some(t) => settle.push(t.saturating_duration_since(t0)),
                None => eprintln!("filter {q:?} did not settle:\n{}", tui.text()),
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        tui.send(b"\x1b");
        tui.settle(Duration::from_millis(300), Duration::from_secs(5));
        // The same word at typing speed.
        tui.send(b"/");
        tui.wait_until(Duration::from_secs(2), |s| prompt(s, ""));
        let mut t_last = Instant::now();
        for c in w.bytes() {
            t_last = Instant::now();
            tui.send(&[c]);
            std::thread::sleep(Duration::from_millis(60));
        }
        match tui.wait_until(Duration::from_secs(5), |s| prompt(s, w)) {
            Some(t) => burst.push(t.saturating_duration_since(t_last)),
            None => eprintln!("filter {w:?} did not settle:\n{}", tui.text()),
        }
        tui.send(b"\x1b");
        tui.settle(Duration::from_millis(300), Duration::from_secs(5));
    }

    // 7. `r`: refresh the loaded list (incremental when the last load completed).
    let mut refresh = Vec::new();
    let mut refresh_requests = Vec::new();
    for _ in 0..3 {
        tui.settle(Duration::from_millis(500), Duration::from_secs(20));
        sim.control("POST", "/_sim/stats/reset");
        let t0 = Instant::now();
        tui.send(b"r");
        tui.wait_until(Duration::from_secs(2), |s| {
            let st = Tui::status_line(s, rows);
            st.contains("refreshing") || st.contains("loading tickets")
        });
        match tui.wait_until(Duration::from_secs(120), |s| {
            let st = Tui::status_line(s, rows);
            !st.contains("refreshing") && !st.contains("loading tickets") && loaded(s, rows, n)
        }) {
            Some(t) => refresh.push(t.saturating_duration_since(t0)),
            None => eprintln!("refresh did not finish:\n{}", tui.text()),
        }
        refresh_requests.push(sim.searches());
    }

    println!("\n## Latency (ms)\n");
    println!("| what | n | p50 | p95 | max |\n|---|---|---|---|---|");
    report("`j`/`k` → screen change", &jk);
    report("`/` key → echo", &echo);
    report("`/` key → results settled", &settle);
    report("word at 60 ms/key: last key → settled", &burst);
    report("`r` refresh of the loaded list → done", &refresh);
    if missed > 0 {
        println!("\n{missed} presses showed no change within 2 s");
    }
    println!("\nsearch requests per `r`: {refresh_requests:?}");
    println!("\n## Memory\n");
    println!("| what | value |\n|---|---|");
    let mb = |k: Option<u64>| k.unwrap_or(0) as f64 / 1024.0;
    println!(
        "| RSS, list + detail/notes loaded | {:.0} MB |",
        mb(rss_detail)
    );
    println!("| peak RSS (VmHWM) | {:.0} MB |", mb(hwm));
    tui.quit();

    // 6. Warm start: token, cache and the last list on disk.
    std::thread::sleep(Duration::from_millis(300));
    let tui = Tui::spawn(&a.bin, &env, cols, rows);
    let first = tui.wait_until(long, |s| !s.frames.is_empty());
    let first_rows = tui.wait_until(long, |s| has_rows(s, rows));
    let done = tui.wait_until(long, |s| loaded(s, rows, n));
    let since = |t: Option<Instant>| t.map(|t| ms(t - tui.started)).unwrap_or(f64::NAN);
    println!("\n## Warm start\n");
    println!("| what | value |\n|---|---|");
    println!("| first frame | {:.0} ms |", since(first));
    println!(
        "| first rows (last list from disk) | {:.0} ms |",
        since(first_rows)
    );
    println!("| all {} tickets loaded | {:.0} ms |", n, since(done));
    tui.quit();
    println!("\nload after: {}", loadavg());
    drop(sim);
}
