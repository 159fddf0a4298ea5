//! Everything about one user: export as JSON, and delete.

use cuecard_core::UserId;
use jiff::Timestamp;
use serde::Serialize;

use crate::attempts::{AttemptRow, attempt_columns, attempts_from};
use crate::db::query;
use crate::sessions::{SessionRow, session_columns};
use crate::{Attempt, ReviewLogEntry, ReviewState, Store, StoreError, StudySession, convert};

/// Everything the store holds about one user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserExport {
    /// The user.
    pub user: UserId,
    /// When the export was made.
    pub exported_at: Timestamp,
    /// Every answer, oldest first.
    pub attempts: Vec<Attempt>,
    /// The review schedule.
    pub review_states: Vec<ReviewState>,
    /// The review history.
    pub review_log: Vec<ReviewLogEntry>,
    /// Study sessions the user started.
    pub sessions_started: Vec<StudySession>,
}

impl UserExport {
    /// The export as pretty-printed JSON, for the user to download.
    pub fn to_json(&self) -> Result<String, StoreError> {
        serde_json::to_string_pretty(self).map_err(|e| StoreError::Invalid(e.to_string()))
    }
}

/// What [`Store::delete_user`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DeletedUser {
    /// Answers deleted (they leave every leaderboard).
    pub attempts: u64,
    /// Cards removed from the review schedule.
    pub review_states: u64,
    /// Review history entries deleted.
    pub review_log: u64,
    /// Whether the user was known at all.
    pub existed: bool,
}

impl Store {
    /// Everything the store holds about `user`.
    pub async fn export_user(&self, user: UserId, now: Timestamp) -> Result<UserExport, StoreError> {
        let id = convert::user(user);
        let attempts: Vec<AttemptRow> = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    attempt_columns!(),
                    " FROM attempts WHERE user_id = $1 ORDER BY created_at, id"
                ))
                .bind(id),
            )
            .await?;
        let sessions: Vec<SessionRow> = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    session_columns!(),
                    " FROM study_sessions WHERE started_by = $1 ORDER BY created_at, id"
                ))
                .bind(id),
            )
            .await?;
        Ok(UserExport {
            user,
            exported_at: now,
            attempts: attempts_from(attempts)?,
            review_states: self.review_states(user).await?,
            review_log: self.review_log(user, None).await?,
            sessions_started: sessions
                .into_iter()
                .map(StudySession::try_from)
                .collect::<Result<_, _>>()?,
        })
    }

    /// Deletes everything about `user`: answers, review schedule and history. Sessions they
    /// started stay (others played in them) but forget who started them.
    pub async fn delete_user(&self, user: UserId) -> Result<DeletedUser, StoreError> {
        let id = convert::user(user);
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        // Children first, so the counts are ours rather than hidden in cascades.
        let review_log = conn
            .execute(query("DELETE FROM review_log WHERE user_id = $1").bind(id))
            .await?;
        let review_states = conn
            .execute(query("DELETE FROM review_states WHERE user_id = $1").bind(id))
            .await?;
        // Totals before attempts: the trigger that recounts a deleted attempt's totals then
        // finds none to recount.
        conn.execute(query("DELETE FROM global_totals WHERE user_id = $1").bind(id))
            .await?;
        // Found through the user's answers and the table's key: an index on user_id alone
        // would cost every recorded answer an entry on a random page (migration 0007). The
        // bucket is the quarter hour of migration 0006.
        conn.execute(
            query(
                "DELETE FROM guild_totals WHERE user_id = $1 AND (guild_id, since) IN (
                     SELECT guild_id, created_at - ((created_at % 900000) + 900000) % 900000
                     FROM attempts WHERE user_id = $1 AND guild_id IS NOT NULL)",
            )
            .bind(id),
        )
        .await?;
        let attempts = conn
            .execute(query("DELETE FROM attempts WHERE user_id = $1").bind(id))
            .await?;
        conn.execute(query("UPDATE study_sessions SET started_by = NULL WHERE started_by = $1").bind(id))
            .await?;
        let existed = conn
            .execute(query("DELETE FROM users WHERE id = $1").bind(id))
            .await?
            > 0;
        tx.commit().await?;
        Ok(DeletedUser {
            attempts,
            review_states,
            review_log,
            existed,
        })
    }
}
