//! Validated model verdicts, remembered so that the same answer to the same card always gets
//! the same grade (and costs one request). Keyed by a hash of everything the verdicts depend on:
//! the model, the prompt's version and text, the card, and the answer after normalisation.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use cuecard_core::KeyPoint;
use unicode_normalization::UnicodeNormalization;

use super::prompt::{GRADE_TEMPLATE, PROMPT_VERSION};
use super::reply::ModelVerdict;
use crate::GradeRequest;

/// A cache key: a BLAKE3 hash, so that long answers cost 32 bytes each.
pub(crate) type Key = [u8; 32];

/// A bounded map from key to verdicts; the oldest entry goes when it is full (grades do not go
/// stale, so recency buys little over insertion order).
#[derive(Debug)]
pub(crate) struct VerdictCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<Key, Vec<ModelVerdict>>,
    order: VecDeque<Key>,
}

impl VerdictCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub(crate) fn get(&self, key: &Key) -> Option<Vec<ModelVerdict>> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.map.get(key).cloned()
    }

    pub(crate) fn insert(&self, key: Key, verdicts: Vec<ModelVerdict>) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.map.insert(key, verdicts).is_none() {
            inner.order.push_back(key);
        }
        while inner.map.len() > self.capacity {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            inner.map.remove(&oldest);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map
            .len()
    }
}

/// The key of a request to `model`. The question and key points are hashed even when the card
/// has an id: an edited sheet keeps its card ids but changes what a right answer is.
pub(crate) fn key(model: &str, request: &GradeRequest<'_>) -> Key {
    let mut hasher = blake3::Hasher::new();
    let mut field = |text: &str| {
        // Length-prefixed, so that no two different field lists hash the same bytes.
        hasher.update(&(text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    };
    field(model);
    field(&PROMPT_VERSION);
    field(GRADE_TEMPLATE);
    field(request.card_id.map_or("", |id| id.as_str()));
    field(request.question);
    for KeyPoint { subject, body } in request.key_points {
        field(subject.as_deref().unwrap_or(""));
        field(body);
    }
    field(&normalised_answer(request.answer));
    *hasher.finalize().as_bytes()
}

/// The answer as far as grading cares: Unicode-compatible forms folded, case folded, runs of
/// whitespace made one space.
fn normalised_answer(answer: &str) -> String {
    let folded: String = answer.nfkc().flat_map(char::to_lowercase).collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use cuecard_core::Verdict;

    use super::*;

    fn request<'a>(points: &'a [KeyPoint], answer: &'a str) -> GradeRequest<'a> {
        GradeRequest {
            card_id: None,
            question: "Q?",
            key_points: points,
            answer,
            topic: None,
        }
    }

    #[test]
    fn keys_ignore_case_and_spacing_but_not_content_model_or_card() {
        let points = [KeyPoint::new("stateful")];
        let other = [KeyPoint::new("stateless")];
        let base = key("m", &request(&points, "SGs are  stateful"));
        assert_eq!(base, key("m", &request(&points, "sgs are stateful\n")));
        assert_ne!(base, key("m", &request(&points, "SGs are stateless")));
        assert_ne!(base, key("m2", &request(&points, "SGs are stateful")));
        assert_ne!(base, key("m", &request(&other, "SGs are stateful")));
    }

    #[test]
    fn the_oldest_entry_goes_when_full() {
        let cache = VerdictCache::new(2);
        let v = vec![ModelVerdict {
            verdict: Verdict::Covered,
            evidence: "x".into(),
        }];
        for k in 0..3u8 {
            cache.insert([k; 32], v.clone());
        }
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&[0; 32]).is_none());
        assert_eq!(cache.get(&[2; 32]), Some(v));
    }
}
