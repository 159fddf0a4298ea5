//! Streaks: consecutive daily drops passed on the day, in the guild's time zone, across a
//! daylight-saving change and in zones far from UTC.

use cuecard_core::{GuildId, UserId};
use cuecard_store::{DropClaim, NewDrop, Occasion, Streak};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::support::{TestDb, TestResult, answer, at, card, store_tests};

store_tests!(
    streak_survives_a_clock_change,
    days_end_at_the_guild_midnight_far_from_utc,
    misses_and_failed_posts,
);

const PASS: f64 = 0.6;

/// Posts the guild's drop for `day` and returns its id.
async fn post(
    db: &TestDb,
    guild: u64,
    day: Date,
) -> Result<cuecard_store::DropId, Box<dyn std::error::Error + Send + Sync>> {
    let new = NewDrop {
        guild: GuildId(guild),
        local_date: day,
        card: card(1),
        channel: 1,
    };
    let DropClaim::Claimed(drop) = db.store.claim_drop(&new, at("2020-01-01T00:00:00Z")).await? else {
        return Err("claimed".into());
    };
    db.store
        .mark_drop_posted(drop.id, 1, at("2020-01-01T00:00:00Z"))
        .await?;
    Ok(drop.id)
}

async fn answer_drop(
    db: &TestDb,
    guild: u64,
    user: u64,
    drop: cuecard_store::DropId,
    score: f64,
    when: Timestamp,
) -> TestResult {
    let mut new = answer(user, Some(guild), score, when);
    new.occasion = Occasion::DailyDrop(drop);
    db.store.record_attempt(&new).await?;
    Ok(())
}

async fn streak(db: &TestDb, guild: u64, user: u64, now: &str) -> Result<Streak, cuecard_store::StoreError> {
    db.store.streak(GuildId(guild), UserId(user), PASS, at(now)).await
}

async fn streak_survives_a_clock_change(db: TestDb) -> TestResult {
    // New York springs forward on Sunday 9 March 2025: that day has 23 hours.
    db.store
        .set_time_zone(GuildId(1), "America/New_York", at("2025-03-01T00:00:00Z"))
        .await?;
    for day in 7..=11 {
        let drop = post(&db, 1, jiff::civil::date(2025, 3, day)).await?;
        // Answered at 23:30 local time every day: 04:30 UTC the next day before the change,
        // 03:30 UTC after it. A 24-hour window would lose one of these.
        let local = jiff::civil::date(2025, 3, day)
            .at(23, 30, 0, 0)
            .in_tz("America/New_York")?;
        answer_drop(&db, 1, 7, drop, 0.8, local.timestamp()).await?;
    }
    let after = streak(&db, 1, 7, "2025-03-12T12:00:00Z").await?;
    assert_eq!(
        after,
        Streak {
            current: 5,
            best: 5,
            today_done: false
        }
    );

    // Berlin falls back on Sunday 26 October 2025 (25 hours): 00:30 local on the Monday is
    // still the Sunday in UTC, and must count for Monday's drop.
    db.store
        .set_time_zone(GuildId(2), "Europe/Berlin", at("2025-10-01T00:00:00Z"))
        .await?;
    let sunday = post(&db, 2, jiff::civil::date(2025, 10, 26)).await?;
    let monday = post(&db, 2, jiff::civil::date(2025, 10, 27)).await?;
    answer_drop(&db, 2, 7, sunday, 0.9, at("2025-10-26T22:30:00Z")).await?; // 23:30 CET Sunday
    answer_drop(&db, 2, 7, monday, 0.9, at("2025-10-26T23:30:00Z")).await?; // 00:30 CET Monday
    let berlin = streak(&db, 2, 7, "2025-10-27T12:00:00Z").await?;
    assert_eq!(
        berlin,
        Streak {
            current: 2,
            best: 2,
            today_done: true
        }
    );
    Ok(())
}

async fn days_end_at_the_guild_midnight_far_from_utc(db: TestDb) -> TestResult {
    let start = at("2025-01-01T00:00:00Z");
    db.store
        .set_time_zone(GuildId(13), "Pacific/Tongatapu", start)
        .await?; // UTC+13
    db.store
        .set_time_zone(GuildId(10), "Pacific/Honolulu", start)
        .await?; // UTC-10
    let tonga = [
        post(&db, 13, jiff::civil::date(2025, 1, 1)).await?,
        post(&db, 13, jiff::civil::date(2025, 1, 2)).await?,
    ];
    let honolulu = [
        post(&db, 10, jiff::civil::date(2025, 1, 1)).await?,
        post(&db, 10, jiff::civil::date(2025, 1, 2)).await?,
    ];

    // Tonga's 1 January ends at 11:00 UTC on 1 January.
    answer_drop(&db, 13, 1, tonga[0], 0.9, at("2025-01-01T10:59:00Z")).await?; // in time
    answer_drop(&db, 13, 2, tonga[0], 0.9, at("2025-01-01T11:01:00Z")).await?; // a day late
    answer_drop(&db, 13, 1, tonga[1], 0.9, at("2025-01-01T12:00:00Z")).await?; // 2 Jan local
    answer_drop(&db, 13, 2, tonga[1], 0.9, at("2025-01-01T12:00:00Z")).await?;
    // Honolulu's 1 January ends at 10:00 UTC on 2 January.
    answer_drop(&db, 10, 1, honolulu[0], 0.9, at("2025-01-02T09:59:00Z")).await?; // in time
    answer_drop(&db, 10, 2, honolulu[0], 0.9, at("2025-01-01T09:00:00Z")).await?; // 31 Dec local: before the drop's day
    answer_drop(&db, 10, 1, honolulu[1], 0.9, at("2025-01-02T10:00:00Z")).await?; // 2 Jan local

    let now = "2025-01-02T12:00:00Z"; // 3 Jan 01:00 in Tonga, 2 Jan 02:00 in Honolulu
    assert_eq!(
        streak(&db, 13, 1, now).await?,
        Streak {
            current: 2,
            best: 2,
            today_done: false
        }
    );
    assert_eq!(
        streak(&db, 13, 2, now).await?,
        Streak {
            current: 1,
            best: 1,
            today_done: false
        }
    );
    assert_eq!(
        streak(&db, 10, 1, now).await?,
        Streak {
            current: 2,
            best: 2,
            today_done: true
        }
    );
    assert_eq!(
        streak(&db, 10, 2, now).await?,
        Streak {
            current: 0,
            best: 0,
            today_done: false
        }
    );
    Ok(())
}

async fn misses_and_failed_posts(db: TestDb) -> TestResult {
    let day = |d| jiff::civil::date(2025, 2, d);
    let mut drops = Vec::new();
    for d in 1..=6 {
        drops.push(post(&db, 1, day(d)).await?);
    }
    // Day 7's drop could not be posted: it must not break anyone's streak.
    let new = NewDrop {
        guild: GuildId(1),
        local_date: day(7),
        card: card(1),
        channel: 1,
    };
    let failed = db
        .store
        .claim_drop(&new, at("2020-01-01T00:00:00Z"))
        .await?
        .drop()
        .id;
    db.store.mark_drop_failed(failed).await?;
    drops.push(post(&db, 1, day(8)).await?);

    let noon = |d: i8| at(&format!("2025-02-{d:02}T12:00:00Z"));
    for (i, score) in [0.9, 0.9, 0.9, 0.5, 0.9, 0.9, 0.9].into_iter().enumerate() {
        let d = [1, 2, 3, 4, 5, 6, 8][i];
        answer_drop(&db, 1, 7, drops[i], score, noon(d)).await?;
    }
    // Day 4 scored below the pass mark: best 3, current 3 (5, 6 and 8).
    assert_eq!(
        streak(&db, 1, 7, "2025-02-08T18:00:00Z").await?,
        Streak {
            current: 3,
            best: 3,
            today_done: true
        }
    );
    // The day after, before answering, the streak is still alive.
    drops.push(post(&db, 1, day(9)).await?);
    assert_eq!(
        streak(&db, 1, 7, "2025-02-09T08:00:00Z").await?,
        Streak {
            current: 3,
            best: 3,
            today_done: false
        }
    );
    // The day after that, day 9's drop is missed.
    assert_eq!(
        streak(&db, 1, 7, "2025-02-10T08:00:00Z").await?,
        Streak {
            current: 0,
            best: 3,
            today_done: false
        }
    );
    Ok(())
}
