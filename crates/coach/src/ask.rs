//! Choosing what to ask: a fresh card, or the cards whose review is due.

use cuecard_core::{Card, UserId};
use cuecard_store::ReviewState;

use crate::{Coach, CoachError};

/// A card whose review is due, with its schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct DueCard {
    /// The card.
    pub card: Card,
    /// Its review state (when it fell due, how often it was reviewed).
    pub state: ReviewState,
}

impl Coach {
    /// A card to ask `user`, from the topics `topic` selects (all when `None`), avoiding the
    /// cards the user answered most recently.
    pub async fn ask(&self, user: UserId, topic: Option<&str>) -> Result<Card, CoachError> {
        let recent: Vec<_> = self
            .store
            .recent_attempts(user, self.policy.recent_window)
            .await?
            .into_iter()
            .map(|a| a.card)
            .collect();
        let card = {
            let mut rng = self.rng.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            self.index().draw(topic, &recent, &mut *rng)?
        };
        card.ok_or_else(|| {
            CoachError::NoCards(topic.map(|t| format!(" in topic \"{t}\"")).unwrap_or_default())
        })
    }

    /// The user's cards due for review now, most overdue first. Cards that are no longer in
    /// the sheet are skipped.
    pub async fn due(&self, user: UserId, limit: u32) -> Result<Vec<DueCard>, CoachError> {
        let states = self.store.due_reviews(user, self.clock.now(), limit).await?;
        let mut due = Vec::with_capacity(states.len());
        let index = self.index();
        for state in states {
            if let Some(card) = index.card(&state.card)? {
                due.push(DueCard { card, state });
            }
        }
        Ok(due)
    }

    /// Every scheduled card of the user, soonest due first (due or not).
    pub async fn schedule(&self, user: UserId) -> Result<Vec<DueCard>, CoachError> {
        let states = self.store.review_states(user).await?;
        let mut all = Vec::with_capacity(states.len());
        let index = self.index();
        for state in states {
            if let Some(card) = index.card(&state.card)? {
                all.push(DueCard { card, state });
            }
        }
        Ok(all)
    }
}
