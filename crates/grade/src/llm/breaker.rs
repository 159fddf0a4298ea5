//! A circuit breaker: after a few failures in a row the endpoint is left alone for a while, so
//! that a dead server costs users nothing (the keyword grade comes at once) instead of a
//! timeout each. After the pause one request probes it; a success closes the breaker.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Consecutive failures, and until when calls are held back.
#[derive(Debug)]
pub(crate) struct Breaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
    /// A probe is in flight after a pause: the others keep falling back until it reports.
    probing: bool,
}

impl Breaker {
    pub(crate) fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            threshold: threshold.max(1),
            cooldown,
            state: Mutex::new(State::default()),
        }
    }

    /// Whether a call may go out now; if not, how long until the next probe.
    pub(crate) fn allow(&self) -> Result<(), Duration> {
        self.allow_at(Instant::now())
    }

    pub(crate) fn allow_at(&self, now: Instant) -> Result<(), Duration> {
        // A panic elsewhere while holding the lock leaves plain counters behind: still usable.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match state.open_until {
            None => Ok(()),
            Some(until) if now < until => Err(until - now),
            Some(_) if state.probing => Err(Duration::ZERO),
            Some(_) => {
                state.probing = true;
                Ok(())
            }
        }
    }

    pub(crate) fn success(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        *state = State::default();
    }

    pub(crate) fn failure(&self) {
        self.failure_at(Instant::now());
    }

    pub(crate) fn failure_at(&self, now: Instant) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.failures = state.failures.saturating_add(1);
        state.probing = false;
        if state.failures >= self.threshold {
            state.open_until = Some(now + self.cooldown);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_and_probes_once_after_the_cooldown() {
        let breaker = Breaker::new(3, Duration::from_secs(30));
        let t0 = Instant::now();
        for _ in 0..2 {
            assert_eq!(breaker.allow_at(t0), Ok(()));
            breaker.failure_at(t0);
        }
        assert_eq!(breaker.allow_at(t0), Ok(()), "two failures are not yet a pattern");
        breaker.failure_at(t0);
        assert_eq!(
            breaker.allow_at(t0 + Duration::from_secs(10)),
            Err(Duration::from_secs(20))
        );
        let later = t0 + Duration::from_secs(31);
        assert_eq!(breaker.allow_at(later), Ok(()), "one probe after the pause");
        assert!(breaker.allow_at(later).is_err(), "only one probe at a time");
        breaker.failure_at(later);
        assert!(
            breaker.allow_at(later + Duration::from_secs(1)).is_err(),
            "a failed probe pauses again"
        );
        let much_later = later + Duration::from_secs(31);
        assert_eq!(breaker.allow_at(much_later), Ok(()));
        breaker.success();
        assert_eq!(breaker.allow_at(much_later), Ok(()));
        assert_eq!(
            breaker.allow_at(much_later),
            Ok(()),
            "closed again: no probe limit"
        );
    }

    #[test]
    fn a_success_resets_the_count() {
        let breaker = Breaker::new(2, Duration::from_secs(30));
        let t0 = Instant::now();
        breaker.failure_at(t0);
        breaker.success();
        breaker.failure_at(t0);
        assert_eq!(breaker.allow_at(t0), Ok(()));
    }
}
