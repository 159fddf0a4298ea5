//! Running the bot for real: configuration errors that name the bad key, the metrics and health
//! listener during a run, readiness following the database, the token kept out of logs at every
//! level, two processes splitting the shards over one Postgres, and `/sheet upload`.
//!
//! The Postgres tests use the server `TEST_DATABASE_URL` names (CI sets it), each in a database
//! of its own; without that variable they say so and pass.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fakediscord::{FakeDiscord, User};
use serde_json::{Value, json};
use sqlx::Connection;

const WAIT: Duration = Duration::from_secs(60);
/// A token no library would print by accident, so finding it in the logs means it leaked.
const TOKEN: &str = "cuecard-e2e-token.Xq7Zp9Lm2Rk4";

/// A `cuecard serve` process, its stderr captured.
struct Serve {
    child: Child,
    stderr: Arc<Mutex<String>>,
    data: tempfile::TempDir,
    metrics: Option<String>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- cuecard serve stderr ---\n{}", self.stderr());
        }
    }
}

/// A free loopback port (taken and released: the bot binds it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Serve {
    fn start(fake: &FakeDiscord, args: &[&str], env: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let metrics = format!("127.0.0.1:{port}");
        let mut command = Command::new(env!("CARGO_BIN_EXE_cuecard"));
        command
            .args(["serve", "--guild", &fakediscord::GUILD_ID.to_string()])
            .args(["--metrics-addr", &metrics])
            .args(args)
            .env("DISCORD_TOKEN", TOKEN)
            .env("DISCORD_API_BASE", fake.api_base())
            .env("CUECARD_DATA_DIR", data.path())
            .env_remove("DATABASE_URL")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("cuecard serve starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buffer = [0_u8; 8192];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Self {
            child,
            stderr,
            data,
            metrics: Some(metrics),
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn get(&self, path: &str) -> (u16, String) {
        http_get(self.metrics.as_deref().unwrap(), path)
    }

    /// Polls `path` until `done` holds for its (status, body), or fails the test.
    async fn wait_for(&self, path: &str, what: &str, done: impl Fn(u16, &str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let (status, body) = self.get(path);
            if done(status, &body) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: last {path} was {status}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The `interaction handled` lines of a JSON log: (span, fields).
    fn handled(&self) -> Vec<(Value, Value)> {
        self.stderr()
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|line| line["fields"]["message"] == "interaction handled")
            .map(|line| (line["span"].clone(), line["fields"].clone()))
            .collect()
    }
}

/// A plain HTTP/1.1 GET: (status, body); (0, error) when nothing listens yet.
fn http_get(addr: &str, path: &str) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return (0, "connection refused".to_owned());
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return (0, "write failed".to_owned());
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    (status, body)
}

/// The value of the first sample of `metric` whose labels include all of `labels`.
fn sample(metrics: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.strip_prefix(metric)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

async fn command_in(fake: &FakeDiscord, guild: u64, user: &User, name: &str, options: Value) -> Value {
    let interaction = fake.slash_in(user, Some(guild), fakediscord::CHANNEL_ID, name, &options);
    fake.wait_reply(&interaction, WAIT).await.unwrap()
}

/// Asks a question in `guild` and answers it with its own key points.
async fn ask_and_answer(fake: &FakeDiscord, guild: u64, user: &User) -> Value {
    let question = command_in(fake, guild, user, "ask", json!([])).await;
    let footer = question["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap_or_default();
    let id = footer
        .trim_start_matches("card ")
        .split(' ')
        .next()
        .unwrap_or_default();
    let card = cuecard_sheet::bundled()
        .cards
        .into_iter()
        .find(|c| c.id.as_str() == id)
        .unwrap_or_else(|| panic!("no card in {question}"));
    let text: Vec<String> = card.key_points.iter().map(ToString::to_string).collect();
    command_in(
        fake,
        guild,
        user,
        "answer",
        json!([{"type": 3, "name": "text", "value": text.join(". ")}]),
    )
    .await
}

/// A Postgres database of its own on the `TEST_DATABASE_URL` server; dropped by [`Pg::drop_db`].
pub(crate) struct Pg {
    admin: sqlx::PgConnection,
    name: String,
    pub(crate) url: String,
}

static NEXT_DATABASE: AtomicU32 = AtomicU32::new(0);

impl Pg {
    pub(crate) async fn create() -> Option<Self> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            eprintln!("note: TEST_DATABASE_URL is not set; skipping this Postgres test");
            return None;
        };
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        let name = format!(
            "cuecard_ops_{}_{}_{}",
            std::process::id(),
            NEXT_DATABASE.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis())
        );
        Self::execute(&mut admin, &format!("CREATE DATABASE {name}")).await;
        let base = admin_url.split('?').next().unwrap_or(&admin_url);
        let server = &base[..base
            .rfind('/')
            .filter(|i| *i > "postgres://".len())
            .unwrap_or(base.len())];
        let url = format!("{server}/{name}");
        Some(Self { admin, name, url })
    }

    async fn execute(admin: &mut sqlx::PgConnection, sql: &str) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(admin)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Refuses new connections and ends the open ones: the database is gone for the bot.
    async fn take_away(&mut self) {
        let name = self.name.clone();
        Self::execute(
            &mut self.admin,
            &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"),
        )
        .await;
        Self::execute(
            &mut self.admin,
            &format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"),
        )
        .await;
    }

    async fn give_back(&mut self) {
        let name = self.name.clone();
        Self::execute(
            &mut self.admin,
            &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"),
        )
        .await;
    }

    pub(crate) async fn drop_db(mut self) {
        let name = self.name.clone();
        Self::execute(
            &mut self.admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
    }
}

#[test]
fn a_bad_config_value_stops_start_up_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cuecard"));
        command
            .args(args)
            .env("CUECARD_DATA_DIR", dir.path())
            .env("DISCORD_TOKEN", TOKEN)
            .env_remove("DATABASE_URL");
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, _, stderr) = run(&["serve"], &[("CUECARD_METRICS_ADDR", "not-an-address")]);
    assert_eq!(code, Some(78), "{stderr}");
    assert!(
        stderr.contains("CUECARD_METRICS_ADDR") && stderr.contains("not-an-address"),
        "{stderr}"
    );

    let file = dir.path().join("cuecard.toml");
    std::fs::write(&file, "[discord]\nshards = \"0-9\"\ntotal_shards = 4\n").unwrap();
    let config = file.to_str().unwrap();
    let (code, _, stderr) = run(&["--config", config, "serve"], &[]);
    assert_eq!(code, Some(78), "{stderr}");
    assert!(
        stderr.contains("discord.shards in") && stderr.contains("0-9"),
        "{stderr}"
    );

    std::fs::write(&file, "[metrics]\nadress = \"127.0.0.1:1\"\n").unwrap();
    let (code, _, stderr) = run(&["--config", config, "config", "check"], &[]);
    assert_eq!(code, Some(78), "{stderr}");
    assert!(stderr.contains("metrics.adress"), "{stderr}");

    std::fs::write(&file, format!("[discord]\ntoken = \"{TOKEN}\"\n")).unwrap();
    let (code, stdout, stderr) = run(&["--config", config, "config", "check"], &[]);
    assert_eq!(code, Some(78), "{stderr}");
    assert!(
        stderr.contains("discord.token") && stderr.contains("DISCORD_TOKEN"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(TOKEN) && !stdout.contains(TOKEN),
        "the token is never echoed"
    );

    // A good file: checked and shown, the token masked, each value with where it came from.
    std::fs::write(
        &file,
        "[metrics]\naddr = \"127.0.0.1:9184\"\n[log]\nformat = \"json\"\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(
        &["--config", config, "config", "check"],
        &[("CUECARD_LOG_FORMAT", "text")],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("discord.token = <secret: set>"), "{stdout}");
    assert!(!stdout.contains(TOKEN), "{stdout}");
    assert!(stdout.contains("metrics.addr = \"127.0.0.1:9184\""), "{stdout}");
    assert!(
        stdout.contains("log.format = \"text\"") && stdout.contains("CUECARD_LOG_FORMAT"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_the_interactions_of_the_run_and_logs_carry_their_spans() {
    let fake = FakeDiscord::start().await;
    let bot = Serve::start(&fake, &["--log-format", "json"], &[]);
    fake.wait_ready(WAIT).await.unwrap();
    fake.wait_commands(WAIT).await.unwrap();
    bot.wait_for("/healthz", "/healthz", |status, _| status == 200)
        .await;
    bot.wait_for("/readyz", "readiness", |status, _| status == 200)
        .await;

    let alice = User::new(601, "alice");
    let topics = command_in(&fake, fakediscord::GUILD_ID, &alice, "topics", json!([])).await;
    assert!(topics["embeds"].to_string().contains("TERRAFORM"));
    let graded = ask_and_answer(&fake, fakediscord::GUILD_ID, &alice).await;
    assert!(
        graded["embeds"][0]["title"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Score"),
        "{graded}"
    );

    // The reply reaches Discord a moment before the bot finishes with the interaction.
    let metrics = bot
        .wait_for("/metrics", "the answer counted", |_, body| {
            sample(body, "cuecard_interactions_total", &["command=\"answer\""]).is_some()
        })
        .await;
    let count = |command: &str| {
        sample(
            &metrics,
            "cuecard_interactions_total",
            &[
                "kind=\"command\"",
                &format!("command=\"{command}\""),
                "outcome=\"ok\"",
            ],
        )
    };
    assert_eq!(count("topics"), Some(1.0), "{metrics}");
    assert_eq!(count("ask"), Some(1.0), "{metrics}");
    assert_eq!(count("answer"), Some(1.0), "{metrics}");
    assert_eq!(
        sample(
            &metrics,
            "cuecard_grading_duration_seconds_count",
            &["grader=\"keyword\""]
        ),
        Some(1.0),
        "{metrics}"
    );
    assert!(
        sample(
            &metrics,
            "cuecard_database_query_duration_seconds_count",
            &["statement=\"insert\""]
        )
        .is_some_and(|n| n >= 1.0),
        "{metrics}"
    );
    assert!(
        sample(
            &metrics,
            "cuecard_interaction_duration_seconds_count",
            &["command=\"answer\""]
        )
        .is_some(),
        "{metrics}"
    );
    for declared in [
        "cuecard_daily_drops_posted_total",
        "cuecard_daily_drops_missed_total",
        "cuecard_llm_fallbacks_total",
    ] {
        assert_eq!(
            sample(&metrics, declared, &[]),
            Some(0.0),
            "{declared}: {metrics}"
        );
    }

    // One JSON line per interaction, its span naming guild, user and command, with a latency.
    let handled = bot.handled();
    let answer = handled
        .iter()
        .find(|(span, _)| span["command"] == "answer")
        .unwrap_or_else(|| panic!("no handled answer in {handled:?}"));
    assert_eq!(answer.0["guild"], json!(fakediscord::GUILD_ID), "{answer:?}");
    assert_eq!(answer.0["user"], json!(601), "{answer:?}");
    assert_eq!(answer.1["outcome"], "ok");
    assert!(answer.1["latency_ms"].is_u64(), "{answer:?}");
    let log = bot.stderr();
    assert!(
        !log.contains("TERRAFORM"),
        "no sheet or answer text at info level"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_never_appears_in_the_logs_even_at_trace_level() {
    let fake = FakeDiscord::start().await;
    let bot = Serve::start(&fake, &[], &[("RUST_LOG", "trace")]);
    fake.wait_ready(WAIT).await.unwrap();
    fake.wait_commands(WAIT).await.unwrap();
    let alice = User::new(701, "alice");
    ask_and_answer(&fake, fakediscord::GUILD_ID, &alice).await;
    // A dropped session makes the bot identify again, sending the token once more.
    fake.drop_gateway(true);
    command_in(&fake, fakediscord::GUILD_ID, &alice, "topics", json!([])).await;
    assert!(fake.identify_count() >= 2);
    let log = bot.stderr();
    assert!(
        log.matches("TRACE").count() > 100,
        "the log is at trace level: {} bytes",
        log.len()
    );
    assert!(!log.contains(TOKEN), "the token leaked into the log");
    let metrics = bot.get("/metrics").1;
    assert!(
        sample(&metrics, "cuecard_gateway_reconnects_total", &["shard=\"0\""]).is_some_and(|n| n >= 1.0),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_database() {
    let Some(mut pg) = Pg::create().await else {
        return;
    };
    let fake = FakeDiscord::start().await;
    let bot = Serve::start(&fake, &[], &[("DATABASE_URL", &pg.url)]);
    fake.wait_ready(WAIT).await.unwrap();
    bot.wait_for("/readyz", "readiness", |status, _| status == 200)
        .await;

    pg.take_away().await;
    let body = bot
        .wait_for("/readyz", "unreadiness", |status, _| status == 503)
        .await;
    assert!(body.contains("database: unreachable"), "{body}");
    assert!(body.contains("gateway: 1/1"), "the gateway is still fine: {body}");
    assert_eq!(bot.get("/healthz").0, 200, "alive though not ready");
    let metrics = bot.get("/metrics").1;
    assert_eq!(
        sample(&metrics, "cuecard_database_up", &[]),
        Some(0.0),
        "{metrics}"
    );

    pg.give_back().await;
    bot.wait_for("/readyz", "readiness again", |status, _| status == 200)
        .await;
    let alice = User::new(801, "alice");
    let graded = ask_and_answer(&fake, fakediscord::GUILD_ID, &alice).await;
    assert!(
        graded["embeds"][0]["title"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Score"),
        "{graded}"
    );
    drop(bot);
    pg.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_split_the_shards_and_share_one_leaderboard() {
    let Some(pg) = Pg::create().await else {
        return;
    };
    let fake = FakeDiscord::start().await;
    let json_logs = [("DATABASE_URL", pg.url.as_str()), ("CUECARD_LOG_FORMAT", "json")];
    let first = Serve::start(&fake, &["--shards", "0-0", "--total-shards", "2"], &json_logs);
    let second = Serve::start(&fake, &["--shards", "1", "--total-shards", "2"], &json_logs);
    fake.wait_shards(&[[0, 2], [1, 2]], WAIT).await.unwrap();
    fake.wait_commands(WAIT).await.unwrap();
    first
        .wait_for("/readyz", "the first process", |s, _| s == 200)
        .await;
    second
        .wait_for("/readyz", "the second process", |s, _| s == 200)
        .await;

    // Two servers, one on each shard.
    let guilds: Vec<u64> = [fakediscord::GUILD_ID, fakediscord::GUILD_ID + (1 << 22)]
        .into_iter()
        .collect();
    assert_eq!(
        fakediscord::shard_of(guilds[0], 2) + fakediscord::shard_of(guilds[1], 2),
        1
    );
    let (on_first, on_second) = if fakediscord::shard_of(guilds[0], 2) == 0 {
        (guilds[0], guilds[1])
    } else {
        (guilds[1], guilds[0])
    };
    let ann = User::new(901, "ann");
    let bob = User::new(902, "bob");
    ask_and_answer(&fake, on_first, &ann).await;
    ask_and_answer(&fake, on_second, &bob).await;

    let handled_guilds = |serve: &Serve| -> Vec<u64> {
        serve
            .handled()
            .iter()
            .filter_map(|(span, _)| span["guild"].as_u64())
            .collect()
    };
    let by_first = handled_guilds(&first);
    let by_second = handled_guilds(&second);
    assert!(
        !by_first.is_empty() && by_first.iter().all(|g| *g == on_first),
        "{by_first:?}"
    );
    assert!(
        !by_second.is_empty() && by_second.iter().all(|g| *g == on_second),
        "{by_second:?}"
    );

    // The global board, asked on either shard, counts both answers.
    for guild in [on_first, on_second] {
        let board = command_in(
            &fake,
            guild,
            &ann,
            "leaderboard",
            json!([{"type": 4, "name": "scope", "value": 1}]),
        )
        .await;
        let text = board["embeds"][0]["description"].as_str().unwrap_or_default();
        assert!(text.contains("<@901>") && text.contains("<@902>"), "{board}");
    }
    drop(first);
    drop(second);
    pg.drop_db().await;
}

const BROKEN_SHEET: &str =
    "## Linux\n\n| Question | Key Points |\n|---|---|\n| Disk full? |\n| Slow box? |   |\n";
const NEW_SHEET: &str = "# Team sheet\n\n## Kubernetes Basics\n\n| Question | Key Points |\n|---|---|\n\
| What is a Pod? | Smallest deployable unit, one or more containers, shared network namespace |\n\
| What does a Deployment do? | Keeps replicas running, rolling updates, rollbacks |\n";

/// What the user finally sees of an upload: after a deferral, poise answers with a followup
/// (which Discord shows in place of the "thinking..." message).
async fn upload_reply(fake: &FakeDiscord, interaction: &fakediscord::Interaction) -> Value {
    let callback = fake.wait_callback(interaction, WAIT).await.unwrap();
    if callback["type"] == 5 {
        fake.wait_followup(interaction, 0, WAIT).await.unwrap()
    } else {
        fake.wait_reply(interaction, WAIT).await.unwrap()
    }
}

fn upload(fake: &FakeDiscord, user: &User, filename: &str, text: &str) -> fakediscord::Interaction {
    let attachment = fake.attachment(filename, text.as_bytes());
    let id = attachment["id"].as_str().unwrap().to_owned();
    fake.slash_resolved(
        user,
        "sheet",
        &json!([{"type": 1, "name": "upload", "options": [{"type": 11, "name": "file", "value": id}]}]),
        &json!({"attachments": {id.clone(): attachment}}),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_sheet_with_errors_is_refused_and_the_old_sheet_keeps_serving() {
    let fake = FakeDiscord::start().await;
    let guild = fakediscord::GUILD_ID.to_string();
    let bot = Serve::start(&fake, &[], &[("CUECARD_SHEET_UPLOAD_GUILDS", &guild)]);
    fake.wait_ready(WAIT).await.unwrap();
    fake.wait_commands(WAIT).await.unwrap();
    let admin = User::admin(1001, "admin");
    let member = User::new(1002, "member");

    let refused = upload(&fake, &member, "sheet.md", NEW_SHEET);
    let refused = fake.wait_reply(&refused, WAIT).await.unwrap();
    assert!(refused.to_string().contains("Only members with"), "{refused}");

    let broken = upload(&fake, &admin, "broken.md", BROKEN_SHEET);
    let broken = upload_reply(&fake, &broken).await;
    assert_eq!(broken["embeds"][0]["title"], "Sheet refused", "{broken}");
    let listed = broken["embeds"][0]["description"].as_str().unwrap_or_default();
    assert!(listed.contains("line 5") && listed.contains("line 6"), "{listed}");
    let topics = command_in(&fake, fakediscord::GUILD_ID, &member, "topics", json!([])).await;
    assert!(
        topics["embeds"].to_string().contains("TERRAFORM"),
        "the old sheet still serves"
    );
    assert!(!bot.data.path().join("uploaded-sheet.md").exists());

    let accepted = upload(&fake, &admin, "team.md", NEW_SHEET);
    let accepted = upload_reply(&fake, &accepted).await;
    assert_eq!(accepted["embeds"][0]["title"], "Sheet replaced", "{accepted}");
    let topics = command_in(&fake, fakediscord::GUILD_ID, &member, "topics", json!([])).await;
    let shown = topics["embeds"].to_string();
    assert!(
        shown.contains("KUBERNETES BASICS") || shown.contains("Kubernetes Basics"),
        "{shown}"
    );
    assert!(!shown.contains("TERRAFORM"), "{shown}");
    let question = command_in(&fake, fakediscord::GUILD_ID, &member, "ask", json!([])).await;
    assert!(
        question["embeds"].to_string().contains("Pod")
            || question["embeds"].to_string().contains("Deployment"),
        "{question}"
    );
    assert_eq!(
        std::fs::read_to_string(bot.data.path().join("uploaded-sheet.md")).unwrap(),
        NEW_SHEET,
        "kept for the next start"
    );
    let metrics = bot.get("/metrics").1;
    assert_eq!(
        sample(&metrics, "cuecard_sheet_uploads_total", &["outcome=\"refused\""]),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, "cuecard_sheet_uploads_total", &["outcome=\"accepted\""]),
        Some(1.0),
        "{metrics}"
    );
    assert!(fake.unexpected().is_empty(), "{:?}", fake.unexpected());
}
