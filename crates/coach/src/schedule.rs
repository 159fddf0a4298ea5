//! Spaced repetition: a graded answer becomes an FSRS review.
//!
//! The score of an answer maps to one of FSRS's four ratings by [`RatingBands`]; FSRS (the
//! scheduler Anki uses) turns the card's memory state and that rating into the next state and an
//! interval. A poor answer comes back within hours, a good one after days, and each good answer
//! in a row pushes the next review further out.

use cuecard_core::{CardId, UserId};
use cuecard_store::{AttemptId, ReviewState, ReviewUpdate};
use fsrs::{FSRS, MemoryState};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// FSRS's four answers to "how well did you remember?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    /// Not remembered: the card comes back soon.
    Again = 1,
    /// Remembered with difficulty.
    Hard = 2,
    /// Remembered.
    Good = 3,
    /// Remembered easily.
    Easy = 4,
}

/// Where scores turn into ratings. The defaults follow what a grade means to a person: under
/// 40% the answer missed the point (Again), under 60% it was shaky (Hard), under 85% it was good,
/// and above that it was complete (Easy).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RatingBands {
    /// Scores below this are Again.
    pub again_below: f64,
    /// Scores below this (and not Again) are Hard.
    pub hard_below: f64,
    /// Scores below this (and not Hard) are Good; the rest are Easy.
    pub good_below: f64,
}

impl Default for RatingBands {
    fn default() -> Self {
        Self {
            again_below: 0.4,
            hard_below: 0.6,
            good_below: 0.85,
        }
    }
}

impl RatingBands {
    /// The rating a score earns.
    #[must_use]
    pub fn rate(&self, score: f64) -> Rating {
        if score < self.again_below {
            Rating::Again
        } else if score < self.hard_below {
            Rating::Hard
        } else if score < self.good_below {
            Rating::Good
        } else {
            Rating::Easy
        }
    }
}

/// The shortest gap before a card comes back: even a forgotten card waits a few minutes, so a
/// practice session does not ask it again at once.
const MIN_INTERVAL: SignedDuration = SignedDuration::from_mins(10);

/// FSRS with cuecard's settings.
pub struct Scheduler {
    fsrs: FSRS,
    retention: f32,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    /// FSRS with its default parameters, aiming at `retention` (0.9 is Anki's default: nine
    /// reviews in ten should succeed).
    pub fn new(retention: f32) -> Result<Self, String> {
        let fsrs = FSRS::new(&[]).map_err(|e| e.to_string())?;
        if !(0.7..=0.99).contains(&retention) {
            return Err(format!("desired retention {retention} is outside 0.70..=0.99"));
        }
        Ok(Self { fsrs, retention })
    }

    /// The card's next state after an answer rated `rating` at `now`.
    pub fn review(
        &self,
        user: UserId,
        card: &CardId,
        previous: Option<&ReviewState>,
        rating: Rating,
        now: Timestamp,
        attempt: Option<AttemptId>,
    ) -> Result<ReviewUpdate, String> {
        let memory = previous.map(|p| MemoryState {
            stability: p.stability as f32,
            difficulty: p.difficulty as f32,
        });
        let elapsed_days = previous
            .and_then(|p| p.last_review)
            .map_or(0, |last| (now.duration_since(last).as_secs() / 86_400).max(0));
        let states = self
            .fsrs
            .next_states(
                memory,
                self.retention,
                u32::try_from(elapsed_days).unwrap_or(u32::MAX),
            )
            .map_err(|e| e.to_string())?;
        let next = match rating {
            Rating::Again => states.again,
            Rating::Hard => states.hard,
            Rating::Good => states.good,
            Rating::Easy => states.easy,
        };
        let interval = SignedDuration::try_from_secs_f64(f64::from(next.interval) * 86_400.0)
            .unwrap_or(SignedDuration::MAX)
            .max(MIN_INTERVAL);
        let due = now.saturating_add(interval).unwrap_or(Timestamp::MAX);
        // Whole seconds: what the store keeps exactly, and all the precision a schedule needs.
        let due = Timestamp::from_second(due.as_second()).unwrap_or(due);
        Ok(ReviewUpdate {
            user,
            card: card.clone(),
            rating: rating as u8,
            reviewed_at: now,
            attempt,
            stability: f64::from(next.memory.stability),
            difficulty: f64::from(next.memory.difficulty),
            due,
            reps: previous.map_or(0, |p| p.reps) + 1,
            lapses: previous.map_or(0, |p| p.lapses)
                + u32::from(previous.is_some() && rating == Rating::Again),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(update: &ReviewUpdate) -> ReviewState {
        ReviewState {
            user: update.user,
            card: update.card.clone(),
            stability: update.stability,
            difficulty: update.difficulty,
            due: update.due,
            reps: update.reps,
            lapses: update.lapses,
            last_review: Some(update.reviewed_at),
        }
    }

    #[test]
    fn bands_cover_the_whole_range() {
        let bands = RatingBands::default();
        assert_eq!(bands.rate(0.0), Rating::Again);
        assert_eq!(bands.rate(0.39), Rating::Again);
        assert_eq!(bands.rate(0.4), Rating::Hard);
        assert_eq!(bands.rate(0.7), Rating::Good);
        assert_eq!(bands.rate(1.0), Rating::Easy);
        assert_eq!(
            bands.rate(f64::NAN),
            Rating::Easy,
            "NaN compares false; never reaches a grade"
        );
    }

    #[test]
    fn good_answers_push_reviews_out_and_a_bad_one_pulls_it_in() -> Result<(), String> {
        let scheduler = Scheduler::new(0.9)?;
        let card = CardId::parse("0123456789ab").unwrap();
        let mut now = Timestamp::UNIX_EPOCH;
        let mut previous: Option<ReviewState> = None;
        let mut gaps = Vec::new();
        for _ in 0..4 {
            let update = scheduler.review(UserId(1), &card, previous.as_ref(), Rating::Good, now, None)?;
            gaps.push(update.due.duration_since(now));
            now = update.due;
            previous = Some(state(&update));
        }
        assert!(gaps.windows(2).all(|w| w[1] > w[0]), "{gaps:?}");
        let lapse = scheduler.review(UserId(1), &card, previous.as_ref(), Rating::Again, now, None)?;
        assert!(lapse.due.duration_since(now) < gaps[1], "{lapse:?}");
        assert_eq!(lapse.lapses, 1);
        assert_eq!(lapse.reps, 5);
        Ok(())
    }

    #[test]
    fn a_new_card_answered_badly_comes_back_before_one_answered_well() -> Result<(), String> {
        let scheduler = Scheduler::new(0.9)?;
        let card = CardId::parse("0123456789ab").unwrap();
        let now = Timestamp::UNIX_EPOCH;
        let bad = scheduler.review(UserId(1), &card, None, Rating::Again, now, None)?;
        let good = scheduler.review(UserId(1), &card, None, Rating::Easy, now, None)?;
        assert!(bad.due < good.due);
        assert!(bad.due.duration_since(now) >= MIN_INTERVAL);
        assert!(good.due.duration_since(now) >= SignedDuration::from_hours(24));
        Ok(())
    }

    #[test]
    fn retention_outside_reason_is_refused() {
        assert!(Scheduler::new(0.5).is_err());
        assert!(Scheduler::new(1.0).is_err());
    }
}
