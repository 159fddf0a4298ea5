//! Faults end to end (issue 11): the real bot against fakediscord while what it depends on
//! fails. An LLM endpoint that is down, slower than its timeout, answering 500s or garbage: every
//! answer still graded, labelled as the keyword fallback, recorded once. The database locked by
//! another writer (SQLite) or stopped and started again (a private Postgres cluster): a "try
//! again" reply, nothing written, the answer after recovery recorded, the bot still up; a
//! failure between an answer's two writes reported as saved, not as "try again". And a
//! SIGKILL in the middle of a burst of answers: after a restart every answer that got a grade is
//! in the database exactly once, and answers delivered again are not counted twice.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fakediscord::{Interaction, Recorded, User};
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::bot::{Bot, WAIT, card_of};

/// One row of `attempts`, as the tests compare it with what the users were told.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) user: i64,
    pub(crate) request_key: Option<String>,
    pub(crate) grader: String,
    pub(crate) score: f64,
}

/// Every attempt in the database at `url` (SQLite or Postgres), read over a connection of the
/// test's own.
pub(crate) async fn attempts(url: &str) -> Vec<Row> {
    const SQL: &str = "SELECT user_id, request_key, grader, score FROM attempts ORDER BY id";
    let rows: Vec<(i64, Option<String>, String, f64)> = if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        sqlx::query_as(SQL).fetch_all(&mut conn).await.unwrap()
    } else {
        let mut conn = sqlx::PgConnection::connect(url)
            .await
            .unwrap_or_else(|e| panic!("connect to the bot's Postgres: {e}"));
        sqlx::query_as(SQL).fetch_all(&mut conn).await.unwrap()
    };
    rows.into_iter()
        .map(|(user, request_key, grader, score)| Row {
            user,
            request_key,
            grader,
            score,
        })
        .collect()
}

/// The request key the bot records an answer under: its interaction.
fn key_of(interaction: &Interaction) -> String {
    format!("discord:{}", interaction.id)
}

fn footer(reply: &Value) -> String {
    reply["embeds"][0]["footer"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn is_grade(reply: &Value) -> bool {
    reply["embeds"][0]["title"]
        .as_str()
        .is_some_and(|t| t.starts_with("Score "))
}

/// The score a grade reply shows, in percent.
fn shown_score(reply: &Value) -> Option<f64> {
    reply["embeds"][0]["title"]
        .as_str()?
        .strip_prefix("Score ")?
        .trim_end_matches('%')
        .parse()
        .ok()
}

/// All the text of a reply, for "does it say ..." checks.
fn text_of(reply: &Value) -> String {
    format!("{} {}", reply["content"], reply["embeds"])
}

/// Presses a question's Answer button and returns the answer form's custom id.
async fn open_form(bot: &Bot, user: &User, question: &Value) -> String {
    let button = question["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let press = bot.fake.press_button(user, question, &button);
    let modal = bot.fake.wait_callback(&press, WAIT).await.unwrap();
    assert_eq!(modal["type"], 9, "the Answer button opens a form: {modal}");
    modal["data"]["custom_id"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------------------------------------
// The LLM endpoint

/// What the stand-in LLM endpoint does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Llm {
    /// A valid structured reply (every point "missing"): an LLM grade.
    Good,
    /// Answers, but long after the bot's one-second budget.
    Slow,
    /// HTTP 500.
    Failing,
    /// HTTP 200 with a body that is not JSON.
    NotJson,
    /// HTTP 200, a well-formed completion whose content ignores the schema (a "score").
    WrongShape,
    /// Not listening: connections are refused.
    Down,
}

/// An OpenAI-compatible chat-completions endpoint that fails on demand. Each response closes its
/// connection, so no pooled connection outlives [`LlmStandIn::shut_down`].
struct LlmStandIn {
    addr: SocketAddr,
    mode: Arc<Mutex<Llm>>,
    calls: Arc<Mutex<HashMap<Llm, usize>>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl LlmStandIn {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mode = Arc::new(Mutex::new(Llm::Good));
        let calls = Arc::new(Mutex::new(HashMap::new()));
        let (serving, counting) = (Arc::clone(&mode), Arc::clone(&calls));
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let mode = *serving.lock().unwrap();
                *counting.lock().unwrap().entry(mode).or_insert(0) += 1;
                tokio::spawn(respond(stream, mode));
            }
        });
        Self {
            addr,
            mode,
            calls,
            server: Some(server),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    fn set(&self, mode: Llm) {
        *self.mode.lock().unwrap() = mode;
    }

    fn calls(&self, mode: Llm) -> usize {
        self.calls.lock().unwrap().get(&mode).copied().unwrap_or(0)
    }

    /// Stops listening for good: from now on connections are refused.
    async fn shut_down(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
            // Cancelled once this returns: the listener has been dropped.
            let _ = server.await;
        }
    }
}

/// Reads one HTTP request and answers it as `mode` says.
async fn respond(mut stream: tokio::net::TcpStream, mode: Llm) {
    let mut request = Vec::new();
    let mut buffer = [0_u8; 8192];
    let body_start = loop {
        let Ok(n) = stream.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        request.extend_from_slice(&buffer[..n]);
        if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..body_start]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while request.len() < body_start + length {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let body: Value = serde_json::from_slice(&request[body_start..]).unwrap_or(Value::Null);
    let completion = |content: String| {
        json!({
            "id": "chatcmpl-standin", "object": "chat.completion", "model": "stand-in",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
        })
        .to_string()
    };
    let (status, reply) = match mode {
        Llm::Good => {
            let format = &body["response_format"];
            let points = format["json_schema"]["schema"]["required"]
                .as_array()
                .or_else(|| format["schema"]["required"].as_array())
                .cloned()
                .unwrap_or_default();
            let verdicts: serde_json::Map<String, Value> = points
                .iter()
                .filter_map(Value::as_str)
                .map(|id| (id.to_owned(), json!({"evidence": "", "verdict": "missing"})))
                .collect();
            ("200 OK", completion(Value::Object(verdicts).to_string()))
        }
        Llm::Slow => {
            // Far past the bot's budget; the bot hangs up long before.
            tokio::time::sleep(Duration::from_secs(30)).await;
            ("200 OK", completion("{}".to_owned()))
        }
        Llm::Failing => (
            "500 Internal Server Error",
            json!({"error": {"message": "the model crashed"}}).to_string(),
        ),
        Llm::NotJson => ("200 OK", "<html><body>502 Bad Gateway</body></html>".to_owned()),
        Llm::WrongShape => ("200 OK", completion(json!({"score": 1.0}).to_string())),
        Llm::Down => return,
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_llm_that_is_down_slow_failing_or_garbled_still_grades_every_answer_once() {
    let mut llm = LlmStandIn::start().await;
    let url = llm.url();
    let mut bot = Bot::start_with(&[
        ("CUECARD_LLM_URL", url.as_str()),
        ("CUECARD_LLM_MODEL", "stand-in"),
        ("CUECARD_LLM_TIMEOUT_SECS", "1"),
    ])
    .await;
    // A good reply between the faults resets the grader's circuit breaker (it pauses after three
    // failures in a row), so that each fault reaches the endpoint; the last case runs into it.
    let plan = [
        (Llm::Good, 1),
        (Llm::Slow, 2),
        (Llm::Good, 1),
        (Llm::Failing, 2),
        (Llm::Good, 1),
        (Llm::NotJson, 2),
        (Llm::Good, 1),
        (Llm::WrongShape, 2),
        (Llm::Good, 1),
        (Llm::Down, 4),
    ];
    let mut expected: HashMap<i64, (Llm, &str)> = HashMap::new();
    let mut n = 0_u64;
    for (mode, answers) in plan {
        if mode == Llm::Down {
            llm.shut_down().await;
        } else {
            llm.set(mode);
        }
        for _ in 0..answers {
            n += 1;
            // One user per answer: the LLM grading limit (six a minute) is not under test here.
            let user = User::new(7_000 + n, &format!("llm{n}"));
            let question = bot.command(&user, "ask", json!([])).await;
            let card = card_of(&question);
            // Each answer its own text, so that no grade comes from the grader's cache.
            let text = format!("{}; answer number {n}", card.key_points[0]);
            // Both ways of answering: the form, and `/answer`.
            let reply = if n.is_multiple_of(2) {
                bot.answer(&user, &question, &text).await
            } else {
                bot.command(
                    &user,
                    "answer",
                    json!([{"type": 3, "name": "text", "value": text}]),
                )
                .await
            };
            assert!(is_grade(&reply), "{mode:?}: no grade: {reply}");
            let footer = footer(&reply);
            let shown = text_of(&reply);
            if mode == Llm::Good {
                assert!(
                    footer.starts_with("LLM grader") && !shown.contains("could not grade"),
                    "{mode:?}: {reply}"
                );
                expected.insert(user.id.cast_signed(), (mode, "llm"));
            } else {
                assert!(
                    footer.contains("because the LLM grader failed"),
                    "{mode:?}: the fallback is not labelled: {reply}"
                );
                assert!(
                    shown.contains("The LLM grader could not grade this"),
                    "{mode:?}: the reason is not given: {reply}"
                );
                expected.insert(user.id.cast_signed(), (mode, "keyword_fallback"));
            }
        }
    }
    // The fourth refused connection in a row finds the breaker open: still a labelled grade.
    let paused = bot
        .fake
        .requests()
        .iter()
        .any(|r| r.body.to_string().contains("the LLM grader is paused"));
    assert!(paused, "the circuit breaker never opened");
    for mode in [Llm::Good, Llm::Slow, Llm::Failing, Llm::NotJson, Llm::WrongShape] {
        assert!(llm.calls(mode) > 0, "{mode:?} was never asked");
    }
    // A 500 is retried once, within the budget.
    assert!(llm.calls(Llm::Failing) >= 2, "{}", llm.calls(Llm::Failing));

    // Every answer recorded exactly once, under the grader its reply named.
    let rows = attempts(&bot.sqlite_url()).await;
    assert_eq!(rows.len(), expected.len(), "{rows:#?}");
    for row in &rows {
        let (mode, grader) = expected[&row.user];
        assert_eq!(row.grader, grader, "{mode:?}: {row:?}");
    }
    let users: HashSet<i64> = rows.iter().map(|r| r.user).collect();
    assert_eq!(users.len(), rows.len(), "an answer recorded twice: {rows:#?}");
    assert!(bot.is_running(), "the bot exited");
    assert!(!bot.stderr().contains("panicked"), "{}", bot.stderr());
    bot.assert_no_unexpected_routes();
}

// ---------------------------------------------------------------------------------------------
// The database

/// The first response to an interaction was a deferral ("thinking..."): the bot told Discord in
/// time that a reply would come, though the database held it up.
async fn assert_deferred(bot: &Bot, interaction: &Interaction) {
    let callback = bot.fake.wait_callback(interaction, WAIT).await.unwrap();
    assert_eq!(
        callback["type"], 5,
        "a reply held up by the database is deferred first: {callback}"
    );
}

fn assert_try_again(reply: &Value) {
    let text = text_of(reply);
    assert!(
        !is_grade(reply) && text.contains("nothing was saved") && text.contains("try again"),
        "not a clear try-again: {reply}"
    );
    assert_eq!(reply["flags"], json!(64), "the try-again is private: {reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_sqlite_database_gets_a_try_again_and_the_next_answer_is_recorded() {
    let mut bot = Bot::start().await;
    let ann = User::new(7_101, "ann");
    let ben = User::new(7_102, "ben");
    let ann_question = bot.command(&ann, "ask", json!([])).await;
    let ann_card = card_of(&ann_question);
    let form = open_form(&bot, &ann, &ann_question).await;
    let ben_card = card_of(&bot.command(&ben, "ask", json!([])).await);
    let hint = bot.command(&ben, "hint", json!([])).await;
    assert!(text_of(&hint).contains("Hint 1/"), "{hint}");

    // Another process holds the write lock until the bot has given up on both answers.
    let url = bot.sqlite_url();
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let ann_submit = bot
        .fake
        .submit_modal(&ann, &form, &[("answer", &ann_card.answer)]);
    let ben_answer = bot.fake.slash(
        &ben,
        "answer",
        &json!([{"type": 3, "name": "text", "value": ben_card.answer}]),
    );
    for interaction in [&ann_submit, &ben_answer] {
        assert_deferred(&bot, interaction).await;
        assert_try_again(&bot.fake.wait_reply(interaction, WAIT).await.unwrap());
    }
    let (written,): (i64,) = sqlx::query_as("SELECT count(*) FROM attempts")
        .fetch_one(&mut other)
        .await
        .unwrap();
    assert_eq!(written, 0, "nothing is half-written");
    sqlx::raw_sql("ROLLBACK").execute(&mut other).await.unwrap();
    drop(other);

    // Lock released: the same form again, and `/answer` again (the question stayed open, with
    // its hint), are both graded and recorded.
    let ann_again = bot
        .fake
        .submit_modal(&ann, &form, &[("answer", &ann_card.answer)]);
    let ann_reply = bot.fake.wait_reply(&ann_again, WAIT).await.unwrap();
    assert!(is_grade(&ann_reply), "{ann_reply}");
    let ben_reply = bot
        .command(
            &ben,
            "answer",
            json!([{"type": 3, "name": "text", "value": ben_card.answer}]),
        )
        .await;
    assert!(is_grade(&ben_reply), "{ben_reply}");
    assert!(text_of(&ben_reply).contains("1 hint taken"), "{ben_reply}");

    let rows = attempts(&url).await;
    let keys: Vec<Option<String>> = rows.iter().map(|r| r.request_key.clone()).collect();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(keys.contains(&Some(key_of(&ann_again))), "{rows:#?}");
    assert!(bot.is_running(), "the bot exited");
    assert!(!bot.stderr().contains("panicked"), "{}", bot.stderr());
    bot.assert_no_unexpected_routes();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_whose_review_cannot_be_written_is_reported_saved_and_its_repeat_schedules_it() {
    let bot = Bot::start().await;
    let url = bot.sqlite_url();
    let ann = User::new(7_151, "ann");
    let question = bot.command(&ann, "ask", json!([])).await;
    let card = card_of(&question);
    let form = open_form(&bot, &ann, &question).await;
    // The database fails between the answer's two writes: the attempt, then its review.
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(
        "CREATE TRIGGER fail_reviews BEFORE INSERT ON review_states \
         BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
    )
    .execute(&mut other)
    .await
    .unwrap();
    let submit = bot.fake.submit_modal(&ann, &form, &[("answer", &card.answer)]);
    let reply = bot.fake.wait_reply(&submit, WAIT).await.unwrap();
    // Not "nothing was saved, try again": that would be untrue, and a retry would count twice.
    assert!(is_grade(&reply), "{reply}");
    assert!(
        text_of(&reply).contains("Your answer is saved, but its next review could not be scheduled"),
        "{reply}"
    );
    assert_eq!(attempts(&url).await.len(), 1);

    // Once the database works again, the same submission delivered again is not recorded again,
    // and schedules the review that was missing.
    sqlx::raw_sql("DROP TRIGGER fail_reviews")
        .execute(&mut other)
        .await
        .unwrap();
    bot.fake.dispatch("INTERACTION_CREATE", submit.payload.clone());
    let id = submit.id.clone();
    bot.fake
        .wait_requests(WAIT, "the repeat answered", |requests| {
            (callback_counts(requests).get(&id).copied().unwrap_or(0) >= 2).then_some(())
        })
        .await
        .unwrap();
    let again = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with(&format!("/interactions/{id}/")))
        .nth(1)
        .map(|r| r.body["data"].clone())
        .unwrap();
    assert!(text_of(&again).contains("already answered"), "{again}");
    let rows = attempts(&url).await;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    let (reviews,): (i64,) = sqlx::query_as("SELECT count(*) FROM review_states WHERE user_id = $1")
        .bind(7_151_i64)
        .fetch_one(&mut other)
        .await
        .unwrap();
    assert_eq!(reviews, 1, "the repeat scheduled the missing review");
    bot.assert_no_unexpected_routes();
}

/// A Postgres cluster of the test's own, on a free port, that the test stops and starts. Run as
/// the `postgres` OS user (initdb refuses root). Stopped and removed on drop.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl PrivatePostgres {
    /// A fresh cluster, started; `None` (with a note) where the server binaries are missing.
    fn start() -> Option<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|v| v.path().join("bin"))
            .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
            .max();
        let Some(bin) = bin else {
            eprintln!(
                "SKIPPED: no initdb/pg_ctl under /usr/lib/postgresql; this test needs a Postgres server install"
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let owned = Command::new("chown")
            .args(["-R", "postgres:", dir.path().to_str().unwrap()])
            .status()
            .unwrap();
        assert!(owned.success(), "chown the cluster directory to postgres");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let cluster = Self { dir, bin, port };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.up();
        Some(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let output = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(tool))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("runuser {tool}: {e}"));
        let log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
        assert!(
            output.status.success(),
            "{tool} {args:?}: {}{}\n{log}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts the server and waits until it accepts connections.
    fn up(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let data = self.data();
        let log = self.dir.path().join("log").display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-o", &options, "-w", "start"],
        );
    }

    /// Stops the server (fast: open connections are ended) and waits until it is gone.
    fn down(&self) {
        let data = self.data();
        self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_and_restarted_gets_a_try_again_and_the_next_answer_is_recorded() {
    let Some(postgres) = PrivatePostgres::start() else {
        return;
    };
    let url = postgres.url();
    let mut bot = Bot::start_with(&[("DATABASE_URL", url.as_str())]).await;
    let ann = User::new(7_201, "ann");
    let ben = User::new(7_202, "ben");
    let cat = User::new(7_203, "cat");
    let before = bot.command(&ann, "ask", json!([])).await;
    let before = bot.answer(&ann, &before, &card_of(&before).answer).await;
    assert!(is_grade(&before), "{before}");

    let ben_question = bot.command(&ben, "ask", json!([])).await;
    let ben_card = card_of(&ben_question);
    let form = open_form(&bot, &ben, &ben_question).await;
    let cat_card = card_of(&bot.command(&cat, "ask", json!([])).await);

    postgres.down();
    let ben_submit = bot
        .fake
        .submit_modal(&ben, &form, &[("answer", &ben_card.answer)]);
    let cat_answer = bot.fake.slash(
        &cat,
        "answer",
        &json!([{"type": 3, "name": "text", "value": cat_card.answer}]),
    );
    for interaction in [&ben_submit, &cat_answer] {
        assert_try_again(&bot.fake.wait_reply(interaction, WAIT).await.unwrap());
    }
    assert!(bot.is_running(), "the bot exited while Postgres was down");

    postgres.up();
    let ben_again = bot
        .fake
        .submit_modal(&ben, &form, &[("answer", &ben_card.answer)]);
    let ben_reply = bot.fake.wait_reply(&ben_again, WAIT).await.unwrap();
    assert!(is_grade(&ben_reply), "{ben_reply}");
    let cat_reply = bot
        .command(
            &cat,
            "answer",
            json!([{"type": 3, "name": "text", "value": cat_card.answer}]),
        )
        .await;
    assert!(is_grade(&cat_reply), "{cat_reply}");

    let rows = attempts(&url).await;
    let mut per_user: HashMap<i64, usize> = HashMap::new();
    for row in &rows {
        *per_user.entry(row.user).or_default() += 1;
    }
    assert_eq!(
        per_user,
        HashMap::from([(7_201, 1), (7_202, 1), (7_203, 1)]),
        "{rows:#?}"
    );
    assert!(
        rows.iter().any(|r| r.request_key == Some(key_of(&ben_again))),
        "{rows:#?}"
    );
    assert!(bot.is_running(), "the bot exited");
    assert!(!bot.stderr().contains("panicked"), "{}", bot.stderr());
    bot.assert_no_unexpected_routes();
}

// ---------------------------------------------------------------------------------------------
// SIGKILL during a burst

/// How many times the bot has answered each interaction (its callbacks).
fn callback_counts(requests: &[Recorded]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in requests {
        let segments: Vec<&str> = request.path.split('/').collect();
        if request.method == "POST"
            && let ["", "interactions", id, _, "callback"] = segments.as_slice()
        {
            *counts.entry((*id).to_owned()).or_default() += 1;
        }
    }
    counts
}

/// The grade replies (first callback bodies) among the requests, by interaction id.
fn grades(requests: &[Recorded]) -> HashMap<String, Value> {
    let mut found = HashMap::new();
    for request in requests {
        let segments: Vec<&str> = request.path.split('/').collect();
        if request.method == "POST"
            && let ["", "interactions", id, _, "callback"] = segments.as_slice()
            && is_grade(&request.body["data"])
        {
            found
                .entry((*id).to_owned())
                .or_insert_with(|| request.body["data"].clone());
        }
    }
    found
}

/// Users answer all at once through the form; the bot is killed (SIGKILL) once a tenth of them
/// have their grade; after a restart every submission is delivered again.
async fn sigkill_during_a_burst(database: Option<&str>) {
    const USERS: u64 = 150;
    let env: Vec<(&str, &str)> = database.iter().map(|url| ("DATABASE_URL", *url)).collect();
    let mut bot = Bot::start_with(&env).await;
    let url = database.map_or_else(|| bot.sqlite_url(), str::to_owned);
    let users: Vec<User> = (0..USERS)
        .map(|n| User::new(8_000 + n, &format!("burst{n}")))
        .collect();

    // Everyone gets a question and opens its form (all in flight together, then collected).
    let asks: Vec<Interaction> = users
        .iter()
        .map(|u| bot.fake.slash(u, "ask", &json!([])))
        .collect();
    let mut questions = Vec::new();
    for ask in &asks {
        questions.push(bot.fake.wait_reply(ask, WAIT).await.unwrap());
    }
    let presses: Vec<Interaction> = users
        .iter()
        .zip(&questions)
        .map(|(u, q)| {
            let button = q["components"][0]["components"][0]["custom_id"].as_str().unwrap();
            bot.fake.press_button(u, q, button)
        })
        .collect();
    let mut forms = Vec::new();
    for press in &presses {
        let modal = bot.fake.wait_callback(press, WAIT).await.unwrap();
        forms.push(modal["data"]["custom_id"].as_str().unwrap().to_owned());
    }

    // The burst, and the kill in the middle of it: two thirds of the answers are sent, the bot
    // is killed as soon as a tenth of them are graded; the last third is sent after the
    // restart (by then the bot would not have heard of them).
    let submits: Vec<Interaction> = users
        .iter()
        .zip(&questions)
        .zip(&forms)
        .map(|((u, q), form)| {
            let answer = card_of(q).answer;
            let payload = bot.fake.submit_modal_payload(u, form, &[("answer", &answer)]);
            Interaction {
                id: payload["id"].as_str().unwrap().to_owned(),
                token: payload["token"].as_str().unwrap().to_owned(),
                payload,
            }
        })
        .collect();
    let sent_before = submits.len() * 2 / 3;
    for submit in &submits[..sent_before] {
        bot.fake.dispatch("INTERACTION_CREATE", submit.payload.clone());
    }
    let ids: HashSet<String> = submits.iter().map(|s| s.id.clone()).collect();
    bot.fake
        .wait_requests(WAIT, "a tenth of the burst graded", |requests| {
            let graded = grades(requests).keys().filter(|id| ids.contains(*id)).count();
            (graded >= sent_before / 10).then_some(())
        })
        .await
        .unwrap();
    bot.kill();
    let requests = bot.fake.requests();
    let graded_before = grades(&requests);
    let graded_before: HashMap<&String, &Value> =
        graded_before.iter().filter(|(id, _)| ids.contains(*id)).collect();
    let answered_before = callback_counts(&requests);
    let recorded_before = attempts(&url).await;
    eprintln!(
        "burst of {USERS}: {sent_before} sent before the SIGKILL, {} of them graded, {} recorded",
        graded_before.len(),
        recorded_before.len()
    );

    // Every answer that got a grade is in the database, once, with the score the user saw.
    for (id, reply) in &graded_before {
        let key = format!("discord:{id}");
        let rows: Vec<&Row> = recorded_before
            .iter()
            .filter(|r| r.request_key.as_deref() == Some(key.as_str()))
            .collect();
        assert_eq!(rows.len(), 1, "{key} was graded: {rows:?}");
        let shown = shown_score(reply).unwrap();
        assert!(
            (rows[0].score * 100.0 - shown).abs() <= 0.5,
            "{key}: recorded {} but showed {shown}%",
            rows[0].score
        );
    }

    // After a restart, every submission arrives again (a retry of the same interaction): each
    // is answered, the ones already recorded are not recorded again.
    bot.restart().await;
    for submit in &submits {
        bot.fake.dispatch("INTERACTION_CREATE", submit.payload.clone());
    }
    bot.fake
        .wait_requests(WAIT, "every submission answered again", |requests| {
            let now = callback_counts(requests);
            submits
                .iter()
                .all(|s| {
                    now.get(&s.id).copied().unwrap_or(0) > answered_before.get(&s.id).copied().unwrap_or(0)
                })
                .then_some(())
        })
        .await
        .unwrap();
    let rows = attempts(&url).await;
    let mut per_key: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        *per_key
            .entry(row.request_key.as_deref().unwrap_or("none"))
            .or_default() += 1;
    }
    assert_eq!(rows.len() as u64, USERS, "one attempt per user: {per_key:?}");
    for submit in &submits {
        assert_eq!(
            per_key.get(key_of(submit).as_str()),
            Some(&1),
            "{} recorded once",
            key_of(submit)
        );
    }
    // The users who were graded before the kill are told their first answer stands.
    let requests = bot.fake.requests();
    for id in graded_before.keys() {
        let replies: Vec<String> = requests
            .iter()
            .filter(|r| r.path.starts_with(&format!("/interactions/{id}/")))
            .map(|r| text_of(&r.body["data"]))
            .collect();
        assert!(
            replies.get(1).is_some_and(|r| r.contains("already answered")),
            "{id}: {replies:#?}"
        );
    }
    assert!(bot.is_running());
    assert!(!bot.stderr().contains("panicked"), "{}", bot.stderr());
    bot.assert_no_unexpected_routes();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_of_answers_loses_no_graded_answer_on_sqlite() {
    sigkill_during_a_burst(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_of_answers_loses_no_graded_answer_on_postgres() {
    let Some(pg) = crate::operations::Pg::create().await else {
        return;
    };
    sigkill_during_a_burst(Some(&pg.url)).await;
    pg.drop_db().await;
}
