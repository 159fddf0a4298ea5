//! Leaderboards: periods in the guild's time zone, orders, topics, pages and neighbours.

use cuecard_core::{GuildId, Period, Topic, UserId};
use cuecard_store::{Board, Page, SortBy};

use crate::support::{TestDb, TestResult, answer, at, store_tests};

store_tests!(
    ranks_sort_and_page,
    newcomers_can_win_the_week,
    weeks_turn_at_the_guild_midnight,
    standing_shows_neighbours,
    topics_months_and_global,
);

async fn record(db: &TestDb, user: u64, guild: Option<u64>, score: f64, when: &str) -> TestResult {
    db.store
        .record_attempt(&answer(user, guild, score, at(when)))
        .await?;
    Ok(())
}

fn users(page: &cuecard_store::LeaderboardPage) -> Vec<u64> {
    page.entries.iter().map(|e| e.user.0).collect()
}

async fn ranks_sort_and_page(db: TestDb) -> TestResult {
    // Wednesday 8 January 2025, UTC guild. User 1: 3 answers, total 1.5. User 2: 1 answer, 1.0.
    // User 3: 2 answers, total 1.5 (ties user 1 on total). User 4: 2 answers, 0.2.
    for (user, score) in [
        (1, 0.5),
        (1, 0.5),
        (1, 0.5),
        (2, 1.0),
        (3, 0.75),
        (3, 0.75),
        (4, 0.1),
        (4, 0.1),
    ] {
        record(&db, user, Some(1), score, "2025-01-07T12:00:00Z").await?;
    }
    let now = at("2025-01-08T12:00:00Z");
    let board = Board::guild(GuildId(1), Period::Week);

    let page = db.store.leaderboard(&board, now, Page::first(10)).await?;
    assert_eq!(users(&page), vec![1, 3, 2, 4], "ties on total go to more answers");
    assert_eq!(page.players, 4);
    let ranks: Vec<u32> = page.entries.iter().map(|e| e.rank).collect();
    assert_eq!(ranks, vec![1, 1, 3, 4], "ties share a rank");
    assert_eq!(page.entries[0].answers, 3);
    assert!((page.entries[0].total - 1.5).abs() < 1e-9);
    assert!((page.entries[0].average - 0.5).abs() < 1e-9);

    let by_average = board.clone().sorted_by(SortBy::Average);
    let page = db.store.leaderboard(&by_average, now, Page::first(10)).await?;
    assert_eq!(users(&page), vec![2, 3, 1, 4]);
    let page = db
        .store
        .leaderboard(&by_average.min_answers(2), now, Page::first(10))
        .await?;
    assert_eq!(users(&page), vec![3, 1, 4], "one lucky answer is not enough");

    let by_answers = board.clone().sorted_by(SortBy::Answers);
    let page = db.store.leaderboard(&by_answers, now, Page::first(10)).await?;
    assert_eq!(users(&page), vec![1, 3, 4, 2]);

    let first = db.store.leaderboard(&board, now, Page::first(2)).await?;
    let second = db.store.leaderboard(&board, now, Page::first(2).next()).await?;
    let third = db
        .store
        .leaderboard(&board, now, Page::first(2).next().next())
        .await?;
    assert_eq!((users(&first), users(&second)), (vec![1, 3], vec![2, 4]));
    assert_eq!(second.entries[0].place, 3);
    assert!(third.entries.is_empty());
    assert_eq!(third.players, 4);

    let empty = db
        .store
        .leaderboard(&Board::guild(GuildId(9), Period::Week), now, Page::first(10))
        .await?;
    assert_eq!((empty.entries.len(), empty.players), (0, 0));
    Ok(())
}

async fn newcomers_can_win_the_week(db: TestDb) -> TestResult {
    // A veteran answered 30 cards last year; a newcomer answers 2 this week.
    for day in 1..=30 {
        record(&db, 1, Some(1), 0.9, &format!("2024-06-{day:02}T12:00:00Z")).await?;
    }
    record(&db, 1, Some(1), 0.2, "2025-01-07T12:00:00Z").await?;
    record(&db, 2, Some(1), 0.8, "2025-01-07T12:00:00Z").await?;
    record(&db, 2, Some(1), 0.9, "2025-01-08T08:00:00Z").await?;
    let now = at("2025-01-08T12:00:00Z");
    let week = db
        .store
        .leaderboard(&Board::guild(GuildId(1), Period::Week), now, Page::first(10))
        .await?;
    assert_eq!(users(&week), vec![2, 1]);
    let all = db
        .store
        .leaderboard(&Board::guild(GuildId(1), Period::AllTime), now, Page::first(10))
        .await?;
    assert_eq!(users(&all), vec![1, 2]);
    assert_eq!(all.since, None);
    Ok(())
}

async fn weeks_turn_at_the_guild_midnight(db: TestDb) -> TestResult {
    let now = at("2025-03-09T20:00:00Z");
    db.store
        .set_time_zone(GuildId(13), "Pacific/Tongatapu", now)
        .await?;
    db.store
        .set_time_zone(GuildId(10), "Pacific/Honolulu", now)
        .await?;
    // Sunday 9 March 2025, 12:00 UTC: Monday 01:00 in Tonga (UTC+13), Sunday 02:00 in Honolulu.
    record(&db, 1, Some(13), 0.5, "2025-03-09T12:00:00Z").await?;
    record(&db, 1, Some(10), 0.5, "2025-03-09T12:00:00Z").await?;
    // Sunday 9 March 10:30 UTC: still Sunday 23:30 in Tonga, last week there.
    record(&db, 2, Some(13), 0.5, "2025-03-09T10:30:00Z").await?;
    // Monday 10 March 09:30 UTC: still Sunday 23:30 in Honolulu, last week there.
    record(&db, 2, Some(10), 0.5, "2025-03-10T09:30:00Z").await?;

    // Seen on Monday 10 March 10:30 UTC (Monday 23:30 in Tonga, Monday 00:30 in Honolulu).
    let monday = at("2025-03-10T10:30:00Z");
    let tonga = db
        .store
        .leaderboard(&Board::guild(GuildId(13), Period::Week), monday, Page::first(10))
        .await?;
    assert_eq!(users(&tonga), vec![1]);
    assert_eq!(tonga.since, Some(at("2025-03-09T11:00:00Z")));
    let honolulu = db
        .store
        .leaderboard(&Board::guild(GuildId(10), Period::Week), monday, Page::first(10))
        .await?;
    assert!(honolulu.entries.is_empty(), "Honolulu's week began at 10:00 UTC");
    assert_eq!(honolulu.since, Some(at("2025-03-10T10:00:00Z")));
    // The global board counts weeks in UTC: all four answers fell in the week of 3 March
    // except the Monday one.
    let global = db
        .store
        .leaderboard(&Board::global(Period::Week), monday, Page::first(10))
        .await?;
    assert_eq!(users(&global), vec![2]);
    assert_eq!(global.entries[0].answers, 1);
    Ok(())
}

async fn standing_shows_neighbours(db: TestDb) -> TestResult {
    for user in 1..=7_u32 {
        record(
            &db,
            u64::from(user),
            Some(1),
            f64::from(user) / 10.0,
            "2025-01-07T12:00:00Z",
        )
        .await?;
    }
    let now = at("2025-01-08T12:00:00Z");
    let board = Board::guild(GuildId(1), Period::Week);
    let around = db
        .store
        .standing(&board, UserId(4), now, 2)
        .await?
        .ok_or("on the board")?;
    assert_eq!(around.me.rank, 4);
    assert_eq!(around.players, 7);
    assert_eq!(
        around.above.iter().map(|s| s.user.0).collect::<Vec<_>>(),
        vec![6, 5]
    );
    assert_eq!(
        around.below.iter().map(|s| s.user.0).collect::<Vec<_>>(),
        vec![3, 2]
    );

    let top = db
        .store
        .standing(&board, UserId(7), now, 2)
        .await?
        .ok_or("on the board")?;
    assert_eq!((top.me.rank, top.above.len(), top.below.len()), (1, 0, 2));
    assert_eq!(db.store.standing(&board, UserId(99), now, 2).await?, None);
    Ok(())
}

async fn topics_months_and_global(db: TestDb) -> TestResult {
    let mut aws = answer(1, Some(1), 0.9, at("2025-01-20T12:00:00Z"));
    aws.topic = Topic::new("AWS Networking");
    db.store.record_attempt(&aws).await?;
    record(&db, 2, Some(1), 0.5, "2025-01-02T12:00:00Z").await?; // terraform, same month
    record(&db, 3, Some(1), 1.0, "2024-12-31T12:00:00Z").await?; // last month
    record(&db, 4, None, 1.0, "2025-01-21T12:00:00Z").await?; // a DM: global only
    let now = at("2025-01-22T12:00:00Z");

    let month = db
        .store
        .leaderboard(&Board::guild(GuildId(1), Period::Month), now, Page::first(10))
        .await?;
    assert_eq!(users(&month), vec![1, 2]);
    let terraform = Board::guild(GuildId(1), Period::Month).topic("terraform");
    assert_eq!(
        users(&db.store.leaderboard(&terraform, now, Page::first(10)).await?),
        vec![2]
    );
    let both = terraform.topic("aws-networking");
    assert_eq!(
        users(&db.store.leaderboard(&both, now, Page::first(10)).await?),
        vec![1, 2]
    );

    let global = db
        .store
        .leaderboard(&Board::global(Period::AllTime), now, Page::first(10))
        .await?;
    assert_eq!(users(&global), vec![3, 4, 1, 2]);
    assert_eq!(global.entries[1].rank, 1, "3 and 4 tie");
    Ok(())
}
