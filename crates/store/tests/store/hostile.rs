//! The hostile-answer corpus (tests/data/hostile_answers.jsonl plus generated answers) through
//! the store: each answer recorded once and read back exactly as typed, NULs, bidi overrides,
//! SQL-looking text and 100,000-character answers included. The one change is NUL, which Postgres
//! cannot store in text: it reads back as U+FFFD on both backends.

use cuecard_store::RecordOutcome;

use crate::support::{TestDb, TestResult, answer, at, store_tests};

mod corpus {
    include!("../../../../tests/data/hostile.rs");
}

async fn every_hostile_answer_is_recorded_once_and_read_back_intact(db: TestDb) -> TestResult {
    let corpus = corpus::all();
    let when = at("2026-03-02T10:00:00Z");
    for (n, hostile) in corpus.iter().enumerate() {
        let user = 10_000 + n as u64;
        let mut new = answer(user, Some(1), 0.5, when);
        new.answer.clone_from(&hostile.answer);
        new.request_key = Some(format!("hostile:{n}"));
        let stored = hostile.answer.replace('\0', "\u{fffd}");
        let first = db.store.record_attempt(&new).await;
        let recorded = match first {
            Ok(RecordOutcome::Recorded(attempt)) => attempt,
            other => return Err(format!("{} answer #{n} not recorded: {other:?}", hostile.class).into()),
        };
        assert_eq!(
            recorded.answer, stored,
            "{} answer #{n} changed on the way in",
            hostile.class
        );
        // The same submission delivered twice is not a second attempt.
        let again = db.store.record_attempt(&new).await?;
        assert!(
            matches!(again, RecordOutcome::AlreadyAnswered(_)),
            "{} answer #{n} recorded twice",
            hostile.class
        );
        let read = db.store.recent_attempts(new.user, 10).await?;
        assert_eq!(read.len(), 1, "{} answer #{n}", hostile.class);
        assert_eq!(
            read[0].answer, stored,
            "{} answer #{n} changed on the way out",
            hostile.class
        );
    }
    Ok(())
}

store_tests!(every_hostile_answer_is_recorded_once_and_read_back_intact);
