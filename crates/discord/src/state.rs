//! The little the bot keeps in memory: each user's open question (for `/hint`, `/skip` and
//! `/answer`) and running mock interviews. Losing it on a restart costs a user a hint count or
//! an unfinished interview, never a recorded answer: answers go straight to the database.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use cuecard_coach::Answered;
use cuecard_core::{Card, CardId, UserId};

/// How many users' open questions are kept; the oldest are forgotten first.
const MAX_OPEN: usize = 100_000;
/// How many interviews run at once at most.
const MAX_INTERVIEWS: usize = 10_000;

/// A question a user was asked and has not answered yet.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenQuestion {
    pub card: CardId,
    pub hints: u8,
    serial: u64,
}

/// A mock interview in progress.
#[derive(Debug, Clone)]
pub struct Interview {
    pub user: UserId,
    pub cards: Vec<Card>,
    pub answers: Vec<Answered>,
}

#[derive(Default)]
pub(crate) struct State {
    open: Mutex<HashMap<UserId, OpenQuestion>>,
    interviews: Mutex<HashMap<u64, Interview>>,
    serial: AtomicU64,
    /// Graded answers per user, for the abuse limit (`limits.rs`).
    pub(crate) grading: crate::limits::GradingLimiter,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl State {
    fn next_serial(&self) -> u64 {
        self.serial.fetch_add(1, Ordering::Relaxed)
    }

    /// Records that `user` was asked `card` (replacing any earlier open question).
    pub fn open(&self, user: UserId, card: CardId) {
        let serial = self.next_serial();
        let mut open = lock(&self.open);
        if open.len() >= MAX_OPEN
            && let Some(oldest) = open.iter().min_by_key(|(_, q)| q.serial).map(|(u, _)| *u)
        {
            open.remove(&oldest);
        }
        open.insert(
            user,
            OpenQuestion {
                card,
                hints: 0,
                serial,
            },
        );
    }

    /// The user's open question.
    pub fn question(&self, user: UserId) -> Option<OpenQuestion> {
        lock(&self.open).get(&user).cloned()
    }

    /// Counts a hint on `card` for `user` (opening the question if it was not open) and returns
    /// how many hints were taken before this one.
    pub fn take_hint(&self, user: UserId, card: &CardId) -> u8 {
        let serial = self.next_serial();
        let mut open = lock(&self.open);
        let question = open.entry(user).or_insert_with(|| OpenQuestion {
            card: card.clone(),
            hints: 0,
            serial,
        });
        if question.card != *card {
            *question = OpenQuestion {
                card: card.clone(),
                hints: 0,
                serial,
            };
        }
        let before = question.hints;
        question.hints = question.hints.saturating_add(1);
        before
    }

    /// Closes the user's question if it is `card`, returning the hints taken on it.
    pub fn close(&self, user: UserId, card: &CardId) -> u8 {
        let mut open = lock(&self.open);
        match open.get(&user) {
            Some(q) if q.card == *card => open.remove(&user).map_or(0, |q| q.hints),
            _ => 0,
        }
    }

    /// Puts back a question closed for an answer that could not be recorded (the database was
    /// unavailable), hints and all, so that the user can send the answer again; unless the user
    /// has opened another question meanwhile, which wins.
    pub fn reopen(&self, user: UserId, question: OpenQuestion) {
        lock(&self.open).entry(user).or_insert(question);
    }

    /// Starts an interview and returns its id.
    pub fn start_interview(&self, interview: Interview) -> u64 {
        let id = self.next_serial();
        let mut interviews = lock(&self.interviews);
        if interviews.len() >= MAX_INTERVIEWS
            && let Some(oldest) = interviews.keys().min().copied()
        {
            interviews.remove(&oldest);
        }
        interviews.insert(id, interview);
        id
    }

    /// The interview, if it is still running.
    pub fn interview(&self, id: u64) -> Option<Interview> {
        lock(&self.interviews).get(&id).cloned()
    }

    /// Records an answer of an interview; returns the interview as it now stands. The answer
    /// is kept only if it is for the next unanswered question, so a double submit is harmless.
    pub fn interview_answered(&self, id: u64, index: usize, answered: Answered) -> Option<Interview> {
        let mut interviews = lock(&self.interviews);
        let interview = interviews.get_mut(&id)?;
        if interview.answers.len() == index {
            interview.answers.push(answered);
        }
        let snapshot = interview.clone();
        if snapshot.answers.len() >= snapshot.cards.len() {
            interviews.remove(&id);
        }
        Some(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_count_per_user_and_card() {
        let state = State::default();
        let a = CardId::parse("0123456789ab").unwrap();
        let b = CardId::parse("ba9876543210").unwrap();
        state.open(UserId(1), a.clone());
        assert_eq!(state.take_hint(UserId(1), &a), 0);
        assert_eq!(state.take_hint(UserId(1), &a), 1);
        assert_eq!(
            state.take_hint(UserId(2), &a),
            0,
            "another user's count is their own"
        );
        assert_eq!(
            state.close(UserId(1), &b),
            0,
            "closing another card leaves it open"
        );
        assert_eq!(state.close(UserId(1), &a), 2);
        assert_eq!(state.question(UserId(1)), None);
        assert_eq!(
            state.take_hint(UserId(1), &b),
            0,
            "a hint on a new card starts over"
        );
    }

    #[test]
    fn a_reopened_question_keeps_its_hints_unless_another_was_asked() {
        let state = State::default();
        let a = CardId::parse("0123456789ab").unwrap();
        let b = CardId::parse("ba9876543210").unwrap();
        state.open(UserId(1), a.clone());
        state.take_hint(UserId(1), &a);
        let open = state.question(UserId(1)).unwrap();
        assert_eq!(state.close(UserId(1), &a), 1);
        state.reopen(UserId(1), open.clone());
        assert_eq!(state.question(UserId(1)), Some(open.clone()));
        assert_eq!(state.close(UserId(1), &a), 1, "the hint still counts");

        state.open(UserId(1), b.clone());
        state.reopen(UserId(1), open);
        assert_eq!(state.question(UserId(1)).map(|q| q.card), Some(b));
    }
}
