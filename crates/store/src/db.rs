//! The one place that knows there are two database backends.
//!
//! Every query in this crate is written once, with `$1`-style placeholders that SQLite and
//! Postgres both accept, and runs through [`Db`] or [`Tx`]. Those hold either a SQLite or a
//! Postgres handle and hand the query to one generic function per operation, so the only code
//! that exists twice is a one-line `match` arm. Bind values travel as [`Arg`]s because a query
//! has to be built before we know which backend will run it.

use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool, PgRow};
use sqlx::sqlite::{SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{
    Arguments, AssertSqlSafe, Database, Encode, Executor, FromRow, IntoArguments, Postgres, SqlSafeStr,
    SqlStr, Sqlite, Transaction, Type,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// A bind value, kept until the backend is known.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(Option<i64>),
    Real(f64),
    Text(Option<String>),
    Bool(bool),
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Self::Int(Some(value))
    }
}

impl From<Option<i64>> for Arg {
    fn from(value: Option<i64>) -> Self {
        Self::Int(value)
    }
}

impl From<f64> for Arg {
    fn from(value: f64) -> Self {
        Self::Real(value)
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(Some(value))
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(Some(value.to_owned()))
    }
}

impl From<Option<String>> for Arg {
    fn from(value: Option<String>) -> Self {
        Self::Text(value)
    }
}

impl From<bool> for Arg {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

/// SQL text and its bind values.
#[derive(Debug)]
pub(crate) struct Query {
    sql: SqlStr,
    args: Vec<Arg>,
}

/// A query whose text is a literal.
pub(crate) fn query(sql: &'static str) -> Query {
    Query {
        sql: sql.into_sql_str(),
        args: Vec::new(),
    }
}

impl Query {
    /// A query whose text was assembled at run time. Callers build it only from literal
    /// fragments and `$n` placeholders; user data always goes through [`Query::bind`].
    pub(crate) fn assembled(sql: String) -> Self {
        Self {
            sql: AssertSqlSafe(sql).into_sql_str(),
            args: Vec::new(),
        }
    }

    /// Adds the next bind value (`$1`, `$2`, ... in order).
    pub(crate) fn bind(mut self, arg: impl Into<Arg>) -> Self {
        self.args.push(arg.into());
        self
    }
}

/// Row types that both backends can decode. `#[derive(sqlx::FromRow)]` and tuples qualify.
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// What the generic functions below need from a backend beyond [`Database`].
trait Driver: Database {
    fn arguments(args: Vec<Arg>) -> Result<Self::Arguments, sqlx::Error>;
    fn rows_affected(done: &Self::QueryResult) -> u64;
}

impl Driver for Sqlite {
    fn arguments(args: Vec<Arg>) -> Result<Self::Arguments, sqlx::Error> {
        encode::<Self>(args)
    }

    fn rows_affected(done: &Self::QueryResult) -> u64 {
        done.rows_affected()
    }
}

impl Driver for Postgres {
    fn arguments(args: Vec<Arg>) -> Result<Self::Arguments, sqlx::Error> {
        encode::<Self>(args)
    }

    fn rows_affected(done: &Self::QueryResult) -> u64 {
        done.rows_affected()
    }
}

fn encode<DB: Database>(args: Vec<Arg>) -> Result<DB::Arguments, sqlx::Error>
where
    Option<i64>: for<'q> Encode<'q, DB> + Type<DB>,
    f64: for<'q> Encode<'q, DB> + Type<DB>,
    Option<String>: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
{
    let mut out = DB::Arguments::default();
    for arg in args {
        match arg {
            Arg::Int(value) => out.add(value),
            Arg::Real(value) => out.add(value),
            Arg::Text(value) => out.add(value),
            Arg::Bool(value) => out.add(value),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

async fn fetch_all<DB, O>(conn: &mut DB::Connection, query: Query) -> Result<Vec<O>, sqlx::Error>
where
    DB: Driver,
    DB::Arguments: IntoArguments<DB>,
    for<'e> &'e mut DB::Connection: Executor<'e, Database = DB>,
    O: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
{
    let args = DB::arguments(query.args)?;
    sqlx::query_as_with::<DB, O, _>(query.sql, args)
        .fetch_all(conn)
        .await
}

async fn fetch_optional<DB, O>(conn: &mut DB::Connection, query: Query) -> Result<Option<O>, sqlx::Error>
where
    DB: Driver,
    DB::Arguments: IntoArguments<DB>,
    for<'e> &'e mut DB::Connection: Executor<'e, Database = DB>,
    O: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
{
    let args = DB::arguments(query.args)?;
    sqlx::query_as_with::<DB, O, _>(query.sql, args)
        .fetch_optional(conn)
        .await
}

async fn execute<DB>(conn: &mut DB::Connection, query: Query) -> Result<u64, sqlx::Error>
where
    DB: Driver,
    DB::Arguments: IntoArguments<DB>,
    for<'e> &'e mut DB::Connection: Executor<'e, Database = DB>,
{
    let args = DB::arguments(query.args)?;
    let done = sqlx::query_with::<DB, _>(query.sql, args).execute(conn).await?;
    Ok(DB::rows_affected(&done))
}

/// A borrowed connection of either backend: what queries run on.
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    pub(crate) async fn fetch_all<O: Row>(&mut self, query: Query) -> Result<Vec<O>, sqlx::Error> {
        match self {
            Self::Sqlite(conn) => fetch_all::<Sqlite, O>(conn, query).await,
            Self::Postgres(conn) => fetch_all::<Postgres, O>(conn, query).await,
        }
    }

    pub(crate) async fn fetch_optional<O: Row>(&mut self, query: Query) -> Result<Option<O>, sqlx::Error> {
        match self {
            Self::Sqlite(conn) => fetch_optional::<Sqlite, O>(conn, query).await,
            Self::Postgres(conn) => fetch_optional::<Postgres, O>(conn, query).await,
        }
    }

    pub(crate) async fn fetch_one<O: Row>(&mut self, query: Query) -> Result<O, sqlx::Error> {
        self.fetch_optional(query).await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// Runs a statement and returns how many rows it changed.
    pub(crate) async fn execute(&mut self, query: Query) -> Result<u64, sqlx::Error> {
        match self {
            Self::Sqlite(conn) => execute::<Sqlite>(conn, query).await,
            Self::Postgres(conn) => execute::<Postgres>(conn, query).await,
        }
    }
}

/// Which database a [`Store`](crate::Store) talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A Postgres server.
    Postgres,
}

/// A pool of either backend.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    /// SQLite allows one writer at a time. Writers of this process queue on the mutex rather
    /// than in SQLite's busy handler, which sleeps and retries (milliseconds per collision);
    /// the busy timeout still covers writers in other processes. They all write through one
    /// connection of their own: a connection's page cache is dropped whenever another
    /// connection has written, so a writer that shared the reading pool would start every
    /// answer cold; the only writer keeps its cache of the pages every answer touches.
    Sqlite {
        reads: SqlitePool,
        writes: SqlitePool,
        turn: Arc<Mutex<()>>,
    },
    Postgres(PgPool),
}

/// A connection taken from a [`Db`] for a few queries.
pub(crate) enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Pooled {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(conn) => Conn::Sqlite(conn),
            Self::Postgres(conn) => Conn::Postgres(conn),
        }
    }
}

/// A transaction of either backend. Dropping it without [`Tx::commit`] rolls it back.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>, OwnedMutexGuard<()>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(tx, _) => Conn::Sqlite(tx),
            Self::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx, _writer) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }
}

impl Db {
    /// `writes` is a pool of one connection, kept open, that only writers use.
    pub(crate) fn sqlite(reads: SqlitePool, writes: SqlitePool) -> Self {
        Self::Sqlite {
            reads,
            writes,
            turn: Arc::new(Mutex::new(())),
        }
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Self::Sqlite { .. } => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) async fn acquire(&self) -> Result<Pooled, sqlx::Error> {
        Ok(match self {
            Self::Sqlite { reads, .. } => Pooled::Sqlite(reads.acquire().await?),
            Self::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    /// Starts a transaction that writes. On SQLite, write before you read inside it: a deferred
    /// transaction that reads first cannot wait for another process's write lock and fails at
    /// once with "busy".
    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Self::Sqlite { writes, turn, .. } => {
                let turn = Arc::clone(turn).lock_owned().await;
                Tx::Sqlite(writes.begin().await?, turn)
            }
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub(crate) async fn fetch_all<O: Row>(&self, query: Query) -> Result<Vec<O>, sqlx::Error> {
        self.acquire().await?.conn().fetch_all(query).await
    }

    pub(crate) async fn fetch_optional<O: Row>(&self, query: Query) -> Result<Option<O>, sqlx::Error> {
        self.acquire().await?.conn().fetch_optional(query).await
    }

    pub(crate) async fn fetch_one<O: Row>(&self, query: Query) -> Result<O, sqlx::Error> {
        self.acquire().await?.conn().fetch_one(query).await
    }

    /// Runs one writing statement on its own (atomic without a transaction) and returns the
    /// row it produced, if any.
    pub(crate) async fn write_optional<O: Row>(&self, query: Query) -> Result<Option<O>, sqlx::Error> {
        match self {
            Self::Sqlite { writes, turn, .. } => {
                let _turn = turn.lock().await;
                let mut conn = writes.acquire().await?;
                fetch_optional::<Sqlite, O>(&mut conn, query).await
            }
            Self::Postgres(_) => self.fetch_optional(query).await,
        }
    }

    /// Runs one writing statement on its own and returns how many rows it changed.
    pub(crate) async fn execute(&self, query: Query) -> Result<u64, sqlx::Error> {
        match self {
            Self::Sqlite { writes, turn, .. } => {
                let _turn = turn.lock().await;
                let mut conn = writes.acquire().await?;
                execute::<Sqlite>(&mut conn, query).await
            }
            Self::Postgres(_) => self.acquire().await?.conn().execute(query).await,
        }
    }

    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite { reads, writes, .. } => {
                reads.close().await;
                writes.close().await;
            }
            Self::Postgres(pool) => pool.close().await,
        }
    }
}
