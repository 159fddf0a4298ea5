//! Answering: grade, apply hints, record once, schedule the next review.

use cuecard_core::{Card, CardId, Grade, GuildId, KeyPoint, UserId};
use cuecard_grade::GradeRequest;
use cuecard_store::{Attempt, NewAttempt, Occasion, RecordOutcome, ReviewState};
use jiff::Timestamp;

use crate::{Coach, CoachError};

/// An answer to record.
#[derive(Debug, Clone)]
pub struct AnswerRequest<'a> {
    /// Who answered.
    pub user: UserId,
    /// Where (`None` for a DM or the terminal).
    pub guild: Option<GuildId>,
    /// Which card.
    pub card: &'a CardId,
    /// The answer as typed.
    pub answer: &'a str,
    /// Why the card was asked (ad hoc, review, daily drop, study round).
    pub occasion: Occasion,
    /// How many hints the user took first.
    pub hints: u8,
    /// Identifies the submission (a Discord interaction id), so a redelivery records nothing.
    pub request_key: Option<String>,
}

impl<'a> AnswerRequest<'a> {
    /// An on-demand answer with no hints, outside any guild.
    #[must_use]
    pub fn ad_hoc(user: UserId, card: &'a CardId, answer: &'a str) -> Self {
        Self {
            user,
            guild: None,
            card,
            answer,
            occasion: Occasion::AdHoc,
            hints: 0,
            request_key: None,
        }
    }
}

/// What answering did: everything a skin shows.
#[derive(Debug, Clone)]
pub struct Answered {
    /// The card answered.
    pub card: Card,
    /// The grade that counts. When the user had already answered (a daily drop answered
    /// twice), this is the first grade, which stands.
    pub grade: Grade,
    /// The recorded attempt.
    pub attempt: Attempt,
    /// False when nothing new was recorded because this was a repeat.
    pub recorded: bool,
    /// When the card is next due for review.
    pub next_review: Timestamp,
}

/// A key point revealed before answering.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    /// The point revealed.
    pub point: KeyPoint,
    /// Which hint this is (1 for the first).
    pub number: u8,
    /// How many points the card has.
    pub of: usize,
    /// The fraction the score will keep after this many hints (0.85 after one, by default).
    pub score_kept: f64,
}

impl Coach {
    /// The fraction of the score kept after `hints` hints.
    pub fn score_kept(&self, hints: u8) -> f64 {
        1.0 - (self.policy.hint_cost * f64::from(hints)).min(self.policy.max_hint_penalty)
    }

    /// The next hint for a card when `taken` hints were already given: the next key point in
    /// order. `None` when every point has been revealed.
    pub fn hint(&self, card: &Card, taken: u8) -> Option<Hint> {
        let point = card.key_points.get(usize::from(taken))?.clone();
        let number = taken.saturating_add(1);
        Some(Hint {
            point,
            number,
            of: card.key_points.len(),
            score_kept: self.score_kept(number),
        })
    }

    /// Grades an answer, records it (once, however often it is submitted) and schedules the
    /// card's next review.
    pub async fn answer(&self, request: AnswerRequest<'_>) -> Result<Answered, CoachError> {
        let card = self.card(request.card)?;
        let mut grade = self
            .grader
            .grade(GradeRequest::for_card(&card, request.answer))
            .await;
        if request.hints > 0 {
            let kept = self.score_kept(request.hints);
            grade.score *= kept;
            grade.remarks.push(format!(
                "{} hint{} taken: the score keeps {:.0}%",
                request.hints,
                if request.hints == 1 { "" } else { "s" },
                kept * 100.0
            ));
        }
        let now = self.clock.now();
        let outcome = self
            .store
            .record_attempt(&NewAttempt {
                user: request.user,
                guild: request.guild,
                card: card.id.clone(),
                topic: card.topic.clone(),
                occasion: request.occasion,
                answer: request.answer.to_owned(),
                grade,
                at: now,
                request_key: request.request_key,
            })
            .await?;
        let recorded = outcome.is_new();
        let attempt = match outcome {
            RecordOutcome::Recorded(attempt) | RecordOutcome::AlreadyAnswered(attempt) => attempt,
        };
        // The attempt is recorded. From here on a failure must not reach the user as an error
        // ("nothing was saved, try again"): a retry is a new submission and would record the
        // answer twice. The grade stands, and says that its review could not be scheduled.
        let mut grade = attempt.grade.clone();
        let not_scheduled = |error: &CoachError| {
            format!(
                "Your answer is saved, but its next review could not be scheduled ({error}); the card counts as due now."
            )
        };
        let next_review = match self.store.review_state(request.user, &card.id).await {
            // A repeat whose first delivery was recorded but never scheduled (the process was
            // killed, or the database went away, between the two writes) is scheduled now.
            Ok(previous) if recorded || unscheduled(previous.as_ref(), &attempt) => {
                match self.schedule_review(&attempt, previous.as_ref(), now).await {
                    Ok(due) => due,
                    Err(error) => {
                        grade.remarks.push(not_scheduled(&error));
                        now
                    }
                }
            }
            Ok(previous) => previous.map_or(now, |p| p.due),
            Err(error) => {
                grade.remarks.push(not_scheduled(&error.into()));
                now
            }
        };
        Ok(Answered {
            card,
            grade,
            attempt,
            recorded,
            next_review,
        })
    }

    /// Schedules the card's next review from a recorded attempt; returns when it is due.
    async fn schedule_review(
        &self,
        attempt: &Attempt,
        previous: Option<&ReviewState>,
        now: Timestamp,
    ) -> Result<Timestamp, CoachError> {
        let rating = self.policy.bands.rate(attempt.grade.score);
        let update = self
            .scheduler
            .review(
                attempt.user,
                &attempt.card,
                previous,
                rating,
                now,
                Some(attempt.id),
            )
            .map_err(CoachError::Schedule)?;
        self.store.record_review(&update).await?;
        Ok(update.due)
    }
}

/// Whether a recorded attempt never got its review: the card has none, or its last review is
/// older than the attempt (a review is written with the attempt's own timestamp).
fn unscheduled(previous: Option<&ReviewState>, attempt: &Attempt) -> bool {
    previous.is_none_or(|p| p.last_review.is_none_or(|at| at < attempt.at))
}
