//! Load benchmark of the Discord bot: the real release `cuecard serve` against fakediscord, with
//! 100 users answering questions at a fixed, open-loop rate (200 interactions a second for 60
//! seconds by default), as issue 8 asks.
//!
//! It measures the bot's reply latency (from the instant an interaction is dispatched on the
//! gateway to the instant the bot's callback `POST` reaches the fake), overall and per kind of
//! interaction; whether every interaction was answered exactly once (lost: no callback within
//! 10 s; duplicated: two callbacks); the rate achieved; and the bot process's memory (VmRSS,
//! VmHWM, its anonymous and file-backed parts, and Pss, sampled every second) and CPU time. Each user cycles through a realistic script:
//! `/ask`, `/lookup`, `/answer` with a text answer, `/stats`, `/ask` again, lookup autocomplete,
//! the Answer button (which opens a modal), the modal's submit, `/leaderboard`. The grader is the
//! keyword grader, as `cuecard serve` configures it.
//!
//! ```text
//! cargo bench --bench discord_load
//! CUECARD_LOAD_RATE=400 CUECARD_LOAD_SECONDS=20 cargo bench --bench discord_load
//! BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cuecard_load cargo bench --bench discord_load
//! ```
//!
//! The database is SQLite in a temporary data directory unless `BENCH_DATABASE_URL` names
//! another (it must exist; the bot migrates it). `CUECARD_LOAD_CSV=FILE` also writes every
//! interaction (ms since the start, kind, latency in ms) to FILE, to see when slow ones happened. The bot logs to a file in that directory, shown
//! when something goes wrong. It exits non-zero when an interaction was lost or answered twice,
//! when the bot replied with an error, or when it used a route the fake does not know. This
//! measures speed; nothing in the test suite asserts on time. `cargo test --benches` runs it as
//! a no-op, like criterion benches.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cuecard_core::Card;
use fakediscord::{FakeDiscord, Interaction, User};
use serde_json::{Value, json};

/// Simulated users, each with an open question most of the time.
const USERS: u64 = 100;
/// An interaction with no callback after this long is lost.
const LOST_AFTER: Duration = Duration::from_secs(10);
/// How long the bot may take to start, build its index and register its commands.
const STARTUP: Duration = Duration::from_secs(120);

/// What a user does, in order, again and again.
const SCRIPT: [Kind; 9] = [
    Kind::Ask,
    Kind::Lookup,
    Kind::Answer,
    Kind::Stats,
    Kind::Ask,
    Kind::Autocomplete,
    Kind::Press,
    Kind::Submit,
    Kind::Leaderboard,
];

const LOOKUPS: [&str; 8] = [
    "canary deployment",
    "security group nacl",
    "terraform state lock",
    "kubernetes pod eviction",
    "docker layer cache",
    "dns ttl",
    "load balancer health check",
    "blue green",
];

const TYPED: [&str; 6] = ["can", "terra", "kube", "dock", "sec", "ci"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Ask,
    Answer,
    Press,
    Submit,
    Autocomplete,
    Lookup,
    Leaderboard,
    Stats,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Ask => "/ask",
            Kind::Answer => "/answer text",
            Kind::Press => "Answer button",
            Kind::Submit => "modal submit",
            Kind::Autocomplete => "autocomplete",
            Kind::Lookup => "/lookup",
            Kind::Leaderboard => "/leaderboard",
            Kind::Stats => "/stats",
        }
    }
}

/// The kind's name in the CSV file.
fn kind_slug(kind: Kind) -> String {
    format!("{kind:?}").to_lowercase()
}

/// Where one simulated user is in the script.
#[derive(Default)]
struct Player {
    step: usize,
    /// Waiting for a reply the next step needs (the question, or the modal).
    busy: bool,
    /// The question message, with its Answer button.
    question: Option<Value>,
    /// The answer modal's custom id and the card it is for, after the button was pressed.
    modal: Option<(String, String)>,
}

/// One injected interaction.
struct Sent {
    kind: Kind,
    id: String,
    at: Instant,
}

struct Settings {
    rate: f64,
    seconds: u64,
    database: Option<String>,
    csv: Option<String>,
}

impl Settings {
    fn from_env() -> Self {
        let number = |name: &str, default: f64| {
            std::env::var(name).ok().map_or(default, |v| {
                v.parse().unwrap_or_else(|_| panic!("{name}={v} is not a number"))
            })
        };
        Self {
            rate: number("CUECARD_LOAD_RATE", 200.0),
            seconds: number("CUECARD_LOAD_SECONDS", 60.0) as u64,
            database: std::env::var("BENCH_DATABASE_URL").ok().filter(|v| !v.is_empty()),
            csv: std::env::var("CUECARD_LOAD_CSV").ok().filter(|v| !v.is_empty()),
        }
    }
}

/// The bot process, killed on drop.
struct Bot {
    child: Child,
    log: std::path::PathBuf,
}

impl Bot {
    fn start(fake: &FakeDiscord, data: &std::path::Path, database: Option<&str>) -> Self {
        let log = data.join("bot.log");
        let stderr = std::fs::File::create(&log).expect("create the bot's log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_cuecard"));
        if let Some(url) = database {
            command.args(["--database", url]);
        }
        let child = command
            .args(["serve", "--guild", &fakediscord::GUILD_ID.to_string()])
            .env("DISCORD_TOKEN", fakediscord::TOKEN)
            .env("DISCORD_API_BASE", fake.api_base())
            .env("CUECARD_DATA_DIR", data)
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("cuecard serve starts");
        Self { child, log }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The bot's memory and CPU time, from /proc.
#[derive(Debug, Clone, Copy, Default)]
struct Usage {
    rss_kib: u64,
    hwm_kib: u64,
    /// VmRSS split: private heap and stacks, and pages of mapped files.
    anon_kib: u64,
    file_kib: u64,
    /// Proportional set size (`/proc/PID/smaps_rollup`): a page mapped several times counts
    /// once. Each SQLite connection maps the database file, and VmRSS counts every mapping, so
    /// VmRSS can grow past the file's size while Pss does not; 0 where the kernel lacks the file.
    pss_kib: u64,
    cpu: Duration,
    /// Time the bot's threads spent runnable but waiting for a CPU (all threads alive now).
    waited: Duration,
}

impl Usage {
    fn read(pid: u32) -> Option<Self> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name (which may hold spaces): utime and stime are 14 and 15,
        // in USER_HZ ticks, which Linux fixes at 100 a second.
        let after = stat.rsplit_once(')')?.1;
        let ticks: u64 = after
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|v| v.parse::<u64>().ok())
            .sum();
        // Each thread's schedstat: time on a CPU, time waiting in a run queue (ns), slices.
        let waited_ns: u64 = std::fs::read_dir(format!("/proc/{pid}/task"))
            .ok()?
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok())
            .filter_map(|stat| stat.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        let pss_kib = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
            .ok()
            .and_then(|rollup| {
                rollup
                    .lines()
                    .find_map(|l| l.strip_prefix("Pss:"))
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
            })
            .unwrap_or_default();
        Some(Self {
            rss_kib: field("VmRSS:")?,
            hwm_kib: field("VmHWM:")?,
            anon_kib: field("RssAnon:").unwrap_or_default(),
            file_kib: field("RssFile:").unwrap_or_default(),
            pss_kib,
            cpu: Duration::from_millis(ticks * 10),
            waited: Duration::from_nanos(waited_ns),
        })
    }
}

/// The machine's CPU pressure so far: how long some task waited for a CPU (Linux PSI).
fn cpu_pressure() -> Option<Duration> {
    let psi = std::fs::read_to_string("/proc/pressure/cpu").ok()?;
    let total = psi
        .lines()
        .next()?
        .split_whitespace()
        .find_map(|f| f.strip_prefix("total="))?;
    Some(Duration::from_micros(total.parse().ok()?))
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The card id in a question embed's footer ("card 0123456789ab · ...").
fn card_of(message: &Value) -> Option<String> {
    let footer = message["embeds"][0]["footer"]["text"].as_str()?;
    Some(footer.strip_prefix("card ")?.split(' ').next()?.to_owned())
}

/// What a user types: all, half or none of the key points, depending on the user.
fn text_answer(card: Option<&Card>, user: u64) -> String {
    let Some(card) = card else {
        return "I am not sure, something about redundancy".to_owned();
    };
    let keep = match user % 3 {
        0 => card.key_points.len(),
        1 => card.key_points.len().div_ceil(2),
        _ => 0,
    };
    let points: Vec<String> = card
        .key_points
        .iter()
        .take(keep)
        .map(ToString::to_string)
        .collect();
    if points.is_empty() {
        "no idea, sorry".to_owned()
    } else {
        points.join(". ")
    }
}

/// The load generator's shared view: the fake, the script state of every user, what was sent.
struct Load {
    fake: FakeDiscord,
    users: Vec<User>,
    players: Vec<Mutex<Player>>,
    cards: HashMap<String, Card>,
    sent: Mutex<Vec<Sent>>,
    /// Ticks where a user was still waiting for a reply, so it looked something up instead.
    substituted: std::sync::atomic::AtomicU64,
}

impl Load {
    fn new(fake: FakeDiscord) -> Self {
        let cards = cuecard_sheet::bundled()
            .cards
            .into_iter()
            .map(|c| (c.id.as_str().to_owned(), c))
            .collect();
        Self {
            fake,
            users: (0..USERS)
                .map(|n| User::new(900_000 + n, &format!("load{n}")))
                .collect(),
            // Each user starts at another point of the script, so that kinds mix at every instant.
            players: (0..USERS)
                .map(|n| {
                    Mutex::new(Player {
                        step: n as usize % SCRIPT.len(),
                        ..Player::default()
                    })
                })
                .collect(),
            cards,
            sent: Mutex::new(Vec::new()),
            substituted: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn record(&self, kind: Kind, at: Instant, interaction: &Interaction) {
        lock(&self.sent).push(Sent {
            kind,
            id: interaction.id.clone(),
            at,
        });
    }

    fn lookup(&self, user: &User, n: u64) -> (Kind, Interaction) {
        let query = LOOKUPS[(n % LOOKUPS.len() as u64) as usize];
        let options = json!([{"type": 3, "name": "query", "value": query}]);
        (Kind::Lookup, self.fake.slash(user, "lookup", &options))
    }

    /// Sends user `u`'s next interaction (tick `n`), and waits for the reply when the script
    /// needs it.
    async fn tick(self: Arc<Self>, u: usize, n: u64) {
        let user = &self.users[u];
        let at = Instant::now();
        let (kind, interaction, wait) = {
            let mut player = lock(&self.players[u]);
            if player.busy {
                drop(player);
                self.substituted
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (kind, interaction) = self.lookup(user, n);
                self.record(kind, at, &interaction);
                return;
            }
            let mut kind = SCRIPT[player.step % SCRIPT.len()];
            let ready = match kind {
                Kind::Answer | Kind::Press => player.question.is_some(),
                Kind::Submit => player.modal.is_some(),
                _ => true,
            };
            if !ready {
                // An earlier step failed (and is counted as lost): start the script over.
                player.step = 0;
                kind = Kind::Ask;
            }
            player.step += 1;
            let (interaction, wait) = match kind {
                Kind::Ask => {
                    player.busy = true;
                    (self.fake.slash(user, "ask", &json!([])), true)
                }
                Kind::Answer => {
                    let question = player.question.take().unwrap_or_default();
                    let card = card_of(&question).and_then(|id| self.cards.get(&id));
                    let options = json!([{"type": 3, "name": "text", "value": text_answer(card, user.id)}]);
                    (self.fake.slash(user, "answer", &options), false)
                }
                Kind::Press => {
                    let question = player.question.take().unwrap_or_default();
                    let button = question["components"][0]["components"][0]["custom_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    player.busy = true;
                    player.modal = card_of(&question).map(|card| (String::new(), card));
                    (self.fake.press_button(user, &question, &button), true)
                }
                Kind::Submit => {
                    let (modal, card) = player.modal.take().unwrap_or_default();
                    let answer = self
                        .cards
                        .get(&card)
                        .map_or_else(|| "a long answer".to_owned(), |c| c.answer.clone());
                    (
                        self.fake.submit_modal(user, &modal, &[("answer", &answer)]),
                        false,
                    )
                }
                Kind::Autocomplete => {
                    let typed = TYPED[(n % TYPED.len() as u64) as usize];
                    let options = json!([{"type": 3, "name": "query", "value": typed, "focused": true}]);
                    (self.fake.autocomplete(user, "lookup", &options), false)
                }
                Kind::Lookup => (self.lookup(user, n).1, false),
                Kind::Leaderboard => {
                    let options = if n.is_multiple_of(2) {
                        json!([])
                    } else {
                        // poise sends choices as their index: 2 is "all time".
                        json!([{"type": 4, "name": "period", "value": 2}])
                    };
                    (self.fake.slash(user, "leaderboard", &options), false)
                }
                Kind::Stats => (self.fake.slash(user, "stats", &json!([])), false),
            };
            (kind, interaction, wait)
        };
        self.record(kind, at, &interaction);
        if !wait {
            return;
        }
        // The reply arrives at most LOST_AFTER later; a lost one leaves the user to start over.
        match kind {
            Kind::Ask => {
                let reply = self.fake.wait_reply(&interaction, LOST_AFTER).await.ok();
                let mut player = lock(&self.players[u]);
                player.question = reply.filter(|r| card_of(r).is_some());
                player.busy = false;
            }
            Kind::Press => {
                let modal = self.fake.wait_callback(&interaction, LOST_AFTER).await.ok();
                let mut player = lock(&self.players[u]);
                let custom_id = modal
                    .filter(|m| m["type"] == 9)
                    .and_then(|m| m["data"]["custom_id"].as_str().map(str::to_owned));
                player.modal = match (custom_id, player.modal.take()) {
                    (Some(id), Some((_, card))) => Some((id, card)),
                    _ => None,
                };
                player.busy = false;
            }
            _ => {}
        }
    }
}

/// Each interaction's callbacks: when they arrived, and whether one was an error reply.
fn callbacks(fake: &FakeDiscord) -> HashMap<String, (Vec<Instant>, bool)> {
    let mut found: HashMap<String, (Vec<Instant>, bool)> = HashMap::new();
    for request in fake.requests() {
        if request.method != "POST" {
            continue;
        }
        let segments: Vec<&str> = request.path.split('/').collect();
        if let ["", "interactions", id, _, "callback"] = segments.as_slice() {
            let entry = found.entry((*id).to_owned()).or_default();
            entry.0.push(request.at);
            entry.1 |= request.body.to_string().contains("Something went wrong");
        }
    }
    found
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn latency_row(name: &str, latencies: &mut [Duration]) {
    latencies.sort_unstable();
    println!(
        "  {name:<14} {:>7} {:>10} {:>10} {:>10} {:>10}",
        latencies.len(),
        ms(percentile(latencies, 0.5)),
        ms(percentile(latencies, 0.95)),
        ms(percentile(latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Walks one user through the script once, one interaction at a time, so the measured run does
/// not pay for first-use costs (page cache, the index's first searches).
async fn warm_up(load: &Arc<Load>) {
    for step in 0..SCRIPT.len() as u64 {
        Arc::clone(load).tick(0, step).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("discord_load: run with `cargo bench --bench discord_load`");
        return;
    }
    let settings = Settings::from_env();
    let data = tempfile::tempdir().expect("a temporary data directory");
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, data.path(), settings.database.as_deref());
    let started = Instant::now();
    if let Err(e) = async {
        fake.wait_ready(STARTUP).await?;
        fake.wait_commands(STARTUP).await
    }
    .await
    {
        eprintln!("the bot did not start: {e}\n--- bot log ---\n{}", bot.log_tail());
        std::process::exit(2);
    }
    let database = settings.database.as_deref().map_or("SQLite", |_| "Postgres");
    println!(
        "cuecard serve under load: {USERS} users, {} interactions/s for {} s, {database}, keyword grader",
        settings.rate, settings.seconds
    );
    println!(
        "  bot ready and commands registered in {:.1} s; load average before: {}",
        started.elapsed().as_secs_f64(),
        load_average()
    );

    let load = Arc::new(Load::new(fake));
    let pid = bot.pid();
    let samples: Arc<Mutex<Vec<Usage>>> = Arc::new(Mutex::new(Vec::new()));
    let sampling = {
        let samples = Arc::clone(&samples);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(1));
            loop {
                every.tick().await;
                if let Some(usage) = Usage::read(pid) {
                    lock(&samples).push(usage);
                }
            }
        })
    };
    warm_up(&load).await;
    lock(&load.sent).clear();
    lock(&samples).clear();
    let before = Usage::read(pid).unwrap_or_default();
    let pressure_before = cpu_pressure();

    // Open loop: the schedule does not wait for replies, so a slow bot meets the same load.
    let total = (settings.rate * settings.seconds as f64).round() as u64;
    let period = Duration::from_secs_f64(1.0 / settings.rate);
    let start = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..total {
        tokio::time::sleep_until(start + period.mul_f64(n as f64)).await;
        let load = Arc::clone(&load);
        tasks.spawn(load.tick((n % USERS) as usize, n));
    }
    let sending = start.elapsed();
    while tasks.join_next().await.is_some() {}

    // Until every interaction is answered, or the last one sent is lost.
    let deadline = Instant::now() + LOST_AFTER;
    while Instant::now() < deadline {
        let replies = callbacks(&load.fake);
        if lock(&load.sent).iter().all(|s| replies.contains_key(&s.id)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let after = Usage::read(pid).unwrap_or_default();
    let stalled = cpu_pressure()
        .zip(pressure_before)
        .map(|(after, before)| after.saturating_sub(before));
    let elapsed = start.elapsed();
    sampling.abort();

    let replies = callbacks(&load.fake);
    let sent = std::mem::take(&mut *lock(&load.sent));
    let (mut lost, mut duplicated, mut errors) = (0, 0, 0);
    let mut all = Vec::new();
    let mut by_kind: HashMap<Kind, Vec<Duration>> = HashMap::new();
    let mut csv = String::from("sent_ms,kind,latency_ms\n");
    for s in &sent {
        let Some((arrivals, error)) = replies.get(&s.id) else {
            lost += 1;
            continue;
        };
        let latency = arrivals[0].saturating_duration_since(s.at);
        if latency > LOST_AFTER {
            lost += 1;
            continue;
        }
        let _ = writeln!(
            csv,
            "{:.3},{},{:.3}",
            (s.at - start.into_std()).as_secs_f64() * 1000.0,
            kind_slug(s.kind),
            latency.as_secs_f64() * 1000.0
        );
        duplicated += usize::from(arrivals.len() > 1);
        errors += usize::from(*error);
        all.push(latency);
        by_kind.entry(s.kind).or_default().push(latency);
    }
    let unexpected = load.fake.unexpected();
    if let Some(path) = &settings.csv {
        std::fs::write(path, csv).unwrap_or_else(|e| panic!("writing {path}: {e}"));
    }

    println!(
        "  sent {} in {:.1} s ({:.1}/s achieved); answered {}; lost {lost}; duplicated {duplicated}; \
         error replies {errors}; busy users who looked something up instead {}",
        sent.len(),
        sending.as_secs_f64(),
        sent.len() as f64 / sending.as_secs_f64(),
        all.len(),
        load.substituted.load(std::sync::atomic::Ordering::Relaxed),
    );
    println!("  reply latency (dispatch sent -> callback received):");
    println!(
        "  {:<14} {:>7} {:>10} {:>10} {:>10} {:>10}",
        "kind", "count", "median", "p95", "p99", "max"
    );
    latency_row("all", &mut all);
    let mut kinds: Vec<_> = by_kind.into_iter().collect();
    kinds.sort_by_key(|(k, _)| *k);
    for (kind, mut latencies) in kinds {
        latency_row(kind.name(), &mut latencies);
    }

    let samples = lock(&samples).clone();
    let peak = samples.iter().map(|s| s.rss_kib).max().unwrap_or_default();
    let tenth = (samples.len() / 10).max(1);
    let average = |s: &[Usage]| s.iter().map(|u| u.rss_kib).sum::<u64>() / s.len().max(1) as u64;
    let (early, late) = (
        average(&samples[..tenth.min(samples.len())]),
        average(&samples[samples.len().saturating_sub(tenth)..]),
    );
    let trend = if late > early + early / 10 {
        "growing"
    } else {
        "flat"
    };
    println!(
        "  bot memory (VmRSS): start {}, peak {} (VmHWM {}), end {}; first tenth of the run \
         averages {}, last tenth {}: {trend}",
        mib(before.rss_kib),
        mib(peak),
        mib(after.hwm_kib),
        mib(after.rss_kib),
        mib(early),
        mib(late),
    );
    let peak_of = |f: fn(&Usage) -> u64| samples.iter().map(f).max().unwrap_or_default();
    println!(
        "  bot memory by kind: anonymous (RssAnon) start {}, peak {}, end {}; file-backed \
         (RssFile) start {}, peak {}, end {}; Pss (shared pages counted once) start {}, peak {}, \
         end {}",
        mib(before.anon_kib),
        mib(peak_of(|u| u.anon_kib)),
        mib(after.anon_kib),
        mib(before.file_kib),
        mib(peak_of(|u| u.file_kib)),
        mib(after.file_kib),
        mib(before.pss_kib),
        mib(peak_of(|u| u.pss_kib)),
        mib(after.pss_kib),
    );
    let series: Vec<String> = samples
        .iter()
        .step_by(10)
        .map(|s| format!("{:.1}", s.rss_kib as f64 / 1024.0))
        .collect();
    println!("  bot VmRSS every 10 s (MiB): {}", series.join(", "));
    let cpu = after.cpu.saturating_sub(before.cpu);
    println!(
        "  bot CPU: {:.1} s over the run ({:.0}% of one core); its threads waited {:.1} s for a CPU",
        cpu.as_secs_f64(),
        100.0 * cpu.as_secs_f64() / elapsed.as_secs_f64(),
        after.waited.saturating_sub(before.waited).as_secs_f64(),
    );
    println!(
        "  the machine: some task waited for a CPU {} of the run (PSI); load average after: {}",
        stalled.map_or_else(
            || "an unknown share".to_owned(),
            |s| format!("{:.0}%", 100.0 * s.as_secs_f64() / elapsed.as_secs_f64())
        ),
        load_average()
    );
    let failed = lost > 0 || duplicated > 0 || errors > 0 || !unexpected.is_empty();
    if failed {
        eprintln!(
            "FAILED: lost {lost}, duplicated {duplicated}, error replies {errors}, unexpected routes {unexpected:?}\n--- bot log ---\n{}",
            bot.log_tail()
        );
        drop(bot);
        std::process::exit(1);
    }
}
