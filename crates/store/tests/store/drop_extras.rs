//! Drop options, recaps claimed once, and where study sessions run.

use cuecard_core::GuildId;
use cuecard_store::{DropClaim, DropOptions, NewDrop, NewSession, StudyPlace};
use jiff::civil::date;

use crate::support::{TestDb, TestResult, answer, at, card, store_tests};

store_tests!(
    options_round_trip,
    a_recap_is_claimed_once,
    study_places_are_kept,
    topic_averages_put_the_weakest_first,
);

async fn options_round_trip(db: TestDb) -> TestResult {
    let guild = GuildId(11);
    assert_eq!(db.store.drop_options(guild).await?, DropOptions::default());
    let options = DropOptions {
        weekdays_only: true,
        ping_role: Some(u64::MAX - 1),
        adaptive: true,
    };
    db.store
        .set_drop_options(guild, options, at("2026-01-05T08:00:00Z"))
        .await?;
    assert_eq!(db.store.drop_options(guild).await?, options);
    let off = DropOptions {
        ping_role: None,
        ..options
    };
    db.store
        .set_drop_options(guild, off, at("2026-01-05T08:00:00Z"))
        .await?;
    assert_eq!(db.store.drop_options(guild).await?, off);
    Ok(())
}

async fn a_recap_is_claimed_once(db: TestDb) -> TestResult {
    let now = at("2026-01-05T08:00:00Z");
    let new = NewDrop {
        guild: GuildId(12),
        local_date: date(2026, 1, 5),
        card: card(1),
        channel: 5,
    };
    let DropClaim::Claimed(drop) = db.store.claim_drop(&new, now).await? else {
        panic!("the first claim wins");
    };
    assert!(
        db.store.drops_awaiting_recap().await?.is_empty(),
        "a pending drop gets no recap yet"
    );
    db.store.mark_drop_posted(drop.id, 77, now).await?;
    assert_eq!(db.store.drops_awaiting_recap().await?.len(), 1);
    let other = db.open_again().await?;
    let (first, second) = tokio::join!(
        db.store.claim_recap(drop.id, now),
        other.claim_recap(drop.id, now)
    );
    assert!(first? ^ second?, "exactly one process may post the recap");
    assert!(!db.store.claim_recap(drop.id, now).await?);
    db.store.mark_recap_posted(drop.id, 78).await?;
    assert!(db.store.drops_awaiting_recap().await?.is_empty());
    Ok(())
}

async fn study_places_are_kept(db: TestDb) -> TestResult {
    let session = db
        .store
        .start_session(
            &NewSession {
                guild: Some(GuildId(13)),
                channel: 9,
                started_by: cuecard_core::UserId(1),
                topic: None,
                rounds: 3,
            },
            at("2026-01-05T08:00:00Z"),
        )
        .await?;
    assert_eq!(db.store.study_place(session.id).await?, None);
    let place = StudyPlace {
        thread: u64::MAX,
        round_seconds: 45,
    };
    db.store.set_study_place(session.id, place).await?;
    db.store
        .set_study_place(
            session.id,
            StudyPlace {
                thread: 1,
                round_seconds: 1,
            },
        )
        .await?;
    assert_eq!(
        db.store.study_place(session.id).await?,
        Some(place),
        "the first place stands"
    );
    Ok(())
}

async fn topic_averages_put_the_weakest_first(db: TestDb) -> TestResult {
    let guild = GuildId(14);
    let when = at("2026-01-05T08:00:00Z");
    for (user, score, topic) in [
        (1, 0.9, "linux"),
        (2, 0.7, "linux"),
        (3, 0.2, "security"),
        (4, 1.0, "terraform"),
    ] {
        let mut attempt = answer(user, Some(guild.0), score, when);
        attempt.topic = cuecard_core::Topic::new(topic);
        attempt.card = card(u32::try_from(user).unwrap());
        db.store.record_attempt(&attempt).await?;
    }
    // Another guild's answers do not count.
    let mut elsewhere = answer(5, Some(99), 0.0, when);
    elsewhere.topic = cuecard_core::Topic::new("terraform");
    db.store.record_attempt(&elsewhere).await?;
    let averages = db
        .store
        .guild_topic_averages(guild, at("2026-01-01T00:00:00Z"))
        .await?;
    let topics: Vec<&str> = averages.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(topics, ["security", "linux", "terraform"]);
    assert!((averages[1].1 - 0.8).abs() < 1e-9);
    assert!(
        db.store
            .guild_topic_averages(guild, at("2026-02-01T00:00:00Z"))
            .await?
            .is_empty()
    );
    Ok(())
}
