//! Drop options, recaps claimed once, and where study sessions run.

use cuecard_core::GuildId;
use cuecard_store::{DropClaim, DropOptions, NewDrop, NewSession, StudyPlace};
use jiff::civil::date;

use crate::support::{TestDb, TestResult, at, card, store_tests};

store_tests!(options_round_trip, a_recap_is_claimed_once, study_places_are_kept);

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
