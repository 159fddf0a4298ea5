//! Study sessions: rounds opened once, one answer per user per round, results.

use cuecard_core::{GuildId, UserId};
use cuecard_store::{NewSession, Occasion, RoundOutcome, SessionState, StoreError};

use crate::support::{TestDb, TestResult, answer, at, card, store_tests};

store_tests!(a_session_plays_out);

async fn a_session_plays_out(db: TestDb) -> TestResult {
    let now = at("2025-01-06T18:00:00Z");
    let new = NewSession {
        guild: Some(GuildId(1)),
        channel: 5,
        started_by: UserId(7),
        topic: Some("terraform".to_owned()),
        rounds: 2,
    };
    let session = db.store.start_session(&new, now).await?;
    assert_eq!(session.state, SessionState::Open);
    assert_eq!(db.store.open_sessions().await?, vec![session.clone()]);

    let RoundOutcome::Opened(first) = db.store.open_round(session.id, 1, &card(1), now).await? else {
        return Err("a new round".into());
    };
    // A retried "next round" gets the same round and card back.
    let again = db.store.open_round(session.id, 1, &card(2), now).await?;
    assert_eq!(again, RoundOutcome::AlreadyOpen(first.clone()));
    let first = db.store.set_round_message(first.id, 99).await?;
    assert_eq!(first.message, Some(99));

    for (user, score) in [(7, 0.5), (8, 0.9), (7, 1.0)] {
        let mut new = answer(user, Some(1), score, now);
        new.occasion = Occasion::StudyRound(first.id);
        db.store.record_attempt(&new).await?;
    }
    assert_eq!(
        db.store.round_attempts(first.id).await?.len(),
        2,
        "one answer each"
    );
    let closed = db.store.close_round(first.id, at("2025-01-06T18:01:00Z")).await?;
    let closed_again = db.store.close_round(first.id, at("2025-01-06T18:05:00Z")).await?;
    assert_eq!(closed_again.closed_at, closed.closed_at);

    let second = db
        .store
        .open_round(session.id, 2, &card(2), now)
        .await?
        .round()
        .clone();
    let mut late = answer(8, Some(1), 0.3, now);
    late.occasion = Occasion::StudyRound(second.id);
    db.store.record_attempt(&late).await?;
    assert_eq!(
        db.store
            .rounds(session.id)
            .await?
            .iter()
            .map(|r| r.number)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );

    let scores = db.store.session_scores(session.id).await?;
    assert_eq!(
        scores.iter().map(|s| (s.user.0, s.answers)).collect::<Vec<_>>(),
        vec![(8, 2), (7, 1)]
    );
    assert!((scores[0].total - 1.2).abs() < 1e-9);

    let ended = db
        .store
        .end_session(session.id, SessionState::Finished, at("2025-01-06T18:10:00Z"))
        .await?;
    assert_eq!(ended.state, SessionState::Finished);
    assert!(db.store.open_sessions().await?.is_empty());
    assert!(matches!(
        db.store
            .open_round(cuecard_store::SessionId(404), 1, &card(1), now)
            .await,
        Err(StoreError::NotFound { id: 404, .. })
    ));
    Ok(())
}
