//! The `study_sessions` and `study_rounds` tables: group study, one card per round.

use cuecard_core::{CardId, GuildId, UserId};
use jiff::Timestamp;
use serde::Serialize;

use crate::db::{Query, query};
use crate::guilds::{ensure_guild, ensure_user};
use crate::{Store, StoreError, convert};

/// The id the store gave a study session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SessionId(pub i64);

/// The id the store gave a round of a study session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RoundId(pub i64);

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Rounds are being played.
    Open,
    /// All rounds played.
    Finished,
    /// Stopped early.
    Cancelled,
}

impl SessionState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Finished => "finished",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "open" => Ok(Self::Open),
            "finished" => Ok(Self::Finished),
            "cancelled" => Ok(Self::Cancelled),
            other => Err(StoreError::corrupt("session state", other)),
        }
    }
}

/// A session about to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The guild, or `None` in a DM or the terminal.
    pub guild: Option<GuildId>,
    /// The channel it runs in.
    pub channel: u64,
    /// Who started it.
    pub started_by: UserId,
    /// The topic slug it draws from, if one.
    pub topic: Option<String>,
    /// How many rounds are planned.
    pub rounds: u32,
}

/// A study session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudySession {
    /// The store's id.
    pub id: SessionId,
    /// The guild, if any.
    pub guild: Option<GuildId>,
    /// The channel it runs in.
    pub channel: u64,
    /// Who started it; `None` once that user's data is deleted.
    pub started_by: Option<UserId>,
    /// The topic slug it draws from, if one.
    pub topic: Option<String>,
    /// How many rounds are planned.
    pub rounds: u32,
    /// Open, finished or cancelled.
    pub state: SessionState,
    /// When it started.
    pub created_at: Timestamp,
    /// When it finished or was cancelled.
    pub ended_at: Option<Timestamp>,
}

/// One card asked in a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Round {
    /// The store's id; answers refer to it.
    pub id: RoundId,
    /// The session.
    pub session: SessionId,
    /// 1 for the first round.
    pub number: u32,
    /// The card asked.
    pub card: CardId,
    /// The message asking it, once posted.
    pub message: Option<u64>,
    /// When it opened.
    pub opened_at: Timestamp,
    /// When answers stopped being taken.
    pub closed_at: Option<Timestamp>,
}

/// What [`Store::open_round`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundOutcome {
    /// The round is new.
    Opened(Round),
    /// The session already has a round with that number (a retried command): here it is.
    AlreadyOpen(Round),
}

impl RoundOutcome {
    /// The round, new or existing.
    #[must_use]
    pub fn round(&self) -> &Round {
        match self {
            Self::Opened(round) | Self::AlreadyOpen(round) => round,
        }
    }
}

/// A participant's result over a whole session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionScore {
    /// The participant.
    pub user: UserId,
    /// Sum of scores.
    pub total: f64,
    /// Rounds answered.
    pub answers: u32,
}

macro_rules! session_columns {
    () => {
        "id, guild_id, channel_id, started_by, topic, rounds, state, created_at, ended_at"
    };
}
pub(crate) use session_columns;

macro_rules! round_columns {
    () => {
        "id, session_id, number, card_id, message_id, opened_at, closed_at"
    };
}
pub(crate) use round_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: i64,
    guild_id: Option<i64>,
    channel_id: i64,
    started_by: Option<i64>,
    topic: Option<String>,
    rounds: i64,
    state: String,
    created_at: i64,
    ended_at: Option<i64>,
}

impl TryFrom<SessionRow> for StudySession {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: SessionId(row.id),
            guild: row.guild_id.map(convert::guild_from),
            channel: convert::id_from_db(row.channel_id),
            started_by: row.started_by.map(convert::user_from),
            topic: row.topic,
            rounds: convert::count(row.rounds),
            state: SessionState::parse(&row.state)?,
            created_at: convert::timestamp(row.created_at)?,
            ended_at: convert::timestamp_opt(row.ended_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RoundRow {
    id: i64,
    session_id: i64,
    number: i64,
    card_id: String,
    message_id: Option<i64>,
    opened_at: i64,
    closed_at: Option<i64>,
}

impl TryFrom<RoundRow> for Round {
    type Error = StoreError;

    fn try_from(row: RoundRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: RoundId(row.id),
            session: SessionId(row.session_id),
            number: convert::count(row.number),
            card: convert::card_from(&row.card_id)?,
            message: row.message_id.map(convert::id_from_db),
            opened_at: convert::timestamp(row.opened_at)?,
            closed_at: convert::timestamp_opt(row.closed_at)?,
        })
    }
}

impl Store {
    /// Starts a study session.
    pub async fn start_session(&self, new: &NewSession, now: Timestamp) -> Result<StudySession, StoreError> {
        let at = convert::millis(now);
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        ensure_user(&mut conn, convert::user(new.started_by), at).await?;
        if let Some(guild) = new.guild {
            ensure_guild(&mut conn, convert::guild(guild), at).await?;
        }
        let row: SessionRow = conn
            .fetch_one(
                query(concat!(
                    "INSERT INTO study_sessions (guild_id, channel_id, started_by, topic, rounds,
                         state, created_at)
                     VALUES ($1, $2, $3, $4, $5, 'open', $6)
                     RETURNING ",
                    session_columns!()
                ))
                .bind(convert::guild_opt(new.guild))
                .bind(convert::id_to_db(new.channel))
                .bind(convert::user(new.started_by))
                .bind(new.topic.clone())
                .bind(i64::from(new.rounds))
                .bind(at),
            )
            .await?;
        tx.commit().await?;
        row.try_into()
    }

    /// A session by id.
    pub async fn study_session(&self, id: SessionId) -> Result<Option<StudySession>, StoreError> {
        let row: Option<SessionRow> = self
            .db
            .fetch_optional(
                query(concat!(
                    "SELECT ",
                    session_columns!(),
                    " FROM study_sessions WHERE id = $1"
                ))
                .bind(id.0),
            )
            .await?;
        row.map(StudySession::try_from).transpose()
    }

    /// Sessions still open, oldest first: to resume or close them after a restart.
    pub async fn open_sessions(&self) -> Result<Vec<StudySession>, StoreError> {
        let rows: Vec<SessionRow> = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    session_columns!(),
                    " FROM study_sessions WHERE state = $1 ORDER BY created_at, id"
                ))
                .bind(SessionState::Open.as_str()),
            )
            .await?;
        rows.into_iter().map(StudySession::try_from).collect()
    }

    /// Ends a session as finished or cancelled.
    pub async fn end_session(
        &self,
        id: SessionId,
        state: SessionState,
        now: Timestamp,
    ) -> Result<StudySession, StoreError> {
        let row: Option<SessionRow> = self
            .db
            .write_optional(
                query(concat!(
                    "UPDATE study_sessions SET state = $2, ended_at = $3 WHERE id = $1 RETURNING ",
                    session_columns!()
                ))
                .bind(id.0)
                .bind(state.as_str())
                .bind(convert::millis(now)),
            )
            .await?;
        row.ok_or(StoreError::NotFound {
            what: "study session",
            id: id.0,
        })?
        .try_into()
    }

    /// Opens round `number` of a session with `card`. Opening the same number twice returns
    /// the first round, so a retried command never asks two cards.
    pub async fn open_round(
        &self,
        session: SessionId,
        number: u32,
        card: &CardId,
        now: Timestamp,
    ) -> Result<RoundOutcome, StoreError> {
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        let inserted: Option<RoundRow> = conn
            .fetch_optional(
                query(concat!(
                    "INSERT INTO study_rounds (session_id, number, card_id, opened_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (session_id, number) DO NOTHING
                     RETURNING ",
                    round_columns!()
                ))
                .bind(session.0)
                .bind(i64::from(number))
                .bind(convert::card(card))
                .bind(convert::millis(now)),
            )
            .await
            .map_err(|e| {
                if e.as_database_error()
                    .is_some_and(sqlx::error::DatabaseError::is_foreign_key_violation)
                {
                    StoreError::NotFound {
                        what: "study session",
                        id: session.0,
                    }
                } else {
                    e.into()
                }
            })?;
        let outcome = if let Some(row) = inserted {
            RoundOutcome::Opened(row.try_into()?)
        } else {
            let row: RoundRow = conn
                .fetch_one(
                    query(concat!(
                        "SELECT ",
                        round_columns!(),
                        " FROM study_rounds WHERE session_id = $1 AND number = $2"
                    ))
                    .bind(session.0)
                    .bind(i64::from(number)),
                )
                .await?;
            RoundOutcome::AlreadyOpen(row.try_into()?)
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records the message that asks a round's card.
    pub async fn set_round_message(&self, round: RoundId, message: u64) -> Result<Round, StoreError> {
        self.update_round(
            query(concat!(
                "UPDATE study_rounds SET message_id = $2 WHERE id = $1 RETURNING ",
                round_columns!()
            ))
            .bind(round.0)
            .bind(convert::id_to_db(message)),
            round,
        )
        .await
    }

    /// Closes a round. Closing it again keeps the first closing time.
    pub async fn close_round(&self, round: RoundId, now: Timestamp) -> Result<Round, StoreError> {
        self.update_round(
            query(concat!(
                "UPDATE study_rounds SET closed_at = COALESCE(closed_at, $2) WHERE id = $1
                 RETURNING ",
                round_columns!()
            ))
            .bind(round.0)
            .bind(convert::millis(now)),
            round,
        )
        .await
    }

    async fn update_round(&self, update: Query, round: RoundId) -> Result<Round, StoreError> {
        let row: Option<RoundRow> = self.db.write_optional(update).await?;
        row.ok_or(StoreError::NotFound {
            what: "study round",
            id: round.0,
        })?
        .try_into()
    }

    /// A session's rounds in order.
    pub async fn rounds(&self, session: SessionId) -> Result<Vec<Round>, StoreError> {
        let rows: Vec<RoundRow> = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    round_columns!(),
                    " FROM study_rounds WHERE session_id = $1 ORDER BY number"
                ))
                .bind(session.0),
            )
            .await?;
        rows.into_iter().map(Round::try_from).collect()
    }

    /// Each participant's result over a session, best first.
    pub async fn session_scores(&self, session: SessionId) -> Result<Vec<SessionScore>, StoreError> {
        let rows: Vec<(i64, f64, i64)> = self
            .db
            .fetch_all(
                query(
                    "SELECT a.user_id, SUM(a.score) AS total, COUNT(*) AS answers
                     FROM attempts a JOIN study_rounds r ON r.id = a.round_id
                     WHERE r.session_id = $1
                     GROUP BY a.user_id
                     ORDER BY total DESC, answers DESC, a.user_id",
                )
                .bind(session.0),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(user, total, answers)| SessionScore {
                user: convert::user_from(user),
                total,
                answers: convert::count(answers),
            })
            .collect())
    }
}
