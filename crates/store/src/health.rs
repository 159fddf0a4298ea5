//! A health probe: is the database reachable right now?

use std::time::Duration;

use crate::db::query;
use crate::{Store, StoreError};

impl Store {
    /// Runs `SELECT 1` on a pooled connection, for readiness probes. Gives up after `timeout`
    /// (the pool would otherwise wait its own, much longer, acquire timeout), so a probe answers
    /// promptly when the server is gone.
    pub async fn ping(&self, timeout: Duration) -> Result<(), StoreError> {
        let probe = self.db.fetch_one::<(i32,)>(query("SELECT 1"));
        match tokio::time::timeout(timeout, probe).await {
            Ok(result) => result.map(drop).map_err(StoreError::from),
            Err(_) => Err(StoreError::from(sqlx::Error::PoolTimedOut)),
        }
    }
}
