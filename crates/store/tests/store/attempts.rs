//! Recording answers: round trips, idempotency per drop, round and request, and races.

use cuecard_core::{GuildId, Period, Topic, UserId};
use cuecard_store::{Board, DropId, NewDrop, Occasion, Page, RecordOutcome, StoreError};
use jiff::civil::date;

use crate::support::{TestDb, TestResult, answer, at, card, store_tests};

store_tests!(
    records_and_reads_back,
    second_answer_to_a_drop_returns_the_first,
    fifty_racing_submissions_make_one_attempt,
    request_keys_make_ad_hoc_answers_idempotent,
    refuses_bad_scores_and_unknown_drops,
    one_bad_answer_in_a_crowd_fails_alone,
    duplicates_in_one_batch_count_once,
    each_answer_of_a_batch_gets_its_own_row,
    abandoned_answers_are_whole_or_absent,
    topic_totals_sum_the_latest_answers_per_topic,
);

async fn claim(db: &TestDb, guild: u64) -> Result<DropId, StoreError> {
    let claim = db
        .store
        .claim_drop(
            &NewDrop {
                guild: GuildId(guild),
                local_date: date(2025, 1, 6),
                card: card(1),
                channel: 10,
            },
            at("2025-01-06T09:00:00Z"),
        )
        .await?;
    Ok(claim.drop().id)
}

async fn records_and_reads_back(db: TestDb) -> TestResult {
    // A DM answer (no guild), from a user id above i64::MAX to prove the u64 mapping.
    let new = answer(u64::MAX - 1, None, 0.75, at("2025-01-06T10:00:00.123Z"));
    let outcome = db.store.record_attempt(&new).await?;
    assert!(outcome.is_new());
    let stored = db.store.attempt(outcome.attempt().id).await?.ok_or("stored")?;
    assert_eq!(&stored, outcome.attempt());
    assert_eq!(stored.user, UserId(u64::MAX - 1));
    assert_eq!(stored.guild, None);
    assert_eq!(stored.grade, new.grade);
    assert_eq!(stored.topic, "terraform");
    assert_eq!(stored.at, new.at);
    let recent = db.store.recent_attempts(UserId(u64::MAX - 1), 5).await?;
    assert_eq!(recent, vec![stored]);
    Ok(())
}

async fn second_answer_to_a_drop_returns_the_first(db: TestDb) -> TestResult {
    let drop = claim(&db, 1).await?;
    let mut first = answer(7, Some(1), 0.4, at("2025-01-06T10:00:00Z"));
    first.occasion = Occasion::DailyDrop(drop);
    let recorded = db.store.record_attempt(&first).await?;
    let mut second = first.clone();
    second.grade.score = 1.0;
    second.answer = String::from("a better answer");
    second.at = at("2025-01-06T10:05:00Z");
    match db.store.record_attempt(&second).await? {
        RecordOutcome::AlreadyAnswered(kept) => assert_eq!(&kept, recorded.attempt()),
        RecordOutcome::Recorded(_) => return Err("scored twice".into()),
    }
    // Another user may still answer.
    let mut other = first.clone();
    other.user = UserId(8);
    assert!(db.store.record_attempt(&other).await?.is_new());
    let all = db.store.drop_attempts(drop).await?;
    assert_eq!(all.len(), 2);
    assert!((all[0].grade.score - 0.4).abs() < 1e-9);
    Ok(())
}

async fn fifty_racing_submissions_make_one_attempt(db: TestDb) -> TestResult {
    let drop = claim(&db, 1).await?;
    let mut tasks = Vec::new();
    for n in 0..50_u32 {
        let store = db.store.clone();
        let mut new = answer(7, Some(1), f64::from(n) / 50.0, at("2025-01-06T10:00:00Z"));
        new.occasion = Occasion::DailyDrop(drop);
        tasks.push(tokio::spawn(async move { store.record_attempt(&new).await }));
    }
    let mut recorded = 0;
    let mut ids = Vec::new();
    for task in tasks {
        let outcome = task.await??;
        recorded += usize::from(outcome.is_new());
        ids.push(outcome.attempt().id);
    }
    assert_eq!(recorded, 1);
    ids.dedup();
    assert_eq!(ids.len(), 1, "every task sees the same attempt");
    assert_eq!(db.store.drop_attempts(drop).await?.len(), 1);
    Ok(())
}

async fn request_keys_make_ad_hoc_answers_idempotent(db: TestDb) -> TestResult {
    let plain = answer(7, Some(1), 0.5, at("2025-01-06T10:00:00Z"));
    assert!(db.store.record_attempt(&plain).await?.is_new());
    assert!(
        db.store.record_attempt(&plain).await?.is_new(),
        "ad hoc answers may repeat"
    );

    let mut keyed = plain.clone();
    keyed.request_key = Some("interaction-1".to_owned());
    let first = db.store.record_attempt(&keyed).await?;
    assert!(first.is_new());
    let again = db.store.record_attempt(&keyed).await?;
    assert_eq!(again, RecordOutcome::AlreadyAnswered(first.attempt().clone()));
    // Keys are per user.
    keyed.user = UserId(8);
    assert!(db.store.record_attempt(&keyed).await?.is_new());
    assert_eq!(db.store.recent_attempts(UserId(7), 10).await?.len(), 3);
    Ok(())
}

async fn refuses_bad_scores_and_unknown_drops(db: TestDb) -> TestResult {
    for score in [1.5, -0.1, f64::NAN] {
        let bad = answer(7, Some(1), score, at("2025-01-06T10:00:00Z"));
        assert!(matches!(
            db.store.record_attempt(&bad).await,
            Err(StoreError::Invalid(_))
        ));
    }
    let mut orphan = answer(7, Some(1), 0.5, at("2025-01-06T10:00:00Z"));
    orphan.occasion = Occasion::DailyDrop(DropId(999));
    assert!(matches!(
        db.store.record_attempt(&orphan).await,
        Err(StoreError::NotFound { id: 999, .. })
    ));
    assert!(db.store.recent_attempts(UserId(7), 10).await?.is_empty());
    Ok(())
}

async fn one_bad_answer_in_a_crowd_fails_alone(db: TestDb) -> TestResult {
    // Forty answers at once, one of them for a drop that does not exist: that one fails with
    // NotFound and is not written; the other thirty-nine are written and say so.
    let mut tasks = Vec::new();
    for n in 0..40_u64 {
        let store = db.store.clone();
        let mut new = answer(100 + n, Some(1), 0.5, at("2025-01-06T10:00:00Z"));
        if n == 17 {
            new.occasion = Occasion::DailyDrop(DropId(999));
        }
        tasks.push(tokio::spawn(async move { store.record_attempt(&new).await }));
    }
    let mut recorded = 0;
    for (n, task) in tasks.into_iter().enumerate() {
        match task.await? {
            Ok(outcome) => recorded += usize::from(outcome.is_new()),
            Err(StoreError::NotFound { id: 999, .. }) if n == 17 => {}
            Err(error) => return Err(format!("answer {n}: {error}").into()),
        }
    }
    assert_eq!(recorded, 39);
    assert!(db.store.recent_attempts(UserId(117), 10).await?.is_empty());
    assert_eq!(db.store.recent_attempts(UserId(118), 10).await?.len(), 1);
    Ok(())
}

async fn duplicates_in_one_batch_count_once(db: TestDb) -> TestResult {
    // Sixty-four answers at once share a few transactions: eight users each send the same drop
    // answer four times (different scores, as a retry after regrading would) and a keyed ad-hoc
    // answer four times. Each user gets one of each, every copy names the first, and the
    // global totals count it once.
    let drop = claim(&db, 1).await?;
    let mut tasks = Vec::new();
    for copy in 0..4_u32 {
        for user in 1..=8_u64 {
            let store = db.store.clone();
            let mut dropped = answer(user, Some(1), f64::from(copy) / 4.0, at("2025-01-06T10:00:00Z"));
            dropped.occasion = Occasion::DailyDrop(drop);
            let mut keyed = answer(user, None, 0.5, at("2025-01-06T11:00:00Z"));
            keyed.request_key = Some(format!("interaction-{user}"));
            tasks.push(tokio::spawn(async move {
                let (a, b) = tokio::join!(store.record_attempt(&dropped), store.record_attempt(&keyed));
                Ok::<_, StoreError>((user, a?, b?))
            }));
        }
    }
    let mut firsts: std::collections::HashMap<(u64, bool), (usize, cuecard_store::Attempt)> =
        std::collections::HashMap::new();
    for task in tasks {
        let (user, dropped, keyed) = task.await??;
        for (is_drop, outcome) in [(true, dropped), (false, keyed)] {
            let entry = firsts
                .entry((user, is_drop))
                .or_insert_with(|| (0, outcome.attempt().clone()));
            entry.0 += usize::from(outcome.is_new());
            assert_eq!(
                &entry.1,
                outcome.attempt(),
                "user {user}: every copy names the first"
            );
        }
    }
    assert_eq!(firsts.len(), 16);
    assert!(
        firsts.values().all(|(new, _)| *new == 1),
        "each recorded exactly once"
    );
    assert_eq!(db.store.drop_attempts(drop).await?.len(), 8);
    let board = db
        .store
        .leaderboard(
            &Board::global(Period::AllTime),
            at("2025-01-07T00:00:00Z"),
            Page::first(10),
        )
        .await?;
    assert_eq!(board.players, 8);
    for standing in &board.entries {
        let user = standing.user.0;
        let first_drop = firsts[&(user, true)].1.grade.score;
        assert_eq!(standing.answers, 2, "user {user}");
        assert!((standing.total - (first_drop + 0.5)).abs() < 1e-9, "user {user}");
    }
    Ok(())
}

async fn each_answer_of_a_batch_gets_its_own_row(db: TestDb) -> TestResult {
    // A batch is written by one statement and the rows it returns are matched to the answers
    // (attempts.rs). Forty answers at once by one user, to one card, at one moment and without
    // keys, told apart only by their text or score: each must get a row of its own, and the
    // attempt each call returns must be the row stored under its id.
    let mut tasks = Vec::new();
    for n in 0..40_u32 {
        let store = db.store.clone();
        let mut new = answer(3, Some(1), f64::from(n % 2) / 2.0, at("2025-01-06T10:00:00Z"));
        new.answer = format!("answer {}", n / 2);
        tasks.push(tokio::spawn(async move { store.record_attempt(&new).await }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let outcome = task.await??;
        assert!(outcome.is_new(), "no key, so nothing collides");
        let returned = outcome.attempt();
        let stored = db.store.attempt(returned.id).await?.ok_or("stored")?;
        assert_eq!(&stored, returned, "the row under the returned id is this answer");
        ids.insert(returned.id);
    }
    assert_eq!(ids.len(), 40);
    Ok(())
}

async fn abandoned_answers_are_whole_or_absent(db: TestDb) -> TestResult {
    // Callers that stop waiting (a dropped interaction, a shutdown) while their answers sit in
    // a batch: every answer is then either written with its totals or not written at all.
    let mut tasks = Vec::new();
    for n in 0..60_u64 {
        let store = db.store.clone();
        let new = answer(1 + n % 6, Some(1), 0.25, at("2025-01-06T10:00:00Z"));
        tasks.push(tokio::spawn(async move { store.record_attempt(&new).await }));
    }
    for (n, task) in tasks.iter().enumerate() {
        if n % 2 == 1 {
            task.abort();
        }
    }
    for task in tasks {
        match task.await {
            Ok(outcome) => assert!(outcome?.is_new()),
            Err(error) if error.is_cancelled() => {}
            Err(error) => return Err(error.into()),
        }
    }
    // Writers may still be finishing answers whose callers left, and two reads can straddle a
    // commit: check until a pair of reads agrees, which it must once the writers are done.
    let mut written = 0;
    let mut whole = false;
    for _ in 0..100 {
        (written, whole) = answers_match_totals(&db).await?;
        if whole {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        whole,
        "every answer is counted in the totals, and nothing else is"
    );
    assert!(written >= 30, "every answer whose caller waited is written");
    Ok(())
}

/// How many answers users 1 to 6 have, and whether each user's weekly global total counts
/// exactly those.
async fn answers_match_totals(db: &TestDb) -> Result<(usize, bool), StoreError> {
    let board = Board::global(Period::Week);
    let now = at("2025-01-07T00:00:00Z");
    let mut written = 0;
    let mut whole = true;
    for user in 1..=6 {
        let attempts = db.store.recent_attempts(UserId(user), 100).await?;
        written += attempts.len();
        whole &= match db.store.standing(&board, UserId(user), now, 0).await? {
            None => attempts.is_empty(),
            Some(got) => {
                got.me.answers as usize == attempts.len()
                    && (got.me.total - 0.25 * attempts.len() as f64).abs() < 1e-9
            }
        };
    }
    Ok((written, whole))
}

async fn topic_totals_sum_the_latest_answers_per_topic(db: TestDb) -> TestResult {
    let t0 = at("2025-03-03T10:00:00Z");
    let mut minute = 0;
    let mut record = async |user: u64, topic: &str, score: f64| -> TestResult {
        minute += 1;
        let mut new = answer(user, Some(1), score, t0 + jiff::SignedDuration::from_mins(minute));
        new.topic = Topic::new(topic);
        db.store.record_attempt(&new).await?;
        Ok(())
    };
    // The oldest answer, which a window of 4 leaves out.
    record(1, "Linux", 0.0).await?;
    record(1, "Terraform", 0.5).await?;
    record(1, "Linux", 0.75).await?;
    record(1, "Terraform", 1.0).await?;
    record(1, "Terraform", 0.25).await?;
    // Someone else's answer counts for nobody else.
    record(2, "Linux", 1.0).await?;

    let all = db.store.topic_totals(UserId(1), 100, 0.5).await?;
    let summary: Vec<(&str, u32, f64, u32)> = all
        .iter()
        .map(|t| (t.topic.as_str(), t.answers, t.total, t.passed))
        .collect();
    // A score equal to the pass mark passes.
    assert_eq!(summary, [("linux", 2, 0.75, 1), ("terraform", 3, 1.75, 2)]);

    let latest = db.store.topic_totals(UserId(1), 4, 0.5).await?;
    assert_eq!(latest[0].topic, "linux");
    assert_eq!(
        (latest[0].answers, latest[0].passed),
        (1, 1),
        "the oldest answer is outside the window"
    );
    assert!(db.store.topic_totals(UserId(3), 100, 0.5).await?.is_empty());
    Ok(())
}
