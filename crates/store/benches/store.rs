//! Store benchmarks on a realistic volume: by default 1,000,000 attempts by 100,000 users in
//! 1,000 guilds, spread over the past year. Measures weekly top-10 and my-rank latency (for a
//! guild and globally) and `record_attempt` throughput, on SQLite and, when
//! `BENCH_DATABASE_URL` or `TEST_DATABASE_URL` names a Postgres server, on Postgres.
//!
//! `CUECARD_BENCH_ATTEMPTS` changes the volume (users are a tenth of it, guilds a hundredth of
//! the users). Seeding takes a while, so the seeded databases are kept: the SQLite file under
//! `target/cuecard-bench/`, the Postgres database as `cuecard_bench_<attempts>` on the server.
//! Goals: top-10 and my-rank under 5 ms on SQLite and 10 ms on Postgres; 5,000 attempts/s.
#![allow(clippy::doc_markdown)] // "SQLite" is a name, not code.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cuecard_core::{CardId, Grade, GraderKind, GuildId, Period, Topic, UserId};
use cuecard_store::{Board, NewAttempt, Occasion, Page, Store};
use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Connection};
use tokio::runtime::Runtime;

/// Sunday evening: the week's board is nearly full.
const NOW: &str = "2025-06-15T20:00:00Z";
const YEAR_MS: u64 = 365 * 24 * 3600 * 1000;
const BATCH: usize = 1000;

struct Volume {
    attempts: u64,
    users: u64,
    guilds: u64,
}

impl Volume {
    fn from_env() -> Self {
        let attempts = std::env::var("CUECARD_BENCH_ATTEMPTS")
            .ok()
            .and_then(|v| v.replace('_', "").parse().ok())
            .unwrap_or(1_000_000_u64)
            .max(1000);
        let users = (attempts / 10).max(100);
        Self {
            attempts,
            users,
            guilds: (users / 100).max(1),
        }
    }
}

/// A small, fast, deterministic mixer (splitmix64), so seeded data is the same every run.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn user_id(n: u64) -> u64 {
    1_000_000 + n
}

fn guild_id(user: u64, volume: &Volume) -> u64 {
    1 + user % volume.guilds
}

const TOPICS: [&str; 8] = [
    "terraform",
    "kubernetes",
    "aws-networking",
    "linux",
    "ci-cd",
    "observability",
    "databases",
    "system-design",
];

/// The key the bot records with every answer: `discord:` and the interaction's snowflake, whose
/// high bits are milliseconds since 2015, so keys grow with time as real ones do.
fn request_key(at_ms: i64, n: u64) -> String {
    const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;
    let millis = (at_ms - DISCORD_EPOCH_MS).unsigned_abs();
    format!("discord:{}", (millis << 22) | (n & 0x3F_FFFF))
}

fn now() -> Timestamp {
    NOW.parse().expect("a valid timestamp")
}

/// [`NOW`] in milliseconds, parsed once: [`new_attempt`] runs inside the timed loops.
static NOW_MS: std::sync::LazyLock<i64> = std::sync::LazyLock::new(|| now().as_millisecond());

/// Writes the seed rows with plain multi-row INSERTs in large transactions: the fastest way
/// that works the same on both backends. Every value is a number we generated.
async fn seed<C>(conn: &mut C, volume: &Volume) -> Result<(), Box<dyn std::error::Error>>
where
    for<'c> &'c mut C: sqlx::Executor<'c>,
    C: Connection,
{
    let created = now().as_millisecond() - 400 * 24 * 3600 * 1000;
    let mut tx = conn.begin().await?;
    for start in (0..volume.guilds).step_by(BATCH) {
        let rows: Vec<String> = (start..(start + BATCH as u64).min(volume.guilds))
            .map(|g| format!("({}, 'UTC', {created})", g + 1))
            .collect();
        let sql = format!(
            "INSERT INTO guilds (id, time_zone, created_at) VALUES {}",
            rows.join(",")
        );
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
    }
    for start in (0..volume.users).step_by(BATCH) {
        let rows: Vec<String> = (start..(start + BATCH as u64).min(volume.users))
            .map(|u| format!("({}, {created})", user_id(u)))
            .collect();
        let sql = format!("INSERT INTO users (id, created_at) VALUES {}", rows.join(","));
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    let cards: Vec<String> = (0..200)
        .map(|n| CardId::derive(&Topic::new("Bench"), &format!("q{n}")).to_string())
        .collect();
    let now_ms = now().as_millisecond();
    let mut done = 0;
    while done < volume.attempts {
        let mut tx = conn.begin().await?;
        for _ in 0..100 {
            if done >= volume.attempts {
                break;
            }
            let end = (done + BATCH as u64).min(volume.attempts);
            let rows: Vec<String> = (done..end)
                .map(|i| {
                    let r = mix(i);
                    let user = i % volume.users;
                    let at = now_ms - (r % YEAR_MS).cast_signed();
                    format!(
                        "({}, {}, '{}', '{}', 'ad_hoc', '{}', 'seeded', {:.2}, '[]', '[]', 'keyword', {at})",
                        user_id(user),
                        guild_id(user, volume),
                        cards[(r >> 40) as usize % cards.len()],
                        TOPICS[(r >> 50) as usize % TOPICS.len()],
                        request_key(at, i),
                        ((r >> 20) % 101) as f64 / 100.0,
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO attempts (user_id, guild_id, card_id, topic, occasion, request_key, \
                 answer, score, points, remarks, grader, created_at) VALUES {}",
                rows.join(",")
            );
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
            done = end;
        }
        tx.commit().await?;
        eprint!("\rseeded {done}/{} attempts", volume.attempts);
    }
    eprintln!();
    let sql = format!(
        "ANALYZE; CREATE TABLE bench_seeded (attempts BIGINT NOT NULL); \
         INSERT INTO bench_seeded VALUES ({})",
        volume.attempts
    );
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *conn).await?;
    Ok(())
}

async fn is_seeded<C>(conn: &mut C) -> bool
where
    for<'c> &'c mut C: sqlx::Executor<'c>,
    C: Connection,
{
    sqlx::raw_sql("SELECT attempts FROM bench_seeded")
        .execute(&mut *conn)
        .await
        .is_ok()
}

async fn sqlite_store(volume: &Volume) -> Result<Store, Box<dyn std::error::Error>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/cuecard-bench");
    std::fs::create_dir_all(&dir)?;
    let url = format!(
        "sqlite://{}",
        dir.join(format!("sqlite-{}.db", volume.attempts)).display()
    );
    let store = Store::open(&url).await?;
    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
    if !is_seeded(&mut conn).await {
        let started = Instant::now();
        seed(&mut conn, volume).await?;
        eprintln!("seeded SQLite in {:.1?}", started.elapsed());
    }
    conn.close().await?;
    Ok(store)
}

async fn postgres_store(volume: &Volume) -> Result<Option<Store>, Box<dyn std::error::Error>> {
    let Some(admin_url) = std::env::var("BENCH_DATABASE_URL")
        .ok()
        .or_else(|| std::env::var("TEST_DATABASE_URL").ok())
    else {
        eprintln!("note: set BENCH_DATABASE_URL or TEST_DATABASE_URL to benchmark Postgres too");
        return Ok(None);
    };
    let name = format!("cuecard_bench_{}", volume.attempts);
    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
    let exists = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_one(&mut admin)
        .await?
        > 0;
    if !exists {
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
    }
    let base = admin_url.split('?').next().unwrap_or(&admin_url);
    let url = match base.rfind('/') {
        Some(slash) if slash > base.find("://").map_or(0, |i| i + 2) => format!("{}/{name}", &base[..slash]),
        _ => format!("{base}/{name}"),
    };
    let store = Store::open(&url).await?;
    let mut conn = sqlx::PgConnection::connect(&url).await?;
    if !is_seeded(&mut conn).await {
        let started = Instant::now();
        seed(&mut conn, volume).await?;
        eprintln!("seeded Postgres in {:.1?}", started.elapsed());
    }
    // Autovacuum is off on some test servers, ours included. A production server vacuums
    // global_totals after 2% of its rows change (migration 0005), so the index-only counts
    // behind ranks skip the table; vacuum here so the boards are measured in that state.
    let started = Instant::now();
    sqlx::raw_sql("VACUUM (ANALYZE) global_totals, attempts")
        .execute(&mut conn)
        .await?;
    eprintln!("vacuumed Postgres in {:.1?}", started.elapsed());
    conn.close().await?;
    Ok(Some(store))
}

fn new_attempt(n: u64, volume: &Volume) -> NewAttempt {
    let r = mix(n ^ 0xA5A5_A5A5);
    let user = r % volume.users;
    let topic = Topic::new(TOPICS[(r >> 50) as usize % TOPICS.len()]);
    NewAttempt {
        user: UserId(user_id(user)),
        guild: Some(GuildId(guild_id(user, volume))),
        card: CardId::derive(&topic, &format!("q{}", r % 200)),
        topic,
        occasion: Occasion::AdHoc,
        answer: "Remote state in S3 with DynamoDB locking".to_owned(),
        grade: Grade {
            score: ((r >> 20) % 101) as f64 / 100.0,
            points: Vec::new(),
            grader: GraderKind::Keyword,
            remarks: Vec::new(),
        },
        // In 2020, so benchmark writes never land on the boards measured above.
        at: Timestamp::from_millisecond(1_577_836_800_000 + (n % 1_000_000).cast_signed()).expect("in range"),
        // As the bot sends it; the keys come after the seeded ones, as new interactions do.
        request_key: Some(request_key(*NOW_MS + (n % 1_000_000).cast_signed(), n)),
    }
}

/// How long each recording benchmark runs: `CUECARD_BENCH_RECORD_SECS`, 5 s by default. SQLite
/// checkpoints every few thousand answers and each checkpoint takes a while, so a short run
/// counts a varying number of them; 30 s gives steadier figures for comparisons.
fn record_seconds() -> Duration {
    let seconds = std::env::var("CUECARD_BENCH_RECORD_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_u64);
    Duration::from_secs(seconds.max(1))
}

fn bench_backend(c: &mut Criterion, rt: &Runtime, label: &str, store: &Store, volume: &Volume) {
    let now = now();
    let guild = GuildId(1 + volume.guilds / 2);
    let guild_board = Board::guild(guild, Period::Week);
    let global_board = Board::global(Period::Week);
    // Someone from the middle of each board, so neighbours exist on both sides.
    let middle = |board: &Board| {
        rt.block_on(async {
            let players = store.leaderboard(board, now, Page::first(1)).await?.players;
            let page = store
                .leaderboard(
                    board,
                    now,
                    Page {
                        offset: players / 2,
                        limit: 1,
                    },
                )
                .await?;
            Ok::<_, cuecard_store::StoreError>((players, page.entries.first().map(|e| e.user)))
        })
        .expect("a board")
    };
    let (guild_players, guild_user) = middle(&guild_board);
    let (global_players, global_user) = middle(&global_board);
    eprintln!(
        "{label}: guild {} has {guild_players} players this week; the global week has {global_players}",
        guild.0
    );

    let mut group = c.benchmark_group(format!("{label}/leaderboard"));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("weekly_top10_guild", |b| {
        b.iter(|| {
            rt.block_on(store.leaderboard(&guild_board, now, Page::first(10)))
                .expect("board")
        });
    });
    if let Some(user) = guild_user {
        group.bench_function("my_rank_guild", |b| {
            b.iter(|| {
                rt.block_on(store.standing(&guild_board, user, now, 2))
                    .expect("standing")
            });
        });
    }
    group.bench_function("weekly_top10_global", |b| {
        b.iter(|| {
            rt.block_on(store.leaderboard(&global_board, now, Page::first(10)))
                .expect("board")
        });
    });
    if let Some(user) = global_user {
        group.bench_function("my_rank_global", |b| {
            b.iter(|| {
                rt.block_on(store.standing(&global_board, user, now, 2))
                    .expect("standing")
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group(format!("{label}/record_attempt"));
    group.throughput(Throughput::Elements(1));
    group.measurement_time(record_seconds());
    let mut next = 0_u64;
    group.bench_function("sequential", |b| {
        b.iter_custom(|iters| {
            let started = Instant::now();
            for _ in 0..iters {
                next += 1;
                rt.block_on(store.record_attempt(&new_attempt(next, volume)))
                    .expect("recorded");
            }
            started.elapsed()
        });
    });
    let mut base = 1_u64 << 32;
    for tasks in [8_u64, 32] {
        group.bench_function(format!("concurrent_{tasks}"), |b| {
            b.iter_custom(|iters| {
                let per_task = iters.div_ceil(tasks);
                base += tasks * per_task;
                let start = base;
                rt.block_on(async {
                    let started = Instant::now();
                    let handles: Vec<_> = (0..tasks)
                        .map(|t| {
                            let store = store.clone();
                            let batch: Vec<NewAttempt> = (0..per_task)
                                .map(|i| new_attempt(start + t * per_task + i, volume))
                                .collect();
                            tokio::spawn(async move {
                                for attempt in &batch {
                                    store.record_attempt(attempt).await.expect("recorded");
                                }
                            })
                        })
                        .collect();
                    for handle in handles {
                        handle.await.expect("task");
                    }
                    // Scale to the requested count: the tasks recorded per_task * tasks.
                    started
                        .elapsed()
                        .mul_f64(iters as f64 / (per_task * tasks) as f64)
                })
            });
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let rt = Runtime::new().expect("a tokio runtime");
    let volume = Volume::from_env();
    eprintln!(
        "volume: {} attempts, {} users, {} guilds",
        volume.attempts, volume.users, volume.guilds
    );
    let sqlite = rt.block_on(sqlite_store(&volume)).expect("SQLite bench database");
    bench_backend(c, &rt, "sqlite", &sqlite, &volume);
    rt.block_on(sqlite.close());
    if let Some(postgres) = rt
        .block_on(postgres_store(&volume))
        .expect("Postgres bench database")
    {
        bench_backend(c, &rt, "postgres", &postgres, &volume);
        rt.block_on(postgres.close());
    }
}

criterion_group!(store, benches);
criterion_main!(store);
