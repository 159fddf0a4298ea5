//! Daily drops: settings, one drop per guild and local date across processes, and the
//! claim-then-reconcile life of a drop.

use cuecard_core::GuildId;
use cuecard_store::{DropClaim, DropSettings, DropState, NewDrop, StoreError};
use jiff::civil::{date, time};

use crate::support::{TestDb, TestResult, at, card, store_tests};

store_tests!(
    settings_round_trip,
    two_processes_claim_one_drop,
    a_drop_is_claimed_then_reconciled,
);

fn settings(zone: &str) -> DropSettings {
    DropSettings {
        channel: 1_300_000_000_000_000_001,
        local_time: time(9, 30, 0, 0),
        time_zone: zone.to_owned(),
        topics: vec!["terraform".to_owned(), "aws-networking".to_owned()],
        enabled: true,
    }
}

async fn settings_round_trip(db: TestDb) -> TestResult {
    let guild = GuildId(1);
    assert_eq!(db.store.drop_settings(guild).await?, None);
    let now = at("2025-01-06T09:00:00Z");
    db.store
        .set_drop_settings(guild, &settings("Pacific/Apia"), now)
        .await?;
    assert_eq!(
        db.store.drop_settings(guild).await?,
        Some(settings("Pacific/Apia"))
    );
    // The drop's time zone is the guild's.
    assert_eq!(db.store.time_zone(guild).await?.iana_name(), Some("Pacific/Apia"));

    let mut off = settings("Europe/Berlin");
    off.enabled = false;
    db.store.set_drop_settings(GuildId(2), &off, now).await?;
    let enabled = db.store.enabled_drop_settings().await?;
    assert_eq!(enabled, vec![(guild, settings("Pacific/Apia"))]);

    assert!(matches!(
        db.store
            .set_drop_settings(guild, &settings("Mars/Olympus_Mons"), now)
            .await,
        Err(StoreError::UnknownTimeZone(_))
    ));
    assert!(matches!(
        db.store.set_time_zone(guild, "Nowhere", now).await,
        Err(StoreError::UnknownTimeZone(_))
    ));
    assert_eq!(
        db.store.drop_settings(guild).await?,
        Some(settings("Pacific/Apia"))
    );
    Ok(())
}

async fn two_processes_claim_one_drop(db: TestDb) -> TestResult {
    let other = db.open_again().await?;
    let new = NewDrop {
        guild: GuildId(1),
        local_date: date(2025, 1, 6),
        card: card(1),
        channel: 10,
    };
    let now = at("2025-01-06T09:00:00Z");
    let mut tasks = Vec::new();
    for n in 0..20 {
        let store = if n % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        let mut new = new.clone();
        // Each process may have drawn a different card; the first claim wins.
        new.card = card(n);
        tasks.push(tokio::spawn(async move { store.claim_drop(&new, now).await }));
    }
    let mut claimed = Vec::new();
    let mut ids = Vec::new();
    for task in tasks {
        let claim = task.await??;
        ids.push(claim.drop().id);
        if let DropClaim::Claimed(drop) = claim {
            claimed.push(drop);
        }
    }
    other.close().await;
    assert_eq!(claimed.len(), 1, "exactly one process posts");
    assert!(ids.iter().all(|id| *id == claimed[0].id));
    let stored = db
        .store
        .drop_on(GuildId(1), date(2025, 1, 6))
        .await?
        .ok_or("drop")?;
    assert_eq!(stored, claimed[0]);
    // The next day is a new drop.
    let mut tomorrow = new.clone();
    tomorrow.local_date = date(2025, 1, 7);
    assert!(matches!(
        db.store.claim_drop(&tomorrow, now).await?,
        DropClaim::Claimed(_)
    ));
    Ok(())
}

async fn a_drop_is_claimed_then_reconciled(db: TestDb) -> TestResult {
    let now = at("2025-01-06T09:00:00Z");
    let new = NewDrop {
        guild: GuildId(1),
        local_date: date(2025, 1, 6),
        card: card(1),
        channel: 10,
    };
    let DropClaim::Claimed(drop) = db.store.claim_drop(&new, now).await? else {
        return Err("first claim wins".into());
    };
    assert_eq!(drop.state, DropState::Pending);
    assert_eq!(drop.message, None);
    // A restart in between finds it pending.
    assert_eq!(db.store.pending_drops().await?, vec![drop.clone()]);

    let posted = db
        .store
        .mark_drop_posted(drop.id, u64::MAX - 5, at("2025-01-06T09:00:01Z"))
        .await?;
    assert_eq!(posted.state, DropState::Posted);
    assert_eq!(posted.message, Some(u64::MAX - 5));
    assert_eq!(posted.posted_at, Some(at("2025-01-06T09:00:01Z")));
    assert!(db.store.pending_drops().await?.is_empty());
    assert_eq!(db.store.daily_drop(drop.id).await?, Some(posted));

    let mut other = new.clone();
    other.guild = GuildId(2);
    let failed = db.store.claim_drop(&other, now).await?.drop().id;
    assert_eq!(db.store.mark_drop_failed(failed).await?.state, DropState::Failed);
    assert_eq!(db.store.recent_drop_cards(GuildId(1), 5).await?, vec![card(1)]);
    assert!(matches!(
        db.store.mark_drop_failed(cuecard_store::DropId(404)).await,
        Err(StoreError::NotFound { id: 404, .. })
    ));
    Ok(())
}
