//! Every board equals a brute-force ranking of the answers that count, on seeded random data:
//! global boards (read from running totals), guild boards of every topic or a few (summed from
//! quarter-hour totals per topic) and global topic boards (aggregated from attempts), across
//! week and month boundaries, in guilds whose
//! time zones are a whole, a half and a three-quarter hour off UTC, and after a guild changes
//! its zone; with duplicate submissions, a deleted user and attempts removed by a cascade.

use cuecard_core::{GuildId, Period, Topic, UserId};
use cuecard_store::{Board, NewDrop, Occasion, Page, Scope, SortBy, Standing};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use sqlx::Connection;

use crate::support::{TestDb, TestResult, answer, at, card, raw, store_tests};

store_tests!(boards_equal_a_brute_force_ranking);

/// splitmix64: the same data on every run and backend.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An answer that counts: who, where, which topic, score and when.
#[derive(Clone, Debug)]
struct Counted {
    user: u64,
    guild: Option<u64>,
    topic: &'static str,
    score: f64,
    at: Timestamp,
}

const TOPICS: [&str; 3] = ["terraform", "kubernetes", "linux"];
/// Guild 2 counts weeks in UTC+13, guild 3 in UTC-10: their weeks are not the global ones.
const ZONES: [(u64, &str); 3] = [(1, "UTC"), (2, "Pacific/Tongatapu"), (3, "Pacific/Honolulu")];
/// What the test moves guilds 2 and 3 to before its last check: half and three-quarter hours
/// off UTC, so their weeks start between the hours.
const MOVED: [(u64, &str); 2] = [(2, "Asia/Kolkata"), (3, "Asia/Kathmandu")];

fn zone_of(zones: &[(u64, &str)], guild: u64) -> TimeZone {
    let name = zones
        .iter()
        .find(|(id, _)| *id == guild)
        .map_or("UTC", |(_, name)| name);
    TimeZone::get(name).expect("a known zone")
}

/// The period holding `now` in `zone`, worked out independently of the store.
fn bounds(period: Period, zone: &TimeZone, now: Timestamp) -> (Timestamp, Timestamp) {
    let today = now.to_zoned_datetime(zone.clone()).date();
    let (first, next) = match period {
        Period::AllTime => return (Timestamp::MIN, Timestamp::MAX),
        Period::Week => {
            let monday = today - i64::from(today.weekday().to_monday_zero_offset()).days();
            (monday, monday + 7.days())
        }
        Period::Month => (today.first_of_month(), today.first_of_month() + 1.month()),
    };
    let start = first
        .to_zoned_datetime(zone.clone())
        .expect("in range")
        .timestamp();
    let end = next
        .to_zoned_datetime(zone.clone())
        .expect("in range")
        .timestamp();
    (start, end)
}

/// The whole board, ranked the slow and obvious way.
fn expected(zones: &[(u64, &str)], counted: &[Counted], board: &Board, now: Timestamp) -> Vec<Standing> {
    let zone = match board.scope {
        Scope::Guild(guild) => zone_of(zones, guild.0),
        Scope::Global => TimeZone::UTC,
    };
    let (since, until) = bounds(board.period, &zone, now);
    let mut per_user: std::collections::BTreeMap<u64, (f64, u32)> = std::collections::BTreeMap::new();
    for answer in counted {
        let in_scope = match board.scope {
            Scope::Guild(guild) => answer.guild == Some(guild.0),
            Scope::Global => true,
        };
        let in_topics = board.topics.is_empty() || board.topics.iter().any(|t| t == answer.topic);
        if in_scope && in_topics && answer.at >= since && answer.at < until {
            let entry = per_user.entry(answer.user).or_default();
            entry.0 += answer.score;
            entry.1 += 1;
        }
    }
    let key = |total: f64, answers: u32| match board.sort {
        SortBy::Total => total,
        SortBy::Average => total / f64::from(answers),
        SortBy::Answers => f64::from(answers),
    };
    let tie = |total: f64, answers: u32| match board.sort {
        SortBy::Total | SortBy::Average => f64::from(answers),
        SortBy::Answers => total,
    };
    let mut rows: Vec<(u64, f64, u32)> = per_user
        .into_iter()
        .filter(|(_, (_, answers))| *answers >= board.min_answers.max(1))
        .map(|(user, (total, answers))| (user, total, answers))
        .collect();
    rows.sort_by(|a, b| {
        key(b.1, b.2)
            .total_cmp(&key(a.1, a.2))
            .then(tie(b.1, b.2).total_cmp(&tie(a.1, a.2)))
            .then(a.0.cmp(&b.0))
    });
    rows.iter()
        .zip(1..)
        .map(|(&(user, total, answers), place)| Standing {
            rank: 1 + rows
                .iter()
                .filter(|r| key(r.1, r.2) > key(total, answers))
                .count() as u32,
            place,
            user: UserId(user),
            total,
            answers,
            average: total / f64::from(answers),
        })
        .collect()
}

fn boards() -> Vec<Board> {
    let mut boards = Vec::new();
    for period in [Period::AllTime, Period::Week, Period::Month] {
        for sort in [SortBy::Total, SortBy::Average, SortBy::Answers] {
            for min in [1, 3] {
                let with = |board: Board| board.sorted_by(sort).min_answers(min);
                boards.push(with(Board::global(period)));
                boards.push(with(Board::global(period).topic("kubernetes")));
                boards.push(with(Board::guild(GuildId(1), period)));
                boards.push(with(Board::guild(GuildId(2), period)));
                boards.push(with(Board::guild(GuildId(3), period)));
                boards.push(with(
                    Board::guild(GuildId(1), period).topic("terraform").topic("linux"),
                ));
            }
        }
    }
    boards
}

/// Checks every board against [`expected`] at each of `nows`: whole pages, pages of three,
/// and every user's standing with two neighbours.
async fn check(db: &TestDb, zones: &[(u64, &str)], counted: &[Counted], nows: &[Timestamp]) -> TestResult {
    let users: Vec<u64> = (1..=14).collect();
    for &now in nows {
        for board in boards() {
            let want = expected(zones, counted, &board, now);
            let what = format!("{board:?} at {now}");
            let whole = db.store.leaderboard(&board, now, Page::first(100)).await?;
            assert_eq!(whole.entries, want, "{what}");
            assert_eq!(whole.players as usize, want.len(), "{what}");
            let mut page = Page::first(3);
            loop {
                let got = db.store.leaderboard(&board, now, page).await?;
                let from = (page.offset as usize).min(want.len());
                let to = (from + 3).min(want.len());
                assert_eq!(got.entries, want[from..to], "{what}, {page:?}");
                assert_eq!(got.players as usize, want.len(), "{what}, {page:?}");
                if got.entries.is_empty() {
                    break;
                }
                page = page.next();
            }
            for &user in &users {
                let got = db.store.standing(&board, UserId(user), now, 2).await?;
                let Some(index) = want.iter().position(|s| s.user == UserId(user)) else {
                    assert_eq!(got, None, "{what}, user {user}");
                    continue;
                };
                let got = got.ok_or_else(|| format!("{what}: user {user} is on the board"))?;
                assert_eq!(got.me, want[index], "{what}, user {user}");
                assert_eq!(
                    got.above,
                    want[index.saturating_sub(2)..index],
                    "{what}, user {user}"
                );
                assert_eq!(
                    got.below,
                    want[index + 1..(index + 3).min(want.len())],
                    "{what}, user {user}"
                );
                assert_eq!(got.players as usize, want.len(), "{what}, user {user}");
            }
        }
    }
    Ok(())
}

async fn boards_equal_a_brute_force_ranking(db: TestDb) -> TestResult {
    let first = at("2025-01-27T00:00:00Z");
    for (guild, name) in ZONES {
        db.store.set_time_zone(GuildId(guild), name, first).await?;
    }
    let drop = db
        .store
        .claim_drop(
            &NewDrop {
                guild: GuildId(1),
                local_date: jiff::civil::date(2025, 2, 3),
                card: card(1),
                channel: 10,
            },
            at("2025-02-03T09:00:00Z"),
        )
        .await?
        .drop()
        .id;

    let mut rng = Rng(0x00C0_FFEE);
    let mut counted = Vec::new();
    // Six weeks from Monday 27 January, over the turn of two months. Scores are eighths, so
    // sums are exact whatever order they are added in, and ties really tie.
    for n in 0..260_u32 {
        let user = 1 + rng.below(12);
        let guild = match rng.below(4) {
            0 => None,
            g => Some(g),
        };
        let topic = TOPICS[rng.below(3) as usize];
        let score = rng.below(9) as f64 / 8.0;
        let when = first + rng.below(42 * 24 * 60).cast_signed().minutes();
        let mut new = answer(user, guild, score, when);
        new.topic = Topic::new(topic);
        new.request_key = Some(format!("request-{n}"));
        let outcome = db.store.record_attempt(&new).await?;
        assert!(outcome.is_new());
        counted.push(Counted {
            user,
            guild,
            topic,
            score,
            at: when,
        });
        // Every tenth submission is delivered again, with another score: it must not count.
        if n % 10 == 0 {
            new.grade.score = 1.0 - score;
            assert!(!db.store.record_attempt(&new).await?.is_new());
        }
    }
    // Answers to a daily drop, each sent twice.
    for user in [3, 4, 13] {
        let mut new = answer(user, Some(1), 0.625, at("2025-02-03T10:00:00Z"));
        new.occasion = Occasion::DailyDrop(drop);
        new.topic = Topic::new("linux");
        assert!(db.store.record_attempt(&new).await?.is_new());
        new.grade.score = 1.0;
        assert!(!db.store.record_attempt(&new).await?.is_new());
        counted.push(Counted {
            user,
            guild: Some(1),
            topic: "linux",
            score: 0.625,
            at: new.at,
        });
    }
    // Answers on either side of the instants where the weeks of guilds 2 and 3 will start
    // once they move (Monday 3 February, midnight in Kolkata and in Kathmandu); several answers
    // by one user in one quarter hour, which guild boards count from one row; and one in the
    // quarter hour of the drop's answers below, which stays when they are deleted.
    for (n, (user, guild, score, when)) in [
        (6, 2, 0.375, "2025-02-02T18:29:59.999Z"),
        (7, 2, 0.375, "2025-02-02T18:30:00Z"),
        (6, 3, 0.375, "2025-02-02T18:14:59.999Z"),
        (7, 3, 0.375, "2025-02-02T18:15:00Z"),
        (8, 2, 0.25, "2025-02-10T12:00:00Z"),
        (8, 2, 0.5, "2025-02-10T12:07:00Z"),
        (8, 2, 0.125, "2025-02-10T12:14:59.999Z"),
        (8, 2, 1.0, "2025-02-10T12:15:00Z"),
        (9, 3, 0.75, "2025-02-24T03:30:00Z"),
        (9, 3, 0.75, "2025-02-24T03:31:00Z"),
        (3, 1, 0.5, "2025-02-03T10:05:00Z"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut new = answer(user, Some(guild), score, at(when));
        new.request_key = Some(format!("edge-{n}"));
        assert!(db.store.record_attempt(&new).await?.is_new());
        counted.push(Counted {
            user,
            guild: Some(guild),
            topic: "terraform",
            score,
            at: new.at,
        });
    }
    // A user who answered, then asked to be forgotten.
    db.store.delete_user(UserId(5)).await?;
    counted.retain(|answer| answer.user != 5);

    // Mid-week, the last and first millisecond of a UTC week (and of January), mid-February,
    // and the weekend after the last answer (the week of 3 March).
    let nows = [
        at("2025-01-29T12:00:00Z"),
        at("2025-02-02T23:59:59.999Z"),
        at("2025-02-03T00:00:00Z"),
        at("2025-01-31T23:59:59.999Z"),
        at("2025-02-14T08:00:00Z"),
        at("2025-03-08T10:00:00Z"),
    ];
    check(&db, &ZONES, &counted, &nows).await?;

    // Deleting the drop outside the store (an operator, say) cascades to its answers: the
    // totals follow.
    raw(&db.url, &format!("DELETE FROM daily_drops WHERE id = {}", drop.0)).await?;
    counted.retain(|answer| answer.at != at("2025-02-03T10:00:00Z"));
    check(&db, &ZONES, &counted, &nows[2..3]).await?;

    // Two guilds move to zones between the hours: their weeks and months now start at another
    // instant, and the boards follow at once.
    for (guild, name) in MOVED {
        db.store.set_time_zone(GuildId(guild), name, first).await?;
    }
    let zones = [ZONES[0], MOVED[0], MOVED[1]];
    check(&db, &zones, &counted, &nows).await?;

    // A database from before the guild totals, holding the same answers: opening it with
    // this cuecard sums them into the totals (migrations 0006 and 0008 fill them from
    // `attempts`), and its boards are the same.
    let old = database_before_guild_totals(&db, &zones, &counted).await?;
    check(&old, &zones, &counted, &nows[4..]).await?;
    old.store.close().await;
    if !old.url.starts_with("sqlite:") {
        let name = old.url.rsplit('/').next().ok_or("a database name")?;
        raw(&db.url, &format!("DROP DATABASE {name} WITH (FORCE)")).await?;
    }
    Ok(())
}

/// The newest migration before the guild totals (0006).
const BEFORE_GUILD_TOTALS: i64 = 5;

/// A new database beside `db`'s, migrated as far as a cuecard from before the guild totals
/// would have (0005), holding `counted` and guilds in `zones`, then opened by this cuecard.
async fn database_before_guild_totals(
    db: &TestDb,
    zones: &[(u64, &str)],
    counted: &[Counted],
) -> Result<TestDb, Box<dyn std::error::Error + Send + Sync>> {
    let url = if db.url.starts_with("sqlite:") {
        let url = db.url.replace("cuecard.db", "before-guild-totals.db");
        let options = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url)?
            .create_if_missing(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
        sqlx::migrate!("../../migrations/sqlite")
            .run_to(BEFORE_GUILD_TOTALS, &mut conn)
            .await?;
        conn.close().await?;
        url
    } else {
        let name = format!("{}_old", db.url.rsplit('/').next().ok_or("a database name")?);
        raw(&db.url, &format!("CREATE DATABASE {name}")).await?;
        let url = format!(
            "{}/{name}",
            &db.url[..db.url.rfind('/').ok_or("a database name")?]
        );
        let mut conn = sqlx::PgConnection::connect(&url).await?;
        sqlx::migrate!("../../migrations/postgres")
            .run_to(BEFORE_GUILD_TOTALS, &mut conn)
            .await?;
        conn.close().await?;
        url
    };
    // Plain rows, as that cuecard wrote them; every value is a number or a constant of this
    // file. A trigger (0002) creates the users.
    let guilds: Vec<String> = zones
        .iter()
        .map(|(guild, zone)| format!("({guild}, '{zone}', 0)"))
        .collect();
    let attempts: Vec<String> = counted
        .iter()
        .map(|a| {
            format!(
                "({}, {}, '{}', '{}', 'ad_hoc', 'an answer', {}, '[]', '[]', 'keyword', {})",
                a.user,
                a.guild.map_or_else(|| "NULL".to_owned(), |g| g.to_string()),
                card(1),
                a.topic,
                a.score,
                a.at.as_millisecond()
            )
        })
        .collect();
    raw(
        &url,
        &format!(
            "INSERT INTO guilds (id, time_zone, created_at) VALUES {};
             INSERT INTO attempts (user_id, guild_id, card_id, topic, occasion, answer, score, points,
                                   remarks, grader, created_at) VALUES {};",
            guilds.join(", "),
            attempts.join(", ")
        ),
    )
    .await?;
    Ok(TestDb {
        store: cuecard_store::Store::open(&url).await?,
        url,
    })
}
