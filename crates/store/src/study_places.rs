//! The `study_places` table: the thread a study session runs in and how long its rounds last,
//! so a restarted bot can pick the session up where it was.

use serde::Serialize;

use crate::db::query;
use crate::sessions::{RoundRow, round_columns};
use crate::{Round, RoundId, SessionId, Store, StoreError, convert};

/// Where and at what pace a study session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StudyPlace {
    /// The thread the session posts in.
    pub thread: u64,
    /// How long each round stays open, in seconds.
    pub round_seconds: u32,
}

#[derive(sqlx::FromRow)]
struct PlaceRow {
    thread_id: i64,
    round_seconds: i64,
}

impl Store {
    /// Records where a session runs (once; a second call for the same session changes nothing).
    pub async fn set_study_place(&self, session: SessionId, place: StudyPlace) -> Result<(), StoreError> {
        self.db
            .execute(
                query(
                    "INSERT INTO study_places (session_id, thread_id, round_seconds) VALUES ($1, $2, $3)
                     ON CONFLICT (session_id) DO NOTHING",
                )
                .bind(session.0)
                .bind(convert::id_to_db(place.thread))
                .bind(i64::from(place.round_seconds)),
            )
            .await?;
        Ok(())
    }

    /// Where a session runs, if recorded.
    pub async fn study_place(&self, session: SessionId) -> Result<Option<StudyPlace>, StoreError> {
        let row: Option<PlaceRow> = self
            .db
            .fetch_optional(
                query("SELECT thread_id, round_seconds FROM study_places WHERE session_id = $1")
                    .bind(session.0),
            )
            .await?;
        Ok(row.map(|row| StudyPlace {
            thread: convert::id_from_db(row.thread_id),
            round_seconds: u32::try_from(row.round_seconds).unwrap_or(u32::MAX),
        }))
    }

    /// A study round by id: to refuse answers to a round that has closed.
    pub async fn study_round(&self, round: RoundId) -> Result<Option<Round>, StoreError> {
        let row: Option<RoundRow> = self
            .db
            .fetch_optional(
                query(concat!(
                    "SELECT ",
                    round_columns!(),
                    " FROM study_rounds WHERE id = $1"
                ))
                .bind(round.0),
            )
            .await?;
        row.map(Round::try_from).transpose()
    }
}
