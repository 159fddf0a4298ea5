//! Prepared cards kept by the grader, so that grading many answers to the same card (a study
//! session, a daily drop, `eval` over a data file) normalises the card once.
//!
//! Keyed by the card's content (question, key points, topic), not by its id: a sheet edited and
//! reloaded under the same ids must not be graded against its old key points, and callers that
//! have no id (`grade --jsonl`, `eval`) benefit too. A hit is checked against the full content, so
//! a hash collision costs a miss, never a wrong grade.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::{Arc, Mutex};

use cuecard_core::{KeyPoint, Topic};

use super::PreparedCard;

/// Locks are per shard, so threads grading different cards rarely wait on each other.
const SHARDS: usize = 8;

/// Cards kept per shard; a full shard is emptied (a study session's cards are soon prepared
/// again). 8 x 256 cards is far more than a sheet holds and a few megabytes at most.
const CARDS_PER_SHARD: usize = 256;

/// The grader's bounded, thread-safe store of prepared cards.
pub(super) struct CardCache {
    hasher: RandomState,
    shards: [Mutex<HashMap<u64, Arc<PreparedCard>>>; SHARDS],
}

impl CardCache {
    pub(super) fn new() -> Self {
        Self {
            hasher: RandomState::new(),
            shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
        }
    }

    /// The prepared card for this content, from the cache or from `prepare` (then kept).
    pub(super) fn get_or_prepare(
        &self,
        question: &str,
        key_points: &[KeyPoint],
        topic: Option<&Topic>,
        prepare: impl FnOnce() -> PreparedCard,
    ) -> Arc<PreparedCard> {
        let key = self.key(question, key_points, topic);
        let shard = &self.shards[(key % SHARDS as u64) as usize];
        // A poisoned lock only means another thread panicked while holding it; the map itself
        // is always consistent (one insert or one clear), so keep using it.
        let found = shard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .filter(|card| card.is_for(question, key_points, topic))
            .cloned();
        if let Some(card) = found {
            return card;
        }
        // Prepared outside the lock: two threads may both prepare a new card, which is harmless.
        let card = Arc::new(prepare());
        let mut map = shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= CARDS_PER_SHARD {
            map.clear();
        }
        map.insert(key, Arc::clone(&card));
        card
    }

    fn key(&self, question: &str, key_points: &[KeyPoint], topic: Option<&Topic>) -> u64 {
        let mut h = self.hasher.build_hasher();
        question.hash(&mut h);
        key_points.len().hash(&mut h);
        for point in key_points {
            point.subject.hash(&mut h);
            point.body.hash(&mut h);
        }
        topic.hash(&mut h);
        h.finish()
    }
}

/// A copy of a grader starts with an empty cache: its word lists or calibration may be changed
/// next, and cards prepared with the old ones would grade differently.
impl Clone for CardCache {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for CardCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cards: usize = self.shards.iter().map(|s| s.lock().map_or(0, |m| m.len())).sum();
        write!(f, "CardCache({cards} cards)")
    }
}
