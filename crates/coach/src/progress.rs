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
        let attempts = self.store.recent_attempts(user, STATS_WINDOW).await?;
        let mut topics: Vec<TopicStats> = Vec::new();
        for attempt in &attempts {
            match topics.iter_mut().find(|t| t.topic == attempt.topic) {
                Some(t) => {
                    t.average += attempt.grade.score;
                    t.answers += 1;
                }
                None => topics.push(TopicStats {
                    topic: attempt.topic.clone(),
                    answers: 1,
                    average: attempt.grade.score,
                }),
            }
        }
        for t in &mut topics {
            t.average /= f64::from(t.answers);
        }
        topics.sort_by(|a, b| {
            a.average
                .total_cmp(&b.average)
                .then_with(|| a.topic.cmp(&b.topic))
        });
        let answers = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
        let total: f64 = attempts.iter().map(|a| a.grade.score).sum();
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
            passed: u32::try_from(
                attempts
                    .iter()
                    .filter(|a| a.grade.score >= self.policy.pass_mark)
                    .count(),
            )
            .unwrap_or(u32::MAX),
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
