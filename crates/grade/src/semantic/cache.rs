//! Key-point embeddings per card, so a card's points are embedded once, not at every answer.
//! Bounded: when full, the oldest card is forgotten (a sheet has a few hundred cards; the bound
//! only matters for `grade --jsonl` over many distinct references).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use super::Embedding;

/// The cache key: a hash of the key points' texts as embedded (abbreviations written out), so
/// an edited card is embedded afresh and cards with the same points share an entry.
pub(crate) type Key = [u8; 32];

/// The key for these (expanded) key-point texts.
pub(crate) fn key(texts: &[String]) -> Key {
    let mut hasher = blake3::Hasher::new();
    for t in texts {
        hasher.update(&(t.len() as u64).to_le_bytes());
        hasher.update(t.as_bytes());
    }
    *hasher.finalize().as_bytes()
}

#[derive(Debug)]
pub(crate) struct PointCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<Key, Arc<[Embedding]>>,
    order: VecDeque<Key>,
}

impl PointCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn get(&self, key: &Key) -> Option<Arc<[Embedding]>> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.map.get(key).cloned()
    }

    pub fn insert(&self, key: Key, value: Arc<[Embedding]>) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.map.insert(key, value).is_none() {
            inner.order.push_back(key);
        }
        while inner.order.len() > self.capacity {
            if let Some(old) = inner.order.pop_front() {
                inner.map.remove(&old);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_card_is_forgotten_first() {
        let cache = PointCache::new(2);
        let e: Arc<[Embedding]> = vec![Embedding::unit(vec![1.0])].into();
        let keys: Vec<Key> = (0..3).map(|i| key(&[format!("point {i}")])).collect();
        for k in &keys {
            cache.insert(*k, Arc::clone(&e));
        }
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&keys[0]).is_none());
        assert!(cache.get(&keys[2]).is_some());
        assert_ne!(key(&["a b".into()]), key(&["a".into(), "b".into()]));
    }
}
