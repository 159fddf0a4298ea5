//! cuecard's database: who answered what and how well, leaderboards, streaks, each guild's
//! daily-drop settings and history, study sessions, and each user's review schedule.
//!
//! One [`Store`] owns a connection pool to either an SQLite file (the embedded default) or a
//! Postgres server (for several bot processes sharing one database). Every query is a named
//! method on [`Store`], written once and run unchanged on both backends; the schema lives only
//! in `migrations/`, which [`Store::open`] applies. Discord ids are `u64` in this API and `i64`
//! in the database, converted in one place. Times are [`jiff::Timestamp`]s passed in by the
//! caller (the clock is the caller's), and days, weeks and months are counted in each guild's
//! own time zone.
//!
//! This crate does not grade, schedule or talk to Discord: it records what the coach decided
//! and answers questions about it.
//!
//! ```
//! # async fn demo() -> Result<(), cuecard_store::StoreError> {
//! use cuecard_core::{CardId, Grade, GraderKind, GuildId, Period, Topic, UserId};
//! use cuecard_store::{Board, NewAttempt, Occasion, Page, RecordOutcome, Store};
//!
//! let dir = std::env::temp_dir().join(format!("cuecard-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).ok();
//! let store = Store::open(&format!("sqlite://{}", dir.join("cuecard.db").display())).await?;
//!
//! let topic = Topic::new("Terraform");
//! let grade = Grade { score: 0.8, points: vec![], grader: GraderKind::Keyword, remarks: vec![] };
//! let attempt = NewAttempt {
//!     user: UserId(42),
//!     guild: Some(GuildId(7)),
//!     card: CardId::derive(&topic, "What is state locking?"),
//!     topic,
//!     occasion: Occasion::AdHoc,
//!     answer: "DynamoDB holds a lock".to_owned(),
//!     grade,
//!     at: jiff::Timestamp::now(),
//!     request_key: None,
//! };
//! match store.record_attempt(&attempt).await? {
//!     RecordOutcome::Recorded(first) | RecordOutcome::AlreadyAnswered(first) => {
//!         assert_eq!(first.user, UserId(42));
//!     }
//! }
//!
//! let board = Board::guild(GuildId(7), Period::Week);
//! let page = store.leaderboard(&board, jiff::Timestamp::now(), Page::first(10)).await?;
//! assert_eq!(page.entries[0].user, UserId(42));
//! # store.close().await;
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```

// "SQLite" and "Postgres" are names, not code: backticks around them in every sentence would
// only make the docs harder to read.
#![allow(clippy::doc_markdown)]

mod attempts;
mod convert;
mod db;
mod drop_extras;
mod drops;
mod error;
mod global_board;
mod group_commit;
mod guilds;
mod health;
mod leaderboard;
mod reviews;
mod sessions;
mod streaks;
mod study_places;
mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use attempts::{Attempt, AttemptId, NewAttempt, Occasion, RecordOutcome, TopicTotals};
pub use db::Backend;
pub use drop_extras::DropOptions;
pub use drops::{DailyDrop, DropClaim, DropId, DropSettings, DropState, NewDrop};
pub use error::StoreError;
pub use leaderboard::{Board, LeaderboardPage, Page, Scope, SortBy, Standing, Surroundings};
pub use reviews::{ReviewLogEntry, ReviewState, ReviewUpdate};
pub use sessions::{
    NewSession, Round, RoundId, RoundOutcome, SessionId, SessionScore, SessionState, StudySession,
};
pub use streaks::Streak;
pub use study_places::StudyPlace;
pub use users::{DeletedUser, UserExport};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../../migrations/postgres");

/// How long an SQLite writer waits for another to finish before giving up. Writes here take
/// well under a millisecond, so only a stuck process would hit this.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite's page cache per connection, in KiB when negative: 64 MiB, so that one busy
/// connection (the writer) may use the whole of [`SQLITE_HEAP_LIMIT`].
const SQLITE_CACHE_SIZE: &str = "-65536";

/// What SQLite may keep in memory in the whole process, in bytes: 16 MiB, shared by every
/// connection's page cache (the bundled SQLite is built with SQLITE_ENABLE_MEMORY_MANAGEMENT,
/// so the caches form one pool; past this limit, pages are recycled instead of allocated).
/// Without a shared limit the writer's cache grew with the file, since over time it touches
/// every page: 43 MB of SQLite heap after fifteen minutes of the load test (a 34 MB file).
/// Reads hardly need the cache: they map the file (`mmap_size`).
const SQLITE_HEAP_LIMIT: &str = "16777216";

/// Log pages (4 KiB each) after which a commit also checkpoints: copies the log into the file
/// and syncs it. Each checkpoint writes back every page changed since the last one, once, so
/// a longer log writes a page that many answers change (the end of `attempts`, this week's
/// totals) once for all of them. SQLite's default, 1,000, meant a sync of pages scattered over
/// the file every few dozen batches; 10,000 recorded answers 1.7 to 1.9 times as fast, and
/// 40,000 another 1.3 to 1.4 times (store benchmark, 32 at a time: 5.6k and 6.0k answers/s
/// against 4.4k and 4.2k; docs/operations.md). The price: a log file of up to about 160 MB
/// while the bot is busy (removed at a clean shutdown), and a longer wait for the commit that
/// checkpoints.
const SQLITE_CHECKPOINT_PAGES: &str = "40000";

/// How much of an SQLite file is memory-mapped: 256 MiB.
const SQLITE_MMAP_SIZE: &str = "268435456";

/// Connections in a Postgres pool.
const POSTGRES_CONNECTIONS: u32 = 16;

/// Batches of answers that may be written at once on Postgres (see `group_commit.rs`). A batch
/// is one multi-row `INSERT`, so fewer, larger batches save round trips, while more of them
/// let the server work in parallel. In the store benchmark (32 concurrent answers, this
/// 2-core machine, docs/operations.md) 4 recorded 4.9-5.0k answers/s, 8 recorded 3.9k/s and
/// 16 recorded 4.3-4.8k/s. SQLite has one writer.
const POSTGRES_ANSWER_WRITERS: usize = 4;

/// The database: a pool of connections and a named method for every query cuecard makes.
///
/// Cheap to clone (clones share the pool). Open it once at start with [`Store::open`].
#[derive(Debug, Clone)]
pub struct Store {
    db: db::Db,
    /// Where `record_attempt` queues answers for group commit.
    answers: group_commit::GroupCommit<attempts::Insert>,
}

impl Store {
    /// Opens (creating an SQLite file if needed) and migrates the database at `url`:
    /// `sqlite://cuecard.db`, `sqlite::memory:` or `postgres://user@host/db`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let open_error = |source| StoreError::Open {
            url: redact(url),
            source,
        };
        let db = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(open_error)?
                .create_if_missing(true)
                // WAL lets leaderboards read while an answer is being written; NORMAL
                // synchronous is durable across process crashes, which is what a bot needs.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                // The default page cache (2 MiB) holds little of a million attempts and their
                // running totals: each answer touches index pages all over the file, and
                // every miss is a read. Per connection, and filled only as pages are used.
                .pragma("cache_size", SQLITE_CACHE_SIZE)
                .pragma("soft_heap_limit", SQLITE_HEAP_LIMIT)
                .pragma("temp_store", "memory")
                // Reads map the file instead of copying pages into each connection's cache
                // (shared by all connections through the OS); grows with the file up to this.
                .pragma("mmap_size", SQLITE_MMAP_SIZE)
                .pragma("wal_autocheckpoint", SQLITE_CHECKPOINT_PAGES);
            // Writers take turns on one connection that stays open (see db::Db::Sqlite).
            let writes = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options.clone())
                .await
                .map_err(open_error)?;
            migrate(&SQLITE_MIGRATIONS, &writes).await?;
            let reads = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await
                .map_err(open_error)?;
            db::Db::sqlite(reads, writes)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(open_error)?;
            let pool = PgPoolOptions::new()
                .max_connections(POSTGRES_CONNECTIONS)
                .connect_with(options)
                .await
                .map_err(open_error)?;
            migrate(&POSTGRES_MIGRATIONS, &pool).await?;
            db::Db::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        let writers = match db.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => POSTGRES_ANSWER_WRITERS,
        };
        Ok(Self {
            db,
            answers: group_commit::GroupCommit::new(writers),
        })
    }

    /// Which database this store talks to.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Closes every connection, waiting for queries in flight. For a clean shutdown, and so
    /// SQLite folds its write-ahead log back into the file.
    pub async fn close(&self) {
        self.db.close().await;
    }
}

async fn migrate<'a, A>(migrator: &Migrator, pool: A) -> Result<(), StoreError>
where
    A: sqlx::Acquire<'a>,
    <A::Connection as std::ops::Deref>::Target: sqlx::migrate::Migrate,
{
    migrator.run(pool).await.map_err(|source| {
        let version = match &source {
            MigrateError::ExecuteMigration(_, v)
            | MigrateError::VersionMissing(v)
            | MigrateError::VersionMismatch(v)
            | MigrateError::VersionNotPresent(v)
            | MigrateError::VersionTooOld(v, _)
            | MigrateError::VersionTooNew(v, _)
            | MigrateError::Dirty(v) => Some(*v),
            _ => None,
        };
        let migration = match version {
            Some(v) => match migrator.iter().find(|m| m.version == v) {
                Some(m) => format!("{v:04} ({})", m.description),
                None => format!("{v:04}"),
            },
            None => "?".to_owned(),
        };
        StoreError::Migration { migration, source }
    })
}

/// The URL without its password, for error messages and logs.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}{path}")
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact("postgres://bot:s3cret@db.example:5432/cuecard"),
            "postgres://bot:***@db.example:5432/cuecard"
        );
        assert_eq!(redact("sqlite://cuecard.db"), "sqlite://cuecard.db");
        assert_eq!(redact("postgres://bot@db/x"), "postgres://bot@db/x");
    }
}
