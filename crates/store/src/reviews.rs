//! The `review_states` and `review_log` tables: each user's spaced-repetition schedule, and
//! the append-only history of how it got there.

use cuecard_core::{CardId, UserId};
use jiff::Timestamp;
use serde::Serialize;

use crate::db::query;
use crate::guilds::ensure_user;
use crate::{AttemptId, Store, StoreError, convert};

/// Where one card stands in one user's schedule (the FSRS memory model's terms).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewState {
    /// The user.
    pub user: UserId,
    /// The card.
    pub card: CardId,
    /// Days until recall probability falls to the target.
    pub stability: f64,
    /// How hard the card is for this user.
    pub difficulty: f64,
    /// When it is next due.
    pub due: Timestamp,
    /// Reviews so far.
    pub reps: u32,
    /// Times it was forgotten after being learnt.
    pub lapses: u32,
    /// The latest review.
    pub last_review: Option<Timestamp>,
}

/// A review to record: the rating given and the schedule it produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewUpdate {
    /// The user.
    pub user: UserId,
    /// The card.
    pub card: CardId,
    /// The rating, 1 (again) to 4 (easy).
    pub rating: u8,
    /// When the review happened.
    pub reviewed_at: Timestamp,
    /// The graded answer behind the rating, if there was one.
    pub attempt: Option<AttemptId>,
    /// New stability.
    pub stability: f64,
    /// New difficulty.
    pub difficulty: f64,
    /// When the card is next due.
    pub due: Timestamp,
    /// Reviews so far, this one included.
    pub reps: u32,
    /// Lapses so far, this one included.
    pub lapses: u32,
}

/// One entry of the review history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewLogEntry {
    /// Position in the log.
    pub id: i64,
    /// The user.
    pub user: UserId,
    /// The card.
    pub card: CardId,
    /// The graded answer behind the rating, if any.
    pub attempt: Option<AttemptId>,
    /// The rating, 1 (again) to 4 (easy).
    pub rating: u8,
    /// When the review happened.
    pub reviewed_at: Timestamp,
    /// Stability after the review.
    pub stability: f64,
    /// Difficulty after the review.
    pub difficulty: f64,
    /// When the card became due next.
    pub due: Timestamp,
    /// Reviews after this one.
    pub reps: u32,
    /// Lapses after this one.
    pub lapses: u32,
}

macro_rules! state_columns {
    () => {
        "user_id, card_id, stability, difficulty, due_at, reps, lapses, last_review_at"
    };
}

macro_rules! log_columns {
    () => {
        "id, user_id, card_id, attempt_id, rating, reviewed_at, stability, difficulty, due_at, \
         reps, lapses"
    };
}

#[derive(sqlx::FromRow)]
struct StateRow {
    user_id: i64,
    card_id: String,
    stability: f64,
    difficulty: f64,
    due_at: i64,
    reps: i64,
    lapses: i64,
    last_review_at: Option<i64>,
}

impl TryFrom<StateRow> for ReviewState {
    type Error = StoreError;

    fn try_from(row: StateRow) -> Result<Self, StoreError> {
        Ok(Self {
            user: convert::user_from(row.user_id),
            card: convert::card_from(&row.card_id)?,
            stability: row.stability,
            difficulty: row.difficulty,
            due: convert::timestamp(row.due_at)?,
            reps: convert::count(row.reps),
            lapses: convert::count(row.lapses),
            last_review: convert::timestamp_opt(row.last_review_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LogRow {
    id: i64,
    user_id: i64,
    card_id: String,
    attempt_id: Option<i64>,
    rating: i64,
    reviewed_at: i64,
    stability: f64,
    difficulty: f64,
    due_at: i64,
    reps: i64,
    lapses: i64,
}

impl TryFrom<LogRow> for ReviewLogEntry {
    type Error = StoreError;

    fn try_from(row: LogRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            user: convert::user_from(row.user_id),
            card: convert::card_from(&row.card_id)?,
            attempt: row.attempt_id.map(AttemptId),
            rating: u8::try_from(row.rating).map_err(|_| StoreError::corrupt("rating", row.rating))?,
            reviewed_at: convert::timestamp(row.reviewed_at)?,
            stability: row.stability,
            difficulty: row.difficulty,
            due: convert::timestamp(row.due_at)?,
            reps: convert::count(row.reps),
            lapses: convert::count(row.lapses),
        })
    }
}

impl Store {
    /// Records a review: appends it to the log and moves the card's schedule, together.
    pub async fn record_review(&self, update: &ReviewUpdate) -> Result<ReviewLogEntry, StoreError> {
        if !(1..=4).contains(&update.rating) {
            return Err(StoreError::Invalid(format!(
                "rating {} is not within 1..=4",
                update.rating
            )));
        }
        if !update.stability.is_finite() || !update.difficulty.is_finite() {
            return Err(StoreError::Invalid(
                "stability and difficulty must be finite".to_owned(),
            ));
        }
        let user = convert::user(update.user);
        let card = convert::card(&update.card);
        let at = convert::millis(update.reviewed_at);
        let due = convert::millis(update.due);
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        ensure_user(&mut conn, user, at).await?;
        conn.execute(
            query(
                "INSERT INTO review_states (user_id, card_id, stability, difficulty, due_at, reps,
                     lapses, last_review_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (user_id, card_id) DO UPDATE SET stability = excluded.stability,
                     difficulty = excluded.difficulty, due_at = excluded.due_at,
                     reps = excluded.reps, lapses = excluded.lapses,
                     last_review_at = excluded.last_review_at",
            )
            .bind(user)
            .bind(card.as_str())
            .bind(update.stability)
            .bind(update.difficulty)
            .bind(due)
            .bind(i64::from(update.reps))
            .bind(i64::from(update.lapses))
            .bind(at),
        )
        .await?;
        let row: LogRow = conn
            .fetch_one(
                query(concat!(
                    "INSERT INTO review_log (user_id, card_id, attempt_id, rating, reviewed_at,
                         stability, difficulty, due_at, reps, lapses)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     RETURNING ",
                    log_columns!()
                ))
                .bind(user)
                .bind(card)
                .bind(update.attempt.map(|a| a.0))
                .bind(i64::from(update.rating))
                .bind(at)
                .bind(update.stability)
                .bind(update.difficulty)
                .bind(due)
                .bind(i64::from(update.reps))
                .bind(i64::from(update.lapses)),
            )
            .await?;
        tx.commit().await?;
        row.try_into()
    }

    /// Where a card stands in a user's schedule; `None` if never reviewed.
    pub async fn review_state(&self, user: UserId, card: &CardId) -> Result<Option<ReviewState>, StoreError> {
        let row: Option<StateRow> = self
            .db
            .fetch_optional(
                query(concat!(
                    "SELECT ",
                    state_columns!(),
                    " FROM review_states WHERE user_id = $1 AND card_id = $2"
                ))
                .bind(convert::user(user))
                .bind(convert::card(card)),
            )
            .await?;
        row.map(ReviewState::try_from).transpose()
    }

    /// The user's cards due at `now`, most overdue first.
    pub async fn due_reviews(
        &self,
        user: UserId,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<ReviewState>, StoreError> {
        let rows: Vec<StateRow> = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    state_columns!(),
                    " FROM review_states WHERE user_id = $1 AND due_at <= $2
                     ORDER BY due_at, card_id LIMIT $3"
                ))
                .bind(convert::user(user))
                .bind(convert::millis(now))
                .bind(i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(ReviewState::try_from).collect()
    }

    /// Every card in the user's schedule, soonest due first.
    pub async fn review_states(&self, user: UserId) -> Result<Vec<ReviewState>, StoreError> {
        let rows: Vec<StateRow> = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    state_columns!(),
                    " FROM review_states WHERE user_id = $1 ORDER BY due_at, card_id"
                ))
                .bind(convert::user(user)),
            )
            .await?;
        rows.into_iter().map(ReviewState::try_from).collect()
    }

    /// A user's review history, oldest first; for one card, or all cards with `None`.
    pub async fn review_log(
        &self,
        user: UserId,
        card: Option<&CardId>,
    ) -> Result<Vec<ReviewLogEntry>, StoreError> {
        let query = match card {
            Some(card) => query(concat!(
                "SELECT ",
                log_columns!(),
                " FROM review_log WHERE user_id = $1 AND card_id = $2 ORDER BY reviewed_at, id"
            ))
            .bind(convert::user(user))
            .bind(convert::card(card)),
            None => query(concat!(
                "SELECT ",
                log_columns!(),
                " FROM review_log WHERE user_id = $1 ORDER BY reviewed_at, id"
            ))
            .bind(convert::user(user)),
        };
        let rows: Vec<LogRow> = self.db.fetch_all(query).await?;
        rows.into_iter().map(ReviewLogEntry::try_from).collect()
    }
}
