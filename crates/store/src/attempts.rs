//! The `attempts` table: every graded answer, and the keys that make recording one idempotent.

use cuecard_core::{CardId, Grade, GuildId, Topic, UserId};
use std::fmt::Write as _;

use jiff::Timestamp;
use serde::Serialize;

use crate::db::{Conn, Db, Query, query};
use crate::group_commit::Job;
use crate::{DropId, RoundId, Store, StoreError, convert};

/// The id the store gave an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AttemptId(pub i64);

/// Why a card was answered. Daily drops and study rounds allow one scored answer per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Occasion {
    /// Asked for on demand.
    AdHoc,
    /// An answer to a guild's daily drop.
    DailyDrop(DropId),
    /// An answer in a round of a study session.
    StudyRound(RoundId),
    /// A spaced-repetition review.
    Review,
}

impl Occasion {
    fn kind(self) -> &'static str {
        match self {
            Self::AdHoc => "ad_hoc",
            Self::DailyDrop(_) => "daily_drop",
            Self::StudyRound(_) => "study_round",
            Self::Review => "review",
        }
    }

    fn from_columns(kind: &str, drop: Option<i64>, round: Option<i64>) -> Result<Self, StoreError> {
        match (kind, drop, round) {
            ("ad_hoc", _, _) => Ok(Self::AdHoc),
            ("review", _, _) => Ok(Self::Review),
            ("daily_drop", Some(drop), _) => Ok(Self::DailyDrop(DropId(drop))),
            ("study_round", _, Some(round)) => Ok(Self::StudyRound(RoundId(round))),
            _ => Err(StoreError::corrupt("occasion", kind)),
        }
    }
}

/// An answer to record. Build it with a struct literal.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttempt {
    /// Who answered.
    pub user: UserId,
    /// Where, or `None` in a DM or the terminal (such answers count on global boards only).
    pub guild: Option<GuildId>,
    /// Which card.
    pub card: CardId,
    /// The card's topic, for per-topic boards.
    pub topic: Topic,
    /// Why the card was asked.
    pub occasion: Occasion,
    /// The answer as the user wrote it.
    pub answer: String,
    /// The grade it got.
    pub grade: Grade,
    /// When it was submitted.
    pub at: Timestamp,
    /// A key that identifies the submission itself (a Discord interaction id, say), so a
    /// retried delivery of an ad-hoc or review answer is recorded once too.
    pub request_key: Option<String>,
}

/// A recorded answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    /// The store's id.
    pub id: AttemptId,
    /// Who answered.
    pub user: UserId,
    /// Where; `None` for a DM or the terminal.
    pub guild: Option<GuildId>,
    /// Which card.
    pub card: CardId,
    /// The card's topic slug.
    pub topic: String,
    /// Why the card was asked.
    pub occasion: Occasion,
    /// The answer as written.
    pub answer: String,
    /// The grade, with per-point verdicts.
    pub grade: Grade,
    /// When it was submitted.
    pub at: Timestamp,
}

/// What [`Store::record_attempt`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOutcome {
    /// The answer was new and is now recorded.
    Recorded(Attempt),
    /// The user had already answered this drop or round (or this exact submission was
    /// delivered before): here is the first answer, which stands. Nothing was written.
    AlreadyAnswered(Attempt),
}

impl RecordOutcome {
    /// The attempt that counts, new or first.
    #[must_use]
    pub fn attempt(&self) -> &Attempt {
        match self {
            Self::Recorded(attempt) | Self::AlreadyAnswered(attempt) => attempt,
        }
    }

    /// Whether this call recorded it.
    #[must_use]
    pub fn is_new(&self) -> bool {
        matches!(self, Self::Recorded(_))
    }
}

/// One topic of a user's latest answers, summed in the database: what their stats show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicTotals {
    /// The topic's slug.
    pub topic: String,
    /// Answers in the topic.
    pub answers: u32,
    /// Their summed score.
    pub total: f64,
    /// How many scored at least the pass mark.
    pub passed: u32,
}

macro_rules! attempt_columns {
    () => {
        "id, user_id, guild_id, card_id, topic, occasion, drop_id, round_id, answer, score, \
         points, remarks, grader, created_at"
    };
}
pub(crate) use attempt_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct AttemptRow {
    id: i64,
    user_id: i64,
    guild_id: Option<i64>,
    card_id: String,
    topic: String,
    occasion: String,
    drop_id: Option<i64>,
    round_id: Option<i64>,
    answer: String,
    score: f64,
    points: String,
    remarks: String,
    grader: String,
    created_at: i64,
}

impl TryFrom<AttemptRow> for Attempt {
    type Error = StoreError;

    fn try_from(row: AttemptRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: AttemptId(row.id),
            user: convert::user_from(row.user_id),
            guild: row.guild_id.map(convert::guild_from),
            card: convert::card_from(&row.card_id)?,
            topic: row.topic,
            occasion: Occasion::from_columns(&row.occasion, row.drop_id, row.round_id)?,
            answer: row.answer,
            grade: Grade {
                score: row.score,
                points: serde_json::from_str(&row.points)
                    .map_err(|e| StoreError::corrupt("per-point verdicts", e))?,
                grader: convert::grader_from(&row.grader)?,
                remarks: serde_json::from_str(&row.remarks).map_err(|e| StoreError::corrupt("remarks", e))?,
            },
            at: convert::timestamp(row.created_at)?,
        })
    }
}

pub(crate) fn attempts_from(rows: Vec<AttemptRow>) -> Result<Vec<Attempt>, StoreError> {
    rows.into_iter().map(Attempt::try_from).collect()
}

impl Store {
    /// Records a graded answer, at most once per user for a daily drop, a study round or a
    /// request key. A second submission (a retry, a double click, a race between processes)
    /// writes nothing and returns [`RecordOutcome::AlreadyAnswered`] with the first answer.
    ///
    /// Answers recorded at the same moment share a transaction (see `group_commit.rs`); each
    /// call returns once its answer is committed.
    pub async fn record_attempt(&self, new: &NewAttempt) -> Result<RecordOutcome, StoreError> {
        let insert = Insert::new(new)?;
        let outcome = match self.answers.run(&self.db, insert).await? {
            Written::New(id) => RecordOutcome::Recorded(Attempt {
                id: AttemptId(id),
                user: new.user,
                guild: new.guild,
                card: new.card.clone(),
                topic: new.topic.slug().to_owned(),
                occasion: new.occasion,
                answer: convert::text(&new.answer).into_owned(),
                grade: new.grade.clone(),
                at: new.at,
            }),
            Written::Duplicate(first) => RecordOutcome::AlreadyAnswered(*first),
        };
        Ok(outcome)
    }

    /// One attempt by id.
    pub async fn attempt(&self, id: AttemptId) -> Result<Option<Attempt>, StoreError> {
        let row: Option<AttemptRow> = self
            .db
            .fetch_optional(
                query(concat!(
                    "SELECT ",
                    attempt_columns!(),
                    " FROM attempts WHERE id = $1"
                ))
                .bind(id.0),
            )
            .await?;
        row.map(Attempt::try_from).transpose()
    }

    /// Every answer to a daily drop, first first: for the reveal.
    pub async fn drop_attempts(&self, drop: DropId) -> Result<Vec<Attempt>, StoreError> {
        let rows = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    attempt_columns!(),
                    " FROM attempts WHERE drop_id = $1 ORDER BY created_at, id"
                ))
                .bind(drop.0),
            )
            .await?;
        attempts_from(rows)
    }

    /// Every answer in a study round, first first.
    pub async fn round_attempts(&self, round: RoundId) -> Result<Vec<Attempt>, StoreError> {
        let rows = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    attempt_columns!(),
                    " FROM attempts WHERE round_id = $1 ORDER BY created_at, id"
                ))
                .bind(round.0),
            )
            .await?;
        attempts_from(rows)
    }

    /// Per topic (in slug order), the user's latest `limit` answers counted and summed, and
    /// how many of them scored at least `pass_mark`. Summed by the database, so a user with
    /// thousands of answers costs one indexed range, not thousands of rows decoded.
    pub async fn topic_totals(
        &self,
        user: UserId,
        limit: u32,
        pass_mark: f64,
    ) -> Result<Vec<TopicTotals>, StoreError> {
        let rows: Vec<(String, i64, f64, i64)> = self
            .db
            .fetch_all(
                query(
                    "SELECT topic, COUNT(*), SUM(score), SUM(CASE WHEN score >= $2 THEN 1 ELSE 0 END)
                     FROM (SELECT topic, score FROM attempts WHERE user_id = $1
                           ORDER BY created_at DESC, id DESC LIMIT $3) recent
                     GROUP BY topic ORDER BY topic",
                )
                .bind(convert::user(user))
                .bind(pass_mark)
                .bind(i64::from(limit)),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(topic, answers, total, passed)| TopicTotals {
                topic,
                answers: convert::count(answers),
                total,
                passed: convert::count(passed),
            })
            .collect())
    }

    /// A user's latest answers, newest first: for "your recent answers" and for drawing cards
    /// the user has not seen lately.
    pub async fn recent_attempts(&self, user: UserId, limit: u32) -> Result<Vec<Attempt>, StoreError> {
        let rows = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    attempt_columns!(),
                    " FROM attempts WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
                ))
                .bind(convert::user(user))
                .bind(i64::from(limit)),
            )
            .await?;
        attempts_from(rows)
    }
}

/// An answer checked and converted for the database: the job that group commit runs.
pub(crate) struct Insert {
    user: i64,
    drop: Option<i64>,
    round: Option<i64>,
    request_key: Option<String>,
    occasion: Occasion,
    /// The `INSERT`'s other bind values, in column order after `user_id`.
    guild: Option<i64>,
    card: String,
    topic: String,
    answer: String,
    score: f64,
    points: String,
    remarks: String,
    grader: String,
    at: i64,
}

/// What an [`Insert`] did.
pub(crate) enum Written {
    /// The answer is new; its id.
    New(i64),
    /// The answer that was there first.
    Duplicate(Box<Attempt>),
}

impl Insert {
    fn new(new: &NewAttempt) -> Result<Self, StoreError> {
        let score = new.grade.score;
        if !(0.0..=1.0).contains(&score) {
            return Err(StoreError::Invalid(format!("score {score} is not within 0..=1")));
        }
        let points =
            serde_json::to_string(&new.grade.points).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let remarks =
            serde_json::to_string(&new.grade.remarks).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let (drop, round) = match new.occasion {
            Occasion::DailyDrop(drop) => (Some(drop.0), None),
            Occasion::StudyRound(round) => (None, Some(round.0)),
            Occasion::AdHoc | Occasion::Review => (None, None),
        };
        Ok(Self {
            user: convert::user(new.user),
            drop,
            round,
            request_key: new.request_key.clone(),
            occasion: new.occasion,
            guild: convert::guild_opt(new.guild),
            card: convert::card(&new.card),
            topic: new.topic.slug().to_owned(),
            answer: convert::text(&new.answer).into_owned(),
            score,
            points,
            remarks,
            grader: convert::grader(new.grade.grader),
            at: convert::millis(new.at),
        })
    }

    /// One statement for one answer or a whole batch: one round trip to the database instead
    /// of one per answer, and atomic on its own. A trigger (migration 0002) creates the
    /// users' and guilds' rows, others (0003, 0005, 0008, 0009) add the answers to the running
    /// totals, and the unique indexes turn a duplicate into "nothing inserted". Rows are
    /// inserted in the batch's order, so of two submissions that collide the first is written,
    /// as one statement each would do. The statement returns what identifies each written
    /// row; [`Insert::wrote`] matches rows to answers.
    fn statement(batch: &[&Self]) -> Query {
        let mut sql = String::with_capacity(200 + batch.len() * INSERT_ARITY * 5);
        sql.push_str(concat!("INSERT INTO attempts (", insert_columns!(), ") VALUES "));
        for row in 0..batch.len() {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for column in 0..INSERT_ARITY {
                if column > 0 {
                    sql.push_str(", ");
                }
                // Writing to a String cannot fail.
                let _ = write!(sql, "${}", row * INSERT_ARITY + column + 1);
            }
            sql.push(')');
        }
        sql.push_str(
            " ON CONFLICT DO NOTHING
             RETURNING id, user_id, created_at, card_id, drop_id, round_id, request_key, score, answer",
        );
        batch
            .iter()
            .fold(Query::assembled(sql), |query, insert| insert.bind_values(query))
    }

    /// Binds the columns of `insert_columns!`, in order.
    fn bind_values(&self, query: Query) -> Query {
        query
            .bind(self.user)
            .bind(self.guild)
            .bind(self.card.as_str())
            .bind(self.topic.as_str())
            .bind(self.occasion.kind())
            .bind(self.drop)
            .bind(self.round)
            .bind(self.request_key.clone())
            .bind(self.answer.as_str())
            .bind(self.score)
            .bind(self.points.as_str())
            .bind(self.remarks.as_str())
            .bind(self.grader.as_str())
            .bind(self.at)
    }

    /// Whether `row` is this answer as written. Two answers alike in all of these (same user,
    /// card, moment, text and score, and no key that could collide) are copies of one answer,
    /// so which of them gets which id changes nothing.
    fn wrote(&self, row: &Inserted) -> bool {
        row.user_id == self.user
            && row.created_at == self.at
            && row.card_id == self.card
            && row.drop_id == self.drop
            && row.round_id == self.round
            && row.request_key == self.request_key
            && row.score.to_bits() == self.score.to_bits()
            && row.answer == self.answer
    }

    /// The attempt that a duplicate collided with. It is committed, or written earlier in
    /// the same transaction: a conflicting insert on Postgres waits for the other transaction,
    /// and SQLite runs one writer at a time.
    async fn first(&self, conn: &mut Conn<'_>) -> Result<Attempt, StoreError> {
        let row: AttemptRow = conn
            .fetch_one(
                query(concat!(
                    "SELECT ",
                    attempt_columns!(),
                    " FROM attempts WHERE user_id = $1
                       AND (drop_id = $2 OR round_id = $3 OR request_key = $4)
                     ORDER BY id LIMIT 1"
                ))
                .bind(self.user)
                .bind(self.drop)
                .bind(self.round)
                .bind(self.request_key.clone()),
            )
            .await?;
        Attempt::try_from(row)
    }
}

/// The columns an [`Insert`] writes, in bind order.
macro_rules! insert_columns {
    () => {
        "user_id, guild_id, card_id, topic, occasion, drop_id, round_id, request_key, answer, score, \
         points, remarks, grader, created_at"
    };
}
use insert_columns;

/// How many values `insert_columns!` names.
const INSERT_ARITY: usize = 14;

/// What [`Insert::statement`] returns of each row it wrote.
#[derive(sqlx::FromRow)]
pub(crate) struct Inserted {
    id: i64,
    user_id: i64,
    created_at: i64,
    card_id: String,
    drop_id: Option<i64>,
    round_id: Option<i64>,
    request_key: Option<String>,
    score: f64,
    answer: String,
}

impl Job for Insert {
    type Output = Written;

    fn order(&self) -> i64 {
        self.user
    }

    async fn in_batch(jobs: &[&Self], conn: &mut Conn<'_>) -> Result<Vec<Written>, StoreError> {
        let inserted: Vec<Inserted> = conn.fetch_all(Self::statement(jobs)).await?;
        let mut unclaimed: Vec<Option<Inserted>> = inserted.into_iter().map(Some).collect();
        let mut outputs = Vec::with_capacity(jobs.len());
        for job in jobs {
            // The first unclaimed row that is this answer; rows come back in no promised
            // order. None: the answer collided with one written before (maybe in this batch).
            let row = unclaimed
                .iter_mut()
                .find(|row| row.as_ref().is_some_and(|row| job.wrote(row)))
                .and_then(Option::take);
            outputs.push(match row {
                Some(row) => Written::New(row.id),
                None => Written::Duplicate(Box::new(job.first(conn).await?)),
            });
        }
        // A row no answer claims would mean the matching is wrong: fail the batch, and group
        // commit rolls it back and writes each answer on its own.
        if unclaimed.iter().any(Option::is_some) {
            return Err(StoreError::corrupt(
                "a batch of answers",
                "a written row matched no answer",
            ));
        }
        Ok(outputs)
    }

    async fn alone(&self, db: &Db) -> Result<Written, StoreError> {
        let inserted: Option<Inserted> = db
            .write_optional(Self::statement(&[self]))
            .await
            .map_err(|e| missing_occasion(e, self.occasion))?;
        Ok(match inserted {
            Some(row) => Written::New(row.id),
            None => Written::Duplicate(Box::new(self.first(&mut db.acquire().await?.conn()).await?)),
        })
    }
}

/// A foreign-key failure on insert means the drop or round does not exist.
fn missing_occasion(error: sqlx::Error, occasion: Occasion) -> StoreError {
    let is_fk = error
        .as_database_error()
        .is_some_and(sqlx::error::DatabaseError::is_foreign_key_violation);
    match (is_fk, occasion) {
        (true, Occasion::DailyDrop(drop)) => StoreError::NotFound {
            what: "daily drop",
            id: drop.0,
        },
        (true, Occasion::StudyRound(round)) => StoreError::NotFound {
            what: "study round",
            id: round.0,
        },
        _ => StoreError::Database(error),
    }
}
