//! One `tokio::select!` over input, worker replies, timers and signals. Pending messages are
//! drained before a single draw; frames are capped at 60/s and nothing is drawn when idle.
//! Generic over the input stream and the backend so tests can drive it headless.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::app::Model;
use super::draft_writer::DraftWriter;
use super::protocol::{Cmd, Msg, Request};
use super::views;
use bmsdesk_core::store::drafts::DraftStore;

pub const FRAME: Duration = Duration::from_millis(16);

/// What the loop needs from the real terminal besides drawing.
pub trait Host {
    /// Give the terminal back (for `$EDITOR`).
    fn suspend(&mut self) -> io::Result<()>;
    /// Take it again.
    fn resume(&mut self) -> io::Result<()>;
    /// Wrap a frame in a synchronized update (no tearing over slow links).
    fn begin_frame(&mut self) {}
    fn end_frame(&mut self) {}
}

/// A host that does nothing (tests, `TestBackend`).
pub struct NoHost;
impl Host for NoHost {
    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn resume(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub struct EventLoop<B: Backend> {
    pub terminal: Terminal<B>,
    pub model: Model,
    rx: mpsc::UnboundedReceiver<Msg>,
    tx: mpsc::UnboundedSender<Msg>,
    worker: mpsc::Sender<Request>,
    /// Draft files are written on the writer's thread, never on this task.
    drafts: DraftWriter,
    state_dir: PathBuf,
    host: Box<dyn Host>,
    /// Fixed clock for tests; `None` = wall clock.
    pub clock: Option<DateTime<Utc>>,
    dirty: bool,
    /// Input changed the screen: draw now, not at the next 60 fps slot (the cap is for
    /// background bursts; a key must show within a frame).
    urgent: bool,
    /// The list was loading at the last rebuild (to notice the end of a load).
    was_loading: bool,
    last_draw: Option<Instant>,
    editor: Option<(i64, String)>,
    /// Frames drawn (tests check idle draws nothing).
    pub draws: u64,
}

impl<B: Backend> EventLoop<B>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        terminal: Terminal<B>,
        model: Model,
        rx: mpsc::UnboundedReceiver<Msg>,
        tx: mpsc::UnboundedSender<Msg>,
        worker: mpsc::Sender<Request>,
        drafts: DraftStore,
        state_dir: PathBuf,
        host: Box<dyn Host>,
    ) -> Self {
        EventLoop {
            terminal,
            model,
            rx,
            worker,
            drafts: DraftWriter::spawn(drafts, tx.clone()),
            state_dir,
            host,
            tx,
            clock: None,
            dirty: true,
            urgent: false,
            was_loading: false,
            last_draw: None,
            editor: None,
            draws: 0,
        }
    }

    fn stamp(&mut self) {
        self.model.now = self.clock.unwrap_or_else(bmsdesk_core::clock::now);
    }

    /// Feeds one message through `update` and runs what it asks for.
    pub fn dispatch(&mut self, msg: Msg) {
        self.stamp();
        let cmds = self.model.update_deferred(msg);
        self.dirty = true;
        self.exec(cmds);
    }

    pub fn on_event(&mut self, ev: Event) {
        let msg = match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => Msg::Key(k),
            Event::Paste(s) => Msg::Paste(s),
            Event::Resize(w, h) => Msg::Resize(w, h),
            _ => return,
        };
        self.urgent = true;
        self.dispatch(msg);
    }

    pub fn exec(&mut self, cmds: Vec<Cmd>) {
        for c in cmds {
            match c {
                Cmd::Api(r) => {
                    if let Err(e) = self.worker.try_send(r) {
                        tracing::warn!("worker queue: {e}");
                        self.model.status.error =
                            Some("too many requests in flight; try again".into());
                    }
                }
                Cmd::After(d, msg) => {
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(d).await;
                        let _ = tx.send(msg);
                    });
                }
                Cmd::Filter(job) => {
                    let tx = self.tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let rows = job.run();
                        let _ = tx.send(Msg::Filtered {
                            filter_gen: job.filter_gen,
                            rows,
                        });
                    });
                }
                Cmd::Rank(job) => {
                    let tx = self.tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let matches = job.run();
                        let _ = tx.send(Msg::Ranked {
                            rank_gen: job.rank_gen,
                            matches,
                        });
                    });
                }
                Cmd::SaveDraft(d) => self.drafts.save(d, &self.tx),
                Cmd::RemoveDraft(id) => self.drafts.remove(id),
                Cmd::Editor { ticket_id, text } => self.editor = Some((ticket_id, text)),
                Cmd::SaveTimer(t) => {
                    if let Err(e) = super::timer::save(&self.state_dir, t.as_ref()) {
                        let _ = self.tx.send(Msg::TimerIo(Err(e.to_string())));
                    }
                }
                Cmd::SaveRecent(ids) => {
                    if let Ok(bytes) = serde_json::to_vec(&ids) {
                        let _ = bmsdesk_core::store::fsutil::write_private_atomic(
                            &self.state_dir.join("tui-recent-accounts.json"),
                            &bytes,
                        );
                    }
                }
                Cmd::Quit => self.model.quit = true,
            }
        }
    }

    fn after_drain(&mut self) {
        self.stamp();
        let cmds = self.model.prepare();
        if self.was_loading && !self.model.list.loading {
            // The load and its last full sort are done: give back what they freed.
            super::worker::release_freed_memory();
        }
        self.was_loading = self.model.list.loading;
        self.exec(cmds);
    }

    pub fn draw(&mut self) -> anyhow::Result<()> {
        self.host.begin_frame();
        let model = &self.model;
        let r = self.terminal.draw(|f| views::render(model, f));
        self.host.end_frame();
        r?;
        self.draws += 1;
        self.dirty = false;
        self.urgent = false;
        self.last_draw = Some(Instant::now());
        Ok(())
    }

    fn draw_due(&self) -> Option<Instant> {
        if !self.dirty {
            return None;
        }
        Some(match self.last_draw {
            Some(t) if !self.urgent => t + FRAME,
            _ => Instant::now(),
        })
    }

    async fn run_editor(&mut self, ticket_id: i64, text: String) -> Msg {
        let result = async {
            let cmd = std::env::var("VISUAL")
                .ok()
                .or_else(|| std::env::var("EDITOR").ok())
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| "vi".into());
            let path = self.state_dir.join(format!("note-{ticket_id}.edit.md"));
            bmsdesk_core::store::fsutil::write_private_atomic(&path, text.as_bytes())
                .map_err(|e| e.to_string())?;
            self.host.suspend().map_err(|e| e.to_string())?;
            let mut parts = cmd.split_whitespace();
            let prog = parts.next().unwrap_or("vi").to_string();
            // Built without BMS_PASSWORD/BMS_MFA_CODE in its environment.
            let status =
                tokio::process::Command::from(bmsdesk_core::config::child_env::command(&prog))
                    .args(parts)
                    .arg(&path)
                    .status()
                    .await;
            let resumed = self.host.resume();
            // Full redraw on the fresh screen (resize resets the back buffer without the
            // cursor-position query `clear` makes).
            if let Ok(size) = self.terminal.size() {
                let _ =
                    self.terminal
                        .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height));
            }
            resumed.map_err(|e| e.to_string())?;
            let status = status.map_err(|e| format!("cannot start {prog}: {e}"))?;
            let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            let _ = std::fs::remove_file(&path);
            if !status.success() {
                return Err(format!("{prog} exited with {status}; the text is kept"));
            }
            Ok(text)
        }
        .await;
        Msg::EditorDone { ticket_id, result }
    }

    /// Runs until quit. `make_input` builds the input stream (again after `$EDITOR`).
    pub async fn run<S, F>(&mut self, mut make_input: F) -> anyhow::Result<()>
    where
        S: Stream<Item = io::Result<Event>> + Unpin,
        F: FnMut() -> S,
    {
        let mut input = make_input();
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        tick.tick().await;
        #[cfg(unix)]
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        #[cfg(unix)]
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        self.after_drain();
        self.draw()?;
        loop {
            let due = self.draw_due();
            #[cfg(unix)]
            let signal = async {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = hup.recv() => {},
                }
            };
            #[cfg(not(unix))]
            let signal = std::future::pending::<()>();
            tokio::select! {
                ev = input.next() => match ev {
                    Some(Ok(ev)) => self.on_event(ev),
                    Some(Err(e)) => {
                        self.quit_now().await;
                        return Err(e.into());
                    }
                    None => {
                        self.quit_now().await;
                        return Ok(());
                    }
                },
                Some(msg) = self.rx.recv() => self.dispatch(msg),
                _ = tick.tick() => { self.dispatch(Msg::Tick); }
                _ = signal => {
                    self.quit_now().await;
                    return Ok(());
                }
                _ = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => {}
            }
            while let Ok(msg) = self.rx.try_recv() {
                self.dispatch(msg);
            }
            if let Some((id, text)) = self.editor.take() {
                drop(input);
                let msg = self.run_editor(id, text).await;
                input = make_input();
                self.dispatch(msg);
                self.dirty = true;
                self.last_draw = None;
            }
            if self.model.quit {
                self.quit_now().await;
                return Ok(());
            }
            self.after_drain();
            if let Some(due) = self.draw_due()
                && Instant::now() >= due
            {
                self.draw()?;
            }
        }
    }

    /// Saves open drafts before leaving, and waits until every draft write is done.
    async fn quit_now(&mut self) {
        self.stamp();
        let cmds = self.model.flush_drafts();
        self.exec(cmds);
        self.drafts.flush().await;
    }

    /// Test helper: feed `events`, then process replies and timers until nothing arrives
    /// for `quiet`, and draw once.
    pub async fn run_until_idle(
        &mut self,
        events: impl IntoIterator<Item = Event>,
        quiet: Duration,
    ) -> anyhow::Result<()> {
        for ev in events {
            self.on_event(ev);
            while let Ok(msg) = self.rx.try_recv() {
                self.dispatch(msg);
            }
            self.after_drain();
            if let Some((id, text)) = self.editor.take() {
                let msg = self.run_editor(id, text).await;
                self.dispatch(msg);
            }
        }
        while let Ok(Some(msg)) = tokio::time::timeout(quiet, self.rx.recv()).await {
            self.dispatch(msg);
            while let Ok(msg) = self.rx.try_recv() {
                self.dispatch(msg);
            }
            self.after_drain();
        }
        self.after_drain();
        if self.dirty {
            self.draw()?;
        }
        Ok(())
    }

    pub fn sender(&self) -> mpsc::UnboundedSender<Msg> {
        self.tx.clone()
    }
}
