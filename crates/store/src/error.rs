use sqlx::migrate::MigrateError;

/// Everything that can go wrong in the store.
///
/// A duplicate submission is not an error: it comes back as
/// [`RecordOutcome::AlreadyAnswered`](crate::RecordOutcome::AlreadyAnswered).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The URL is neither `sqlite:` nor `postgres:`/`postgresql:`.
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://...")]
    UnsupportedUrl(String),
    /// The database could not be opened or reached.
    #[error("cannot open the database at {url}: {source}")]
    Open {
        /// The URL, with any password removed.
        url: String,
        /// What the driver said.
        #[source]
        source: sqlx::Error,
    },
    /// A migration failed or does not match what was applied before.
    #[error("migration {migration}: {source}")]
    Migration {
        /// Version and description of the migration, e.g. `0001 (initial)`, or `?` when the
        /// failure is not about one migration.
        migration: String,
        /// What sqlx said.
        #[source]
        source: MigrateError,
    },
    /// A query failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A time zone name that the time zone database does not know.
    #[error("unknown time zone {0:?}: use an IANA name such as Europe/Berlin")]
    UnknownTimeZone(String),
    /// Input the store refuses, such as a score outside 0..=1.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A row refers to something that does not exist.
    #[error("{what} {id} does not exist")]
    NotFound {
        /// What was looked for (`drop`, `round`, `session`).
        what: &'static str,
        /// Its id.
        id: i64,
    },
    /// The transaction holding this write (and others recorded at the same moment) failed to
    /// commit. It was most likely not written, but a connection lost during the commit leaves
    /// that unknown: retry with the same request key, which records it at most once.
    #[error("commit failed, the write may or may not have been made: {detail}")]
    CommitFailed {
        /// What the driver said.
        detail: String,
    },
    /// A stored value cannot be read back (edited by hand, or written by a newer version).
    #[error("unreadable {what} in the database: {detail}")]
    Corrupt {
        /// Which value.
        what: &'static str,
        /// Why it cannot be read.
        detail: String,
    },
}

impl StoreError {
    pub(crate) fn corrupt(what: &'static str, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            what,
            detail: detail.to_string(),
        }
    }
}
