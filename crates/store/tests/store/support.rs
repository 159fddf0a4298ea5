//! Test support: a fresh database per test, on each backend, and small builders.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use cuecard_core::{CardId, Grade, GraderKind, GuildId, KeyPoint, PointGrade, Topic, UserId, Verdict};
use cuecard_store::{NewAttempt, Occasion, Store};
use jiff::Timestamp;
use sqlx::Connection;

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A store on a database of its own, and the URL to open it again (as a second process would).
#[derive(Clone)]
pub struct TestDb {
    pub store: Store,
    pub url: String,
}

impl TestDb {
    /// A second store on the same database, with its own pool: another process, in effect.
    pub async fn open_again(&self) -> Result<Store, cuecard_store::StoreError> {
        Store::open(&self.url).await
    }
}

/// Runs `case` against a fresh SQLite file in a temporary directory.
pub async fn run_sqlite<F, Fut>(case: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = TestResult>,
{
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("cuecard.db").display());
    let store = Store::open(&url).await.expect("open SQLite");
    let result = case(TestDb {
        store: store.clone(),
        url,
    })
    .await;
    store.close().await;
    drop(dir);
    if let Err(error) = result {
        panic!("SQLite: {error}");
    }
}

static NEXT_DATABASE: AtomicU32 = AtomicU32::new(0);

/// Runs `case` against a fresh Postgres database, created on the server that
/// `TEST_DATABASE_URL` names and dropped afterwards. Without that variable, says so and passes.
pub async fn run_postgres<F, Fut>(case: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = TestResult>,
{
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("note: TEST_DATABASE_URL is not set; skipping the Postgres variant");
        return;
    };
    let name = format!(
        "cuecard_test_{}_{}_{}",
        std::process::id(),
        NEXT_DATABASE.fetch_add(1, Ordering::Relaxed),
        Timestamp::now().as_millisecond()
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    let url = with_database(&admin_url, &name);
    let store = Store::open(&url).await.expect("open Postgres");
    let result = case(TestDb {
        store: store.clone(),
        url,
    })
    .await;
    store.close().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .expect("drop the test database");
    if let Err(error) = result {
        panic!("Postgres: {error}");
    }
}

/// `url` pointing at database `name` instead.
fn with_database(url: &str, name: &str) -> String {
    let (base, params) = match url.split_once('?') {
        Some((base, params)) => (base, Some(params)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(params) = params {
        out.push('?');
        out.push_str(params);
    }
    out
}

/// One test function per backend for each named case: `sqlite::case` and `postgres::case`.
macro_rules! store_tests {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::support::run_sqlite(super::$case).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::support::run_postgres(super::$case).await;
                }
            )*
        }
    };
}
pub(crate) use store_tests;

/// A timestamp from RFC 3339 text.
pub fn at(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

pub fn topic() -> Topic {
    Topic::new("Terraform")
}

pub fn card(n: u32) -> CardId {
    CardId::derive(&topic(), &format!("Question {n}?"))
}

pub fn grade(score: f64) -> Grade {
    Grade {
        score,
        points: vec![
            PointGrade {
                point: KeyPoint::about("S3", "remote state"),
                verdict: Verdict::Covered,
                evidence: vec!["remote state in S3".to_owned()],
            },
            PointGrade {
                point: KeyPoint::new("locking"),
                verdict: Verdict::Missing,
                evidence: vec![],
            },
        ],
        grader: GraderKind::Keyword,
        remarks: vec!["short answer".to_owned()],
    }
}

/// An answer by `user` in `guild` scoring `score`, ad hoc unless changed.
pub fn answer(user: u64, guild: Option<u64>, score: f64, when: Timestamp) -> NewAttempt {
    NewAttempt {
        user: UserId(user),
        guild: guild.map(GuildId),
        card: card(1),
        topic: topic(),
        occasion: Occasion::AdHoc,
        answer: format!("answer by {user}"),
        grade: grade(score),
        at: when,
        request_key: None,
    }
}

/// Runs `sql` on a connection of its own, bypassing the store, as an operator or a script would.
pub async fn raw(url: &str, sql: &str) -> TestResult {
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PRAGMA foreign_keys = ON; {sql}")))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
    }
    Ok(())
}
