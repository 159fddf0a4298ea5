//! Abuse limits: how many answers one user may have graded per minute.
//!
//! Grading is the only thing a user can make the bot do that costs more than a database read,
//! and with an LLM grader every answer is a paid, slow model call. A script that submits answers
//! in a loop must not starve everyone else, so each user gets a sliding window of graded answers;
//! past it they get a polite, private "wait a little" instead of a grade, and nothing is recorded.
//!
//! The window counts answers the bot accepted for grading, whatever their score. It lives in
//! memory: a restart forgets it, which costs an abuser nothing they could not get by waiting.
//!
//! Trust boundary of admin commands, for the record (no code here needs it): `/daily set`,
//! `/sheet upload` and the other admin commands rely on poise's `required_permissions`, which
//! compares against `member.permissions` in the interaction. The interaction reaches the bot over
//! its own authenticated gateway connection, and Discord computes that field server-side from the
//! member's roles and the channel's overwrites; a user cannot send the bot an interaction, only
//! ask Discord to create one. So the field is as trustworthy as Discord itself, and a client that
//! "claims" permissions cannot change it. A guild interaction without a `member` cannot come from
//! Discord; `tests/e2e/hostile.rs` pins that such a payload changes nothing and leaves the bot up.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cuecard_core::UserId;

use crate::{Data, Refusal};

/// Graded answers per user per [`WINDOW`] with the keyword grader (microseconds each): far more
/// than anyone answering by hand, few enough that a loop cannot flood the database.
pub(crate) const KEYWORD_ANSWERS_PER_WINDOW: usize = 30;
/// Graded answers per user per [`WINDOW`] when an LLM grades: each is a model call that others
/// wait behind, so the bar is a thoughtful answer every ten seconds.
pub(crate) const LLM_ANSWERS_PER_WINDOW: usize = 6;
// LLM grading is the stricter limit; checked when compiling.
const _: () = assert!(LLM_ANSWERS_PER_WINDOW < KEYWORD_ANSWERS_PER_WINDOW);
/// The sliding window the limits count over.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);
/// Past this many users tracked, windows that have emptied are swept, so memory stays bounded.
const SWEEP_AT: usize = 10_000;

/// Per-user sliding windows of graded answers.
#[derive(Default)]
pub(crate) struct GradingLimiter {
    recent: Mutex<HashMap<UserId, VecDeque<Instant>>>,
}

/// Why an answer was not graded: the user is over their limit, and may try again in `retry_in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooFast {
    pub(crate) retry_in: Duration,
}

impl TooFast {
    /// What the user reads (privately).
    pub(crate) fn message(self) -> String {
        let seconds = self.retry_in.as_secs().max(1);
        format!(
            "You are answering faster than I can grade fairly. Take a breath and try again in {seconds} s; \
             this answer was not recorded, so you can send it again."
        )
    }
}

impl GradingLimiter {
    /// The per-window allowance for the grader in use.
    pub(crate) fn allowance(llm: bool) -> usize {
        if llm {
            LLM_ANSWERS_PER_WINDOW
        } else {
            KEYWORD_ANSWERS_PER_WINDOW
        }
    }

    /// Counts one graded answer for `user` at `now`, or says how long until one is allowed.
    /// A refused answer is not counted, so waiting always works.
    pub(crate) fn admit(&self, user: UserId, llm: bool, now: Instant) -> Result<(), TooFast> {
        let allowance = Self::allowance(llm);
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if recent.len() >= SWEEP_AT {
            recent.retain(|_, times| times.back().is_some_and(|&t| now.duration_since(t) < WINDOW));
        }
        let times = recent.entry(user).or_default();
        while times.front().is_some_and(|&t| now.duration_since(t) >= WINDOW) {
            times.pop_front();
        }
        if times.len() >= allowance {
            // The oldest answer in the window leaves it first; then one more is allowed.
            let oldest = times[times.len() - allowance];
            return Err(TooFast {
                retry_in: WINDOW.saturating_sub(now.duration_since(oldest)),
            });
        }
        times.push_back(now);
        Ok(())
    }
}

/// Counts an answer `user` is about to have graded, or refuses it with the polite message.
/// Call it after the checks that refuse an answer for other reasons, just before grading.
pub(crate) fn check_grading(data: &Data, user: UserId) -> Result<(), Refusal> {
    // `defer_grading` is on exactly when an LLM grades (`cuecard serve` sets it so), and an LLM
    // grader is what the stricter allowance protects.
    data.state
        .grading
        .admit(user, data.defer_grading, Instant::now())
        .map_err(|too_fast| Refusal(too_fast.message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(limiter: &GradingLimiter, user: UserId, llm: bool, at: Instant) -> usize {
        (0..1000)
            .take_while(|_| limiter.admit(user, llm, at).is_ok())
            .count()
    }

    #[test]
    fn each_user_gets_the_allowance_of_their_grader_per_window() {
        let limiter = GradingLimiter::default();
        let start = Instant::now();
        assert_eq!(
            fill(&limiter, UserId(1), false, start),
            KEYWORD_ANSWERS_PER_WINDOW
        );
        assert_eq!(fill(&limiter, UserId(2), true, start), LLM_ANSWERS_PER_WINDOW);
        // One user's flood does not touch another's allowance.
        assert_eq!(
            fill(&limiter, UserId(3), false, start),
            KEYWORD_ANSWERS_PER_WINDOW
        );
    }

    #[test]
    fn the_window_slides_and_says_when_to_retry() {
        let limiter = GradingLimiter::default();
        let start = Instant::now();
        let user = UserId(7);
        for i in 0..LLM_ANSWERS_PER_WINDOW {
            limiter
                .admit(user, true, start + Duration::from_secs(i as u64))
                .unwrap();
        }
        let now = start + Duration::from_secs(20);
        let refused = limiter.admit(user, true, now).unwrap_err();
        // The first answer (at 0 s) leaves the window at 60 s: 40 s from now.
        assert_eq!(refused.retry_in, Duration::from_secs(40));
        assert!(refused.message().contains("40 s"), "{}", refused.message());
        // Refusals are not counted: right after the first answer leaves, one more is allowed.
        assert!(limiter.admit(user, true, start + WINDOW).is_ok());
        assert!(limiter.admit(user, true, start + WINDOW).is_err());
    }

    #[test]
    fn emptied_windows_are_swept() {
        let limiter = GradingLimiter::default();
        let start = Instant::now();
        for user in 0..SWEEP_AT as u64 {
            limiter.admit(UserId(user), false, start).unwrap();
        }
        limiter.admit(UserId(u64::MAX), false, start + WINDOW).unwrap();
        assert_eq!(limiter.recent.lock().unwrap().len(), 1);
    }
}
