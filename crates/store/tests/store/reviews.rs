//! Review state: the schedule moves with each review, and the log only grows.

use cuecard_core::UserId;
use cuecard_store::{ReviewUpdate, StoreError};

use crate::support::{TestDb, TestResult, at, card, raw, store_tests};

store_tests!(
    reviews_move_the_schedule_and_append_to_the_log,
    the_review_log_is_append_only
);

fn review(n: u32, rating: u8, reviewed_at: &str, due: &str, reps: u32) -> ReviewUpdate {
    ReviewUpdate {
        user: UserId(7),
        card: card(n),
        rating,
        reviewed_at: at(reviewed_at),
        attempt: None,
        stability: f64::from(reps) * 2.5,
        difficulty: 5.0,
        due: at(due),
        reps,
        lapses: u32::from(rating == 1),
    }
}

async fn reviews_move_the_schedule_and_append_to_the_log(db: TestDb) -> TestResult {
    assert_eq!(db.store.review_state(UserId(7), &card(1)).await?, None);
    db.store
        .record_review(&review(1, 3, "2025-01-01T10:00:00Z", "2025-01-03T10:00:00Z", 1))
        .await?;
    db.store
        .record_review(&review(2, 3, "2025-01-01T10:00:00Z", "2025-01-02T10:00:00Z", 1))
        .await?;
    let entry = db
        .store
        .record_review(&review(1, 1, "2025-01-03T11:00:00Z", "2025-01-03T11:10:00Z", 2))
        .await?;
    assert_eq!((entry.rating, entry.reps, entry.lapses), (1, 2, 1));

    let state = db
        .store
        .review_state(UserId(7), &card(1))
        .await?
        .ok_or("a state")?;
    assert_eq!((state.reps, state.lapses), (2, 1));
    assert_eq!(state.due, at("2025-01-03T11:10:00Z"));
    assert_eq!(state.last_review, Some(at("2025-01-03T11:00:00Z")));
    assert!((state.stability - 5.0).abs() < 1e-9);

    let log = db.store.review_log(UserId(7), Some(&card(1))).await?;
    assert_eq!(log.iter().map(|e| e.rating).collect::<Vec<_>>(), vec![3, 1]);
    assert_eq!(db.store.review_log(UserId(7), None).await?.len(), 3);

    let due = db
        .store
        .due_reviews(UserId(7), at("2025-01-03T12:00:00Z"), 10)
        .await?;
    assert_eq!(
        due.iter().map(|s| s.card.clone()).collect::<Vec<_>>(),
        vec![card(2), card(1)]
    );
    assert!(
        db.store
            .due_reviews(UserId(7), at("2025-01-01T12:00:00Z"), 10)
            .await?
            .is_empty()
    );
    assert!(matches!(
        db.store
            .record_review(&review(1, 5, "2025-01-04T00:00:00Z", "2025-01-05T00:00:00Z", 3))
            .await,
        Err(StoreError::Invalid(_))
    ));
    Ok(())
}

async fn the_review_log_is_append_only(db: TestDb) -> TestResult {
    db.store
        .record_review(&review(1, 3, "2025-01-01T10:00:00Z", "2025-01-03T10:00:00Z", 1))
        .await?;
    // Bypass the store, as a careless script would.
    // Refused by the trigger, not by a failed connection.
    let refused = raw(&db.url, "UPDATE review_log SET rating = 4").await;
    assert!(
        refused.is_err_and(|e| e.to_string().contains("review_log is append-only")),
        "the log refuses updates"
    );
    assert_eq!(db.store.review_log(UserId(7), None).await?[0].rating, 3);
    Ok(())
}
