//! User data: export everything as JSON, delete everything, and leave others alone.

use cuecard_core::{GuildId, Period, UserId};
use cuecard_store::{Board, NewSession, Page, ReviewUpdate};

use crate::support::{TestDb, TestResult, answer, at, card, store_tests};

store_tests!(export_then_delete, reopening_applies_no_migration_twice);

async fn export_then_delete(db: TestDb) -> TestResult {
    let now = at("2025-01-08T12:00:00Z");
    let attempt = db
        .store
        .record_attempt(&answer(7, Some(1), 0.8, at("2025-01-07T12:00:00Z")))
        .await?;
    db.store
        .record_attempt(&answer(8, Some(1), 0.5, at("2025-01-07T12:00:00Z")))
        .await?;
    db.store
        .record_review(&ReviewUpdate {
            user: UserId(7),
            card: card(1),
            rating: 3,
            reviewed_at: now,
            attempt: Some(attempt.attempt().id),
            stability: 2.0,
            difficulty: 5.0,
            due: at("2025-01-10T12:00:00Z"),
            reps: 1,
            lapses: 0,
        })
        .await?;
    let session = db
        .store
        .start_session(
            &NewSession {
                guild: Some(GuildId(1)),
                channel: 5,
                started_by: UserId(7),
                topic: None,
                rounds: 3,
            },
            now,
        )
        .await?;

    let export = db.store.export_user(UserId(7), now).await?;
    assert_eq!(export.attempts.len(), 1);
    assert_eq!(export.review_states.len(), 1);
    assert_eq!(export.review_log.len(), 1);
    assert_eq!(export.sessions_started.len(), 1);
    let json: serde_json::Value = serde_json::from_str(&export.to_json()?)?;
    assert_eq!(json["user"], 7);
    assert_eq!(json["attempts"][0]["answer"], "answer by 7");
    assert_eq!(json["attempts"][0]["grade"]["points"][0]["verdict"], "covered");
    assert_eq!(json["attempts"][0]["occasion"]["kind"], "ad_hoc");
    assert_eq!(json["review_log"][0]["attempt"], attempt.attempt().id.0);

    let deleted = db.store.delete_user(UserId(7)).await?;
    assert_eq!(
        (
            deleted.attempts,
            deleted.review_states,
            deleted.review_log,
            deleted.existed
        ),
        (1, 1, 1, true)
    );
    let after = db.store.export_user(UserId(7), now).await?;
    assert!(after.attempts.is_empty() && after.review_states.is_empty() && after.review_log.is_empty());
    assert!(after.sessions_started.is_empty());
    let kept = db
        .store
        .study_session(session.id)
        .await?
        .ok_or("the session stays")?;
    assert_eq!(kept.started_by, None);

    let board = db
        .store
        .leaderboard(&Board::guild(GuildId(1), Period::Week), now, Page::first(10))
        .await?;
    assert_eq!(
        board.entries.iter().map(|e| e.user).collect::<Vec<_>>(),
        vec![UserId(8)]
    );
    assert!(!db.store.delete_user(UserId(7)).await?.existed);
    Ok(())
}

async fn reopening_applies_no_migration_twice(db: TestDb) -> TestResult {
    db.store
        .record_attempt(&answer(7, None, 0.8, at("2025-01-07T12:00:00Z")))
        .await?;
    let again = db.open_again().await?;
    assert_eq!(again.recent_attempts(UserId(7), 5).await?.len(), 1);
    again.close().await;
    Ok(())
}
