//! What only the SQLite backend does: one heap limit for the whole process.

use sqlx::{Connection, SqliteConnection};

use crate::support::TestResult;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_memory_is_limited_for_the_whole_process() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("cuecard.db").display());
    let store = cuecard_store::Store::open(&url).await?;
    // The limit is SQLite's, for every connection in the process: one that cuecard did not
    // configure reports it too.
    let mut other = SqliteConnection::connect(&url).await?;
    let limit: i64 = sqlx::query_scalar("PRAGMA soft_heap_limit")
        .fetch_one(&mut other)
        .await?;
    assert_eq!(limit, 16 * 1024 * 1024);
    other.close().await?;
    store.close().await;
    Ok(())
}
