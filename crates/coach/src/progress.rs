//! Progress: a user's own numbers, and the leaderboards.

use cuecard_core::UserId;
use cuecard_store::{Board, LeaderboardPage, Page, Surroundings};
use jiff::Timestamp;
use serde::Serialize;

use crate::{Coach, CoachError};

/// How many recent answers `stats` looks at: enough for any real user's history, bounded so a
/// heavy user cannot make the command slow.
const STATS_WINDOW: u32 = 10_000;

/// One topic in a user's stats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicStats {
    /// The topic's slug.
    pub topic: String,
    /// Answers given.
    pub answers: u32,
    /// Mean score.
    pub average: f64,
}

/// A user's progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Answers given.
    pub answers: u32,
    /// Mean score over all answers.
    pub average: f64,
    /// Answers that passed.
    pub passed: u32,
    /// Per topic, weakest first.
    pub topics: Vec<TopicStats>,
    /// Cards in the review schedule.
    pub scheduled: u32,
    /// Cards due now.
    pub due_now: u32,
    /// When the next card falls due, if none is due now.
    pub next_due: Option<Timestamp>,
}

impl Coach {
    /// The user's progress.
    pub async fn stats(&self, user: UserId) -> Result<Stats, CoachError> {
        let totals = self
            .store
            .topic_totals(user, STATS_WINDOW, self.policy.pass_mark)
            .await?;
        let mut topics: Vec<TopicStats> = totals
            .iter()
            .map(|t| TopicStats {
                topic: t.topic.clone(),
                answers: t.answers,
                average: t.total / f64::from(t.answers.max(1)),
            })
            .collect();
        topics.sort_by(|a, b| {
            a.average
                .total_cmp(&b.average)
                .then_with(|| a.topic.cmp(&b.topic))
        });
        let answers: u32 = totals.iter().map(|t| t.answers).sum();
        let total: f64 = totals.iter().map(|t| t.total).sum();
        let passed: u32 = totals.iter().map(|t| t.passed).sum();
        let now = self.clock.now();
        let schedule = self.store.review_states(user).await?;
        let due_now = schedule.iter().filter(|s| s.due <= now).count();
        Ok(Stats {
            answers,
            average: if answers == 0 {
                0.0
            } else {
                total / f64::from(answers)
            },
            passed,
            topics,
            scheduled: u32::try_from(schedule.len()).unwrap_or(u32::MAX),
            due_now: u32::try_from(due_now).unwrap_or(u32::MAX),
            next_due: schedule.iter().map(|s| s.due).filter(|&d| d > now).min(),
        })
    }

    /// A page of a leaderboard, as of now.
    pub async fn leaderboard(&self, board: &Board, page: Page) -> Result<LeaderboardPage, CoachError> {
        Ok(self.store.leaderboard(board, self.clock.now(), page).await?)
    }

    /// The user's place on a board with `neighbours` places either side; `None` when the user
    /// has no answers on that board.
    pub async fn standing(
        &self,
        board: &Board,
        user: UserId,
        neighbours: u32,
    ) -> Result<Option<Surroundings>, CoachError> {
        Ok(self
            .store
            .standing(board, user, self.clock.now(), neighbours)
            .await?)
    }
}
