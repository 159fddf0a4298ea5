//! Daily questions through the real bot and fakediscord, with a clock the test moves: once a
//! day at 09:00 Berlin across the autumn daylight-saving change, recaps with coverage shares,
//! a crash between posting and recording, a bot that was down at drop time, and drops and recaps
//! that fall while the gateway connection is down.

use std::time::Duration;

use fakediscord::User;
use serde_json::{Value, json};

use crate::bot::{Bot, WAIT, card_of};

const CHANNEL: u64 = 1_300_000_000_000_000_777;

async fn set_daily(bot: &Bot) {
    set_daily_with(bot, &[]).await;
}

async fn set_daily_with(bot: &Bot, extra: &[Value]) {
    let admin = User::admin(900, "admin");
    let mut set = vec![
        json!({"type": 7, "name": "channel", "value": CHANNEL.to_string()}),
        json!({"type": 3, "name": "time", "value": "09:00"}),
        json!({"type": 3, "name": "timezone", "value": "Europe/Berlin"}),
    ];
    set.extend(extra.iter().cloned());
    let options = json!([{"type": 1, "name": "set", "options": set}]);
    let resolved = json!({"channels": {CHANNEL.to_string(): {"id": CHANNEL.to_string(), "name": "daily", "type": 0, "permissions": "0"}}});
    let set = bot.fake.slash_resolved(&admin, "daily", &options, &resolved);
    let reply = bot.fake.wait_reply(&set, WAIT).await.unwrap();
    assert!(
        reply["content"]
            .as_str()
            .unwrap()
            .contains("every day at 09:00 (Europe/Berlin)"),
        "{reply}"
    );
}

fn description(message: &Value) -> String {
    message["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The drop messages in the channel, as (date, message).
fn drops(bot: &Bot) -> Vec<(String, Value)> {
    bot.fake
        .channel_messages(CHANNEL)
        .into_iter()
        .filter_map(|m| {
            let text = description(&m);
            let date = text
                .split("Daily question · ")
                .nth(1)?
                .split('*')
                .next()?
                .to_owned();
            Some((date, m))
        })
        .collect()
}

fn recaps(bot: &Bot) -> Vec<Value> {
    bot.fake
        .channel_messages(CHANNEL)
        .into_iter()
        .filter(|m| {
            m["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Recap"))
        })
        .collect()
}

/// Waits until the channel holds `drops` drop messages and `recaps` recaps.
async fn wait_for(bot: &Bot, want_drops: usize, want_recaps: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while drops(bot).len() < want_drops || recaps(bot).len() < want_recaps {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited for {want_drops} drops and {want_recaps} recaps; channel: {:#?}",
            bot.fake.channel_messages(CHANNEL)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Long enough for several scheduler ticks (100 ms each) to have run.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(800)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drop_a_day_at_nine_in_berlin_across_the_autumn_change_with_recaps() {
    // 08:00 in Berlin (CEST) on Friday 23 October 2026.
    let bot = Bot::start_at("2026-10-23T06:00:00Z").await;
    set_daily(&bot).await;
    settle().await;
    assert!(
        drops(&bot).is_empty(),
        "nothing before 09:00, and never yesterday's question late"
    );

    bot.set_clock("2026-10-23T07:00:30Z");
    wait_for(&bot, 1, 0).await;
    let (date, first) = drops(&bot).remove(0);
    assert_eq!(date, "2026-10-23");
    let card = card_of(&first);
    let alice = User::new(901, "alice");
    let bob = User::new(902, "bob");
    let graded = bot.answer(&alice, &first, &card.answer).await;
    assert!(
        graded["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Score"),
        "{graded}"
    );
    bot.answer(&bob, &first, "no clue").await;
    let again = bot.answer(&bob, &first, &card.answer).await;
    assert!(
        again.to_string().contains("your first answer stands"),
        "one scored answer per member: {again}"
    );

    // Saturday 09:00 CEST: Saturday's drop and Friday's recap.
    bot.set_clock("2026-10-24T07:00:30Z");
    wait_for(&bot, 2, 1).await;
    let recap = recaps(&bot).remove(0);
    let text = recap.to_string();
    assert!(text.contains("2 answers"), "{text}");
    assert!(
        text.contains(&format!("50% mentioned {}", card.key_points[0]).replace('"', "\\\"")),
        "{text}"
    );
    let top = recap["embeds"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Top answers")
        .unwrap();
    let top = top["value"].as_str().unwrap();
    assert!(top.find("<@901>").unwrap() < top.find("<@902>").unwrap(), "{top}");
    assert_eq!(
        recap["allowed_mentions"]["parse"],
        json!([]),
        "names in a recap never ping"
    );
    // Friday's question no longer takes answers.
    let late = bot
        .answer(&User::new(904, "latecomer"), &first, &card.answer)
        .await;
    assert!(late.to_string().contains("has closed"), "{late}");

    // Sunday 25 October: clocks went back at 03:00, so 09:00 is now 08:00Z, not 07:00Z.
    bot.set_clock("2026-10-25T07:30:00Z");
    settle().await;
    assert_eq!(drops(&bot).len(), 2, "not at the old offset");
    bot.set_clock("2026-10-25T08:00:30Z");
    wait_for(&bot, 3, 2).await;
    bot.set_clock("2026-10-26T08:00:30Z");
    wait_for(&bot, 4, 3).await;
    settle().await;
    let dates: Vec<String> = drops(&bot).into_iter().map(|(d, _)| d).collect();
    assert_eq!(
        dates,
        ["2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26"],
        "exactly one a day"
    );
    assert_eq!(recaps(&bot).len(), 3, "one recap per closed day");
    bot.assert_no_unexpected_routes();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_right_after_posting_never_posts_twice() {
    let mut bot = Bot::start_at("2026-11-02T07:00:00Z").await;
    set_daily(&bot).await;
    // The message reaches the channel but the bot never learns its id; then it is killed.
    bot.fake.stall_channel_posts(true);
    bot.set_clock("2026-11-02T08:00:30Z");
    wait_for(&bot, 1, 0).await;
    settle().await;
    bot.kill();
    bot.fake.stall_channel_posts(false);
    bot.restart().await;
    settle().await;
    settle().await;
    let posted = drops(&bot);
    assert_eq!(
        posted.len(),
        1,
        "reconciled with the message already in the channel"
    );
    // The restarted bot takes answers to it.
    let card = card_of(&posted[0].1);
    let graded = bot
        .answer(&User::new(903, "carol"), &posted[0].1, &card.answer)
        .await;
    assert!(
        graded["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Score"),
        "{graded}"
    );
    bot.assert_no_unexpected_routes();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_that_was_down_at_nine_posts_once_when_it_starts_at_half_past() {
    let mut bot = Bot::start_at("2026-11-03T07:00:00Z").await;
    set_daily(&bot).await;
    bot.kill();
    bot.set_clock("2026-11-03T08:30:00Z");
    bot.restart().await;
    wait_for(&bot, 1, 0).await;
    settle().await;
    bot.restart().await;
    settle().await;
    assert_eq!(
        drops(&bot).len(),
        1,
        "posted once, not again after another restart"
    );
    bot.assert_no_unexpected_routes();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_with_half_the_shards_each_post_every_guild_once_a_day() {
    let Some(pg) = crate::operations::Pg::create().await else {
        return;
    };
    let fake = fakediscord::FakeDiscord::start().await;
    let guilds = [fakediscord::GUILD_ID, fakediscord::GUILD_ID + (1 << 22)];
    assert_ne!(
        fakediscord::shard_of(guilds[0], 2),
        fakediscord::shard_of(guilds[1], 2)
    );
    let store = cuecard_store::Store::open(&pg.url).await.unwrap();
    for (i, guild) in guilds.iter().enumerate() {
        let settings = cuecard_store::DropSettings {
            channel: CHANNEL + i as u64,
            local_time: jiff::civil::time(9, 0, 0, 0),
            time_zone: "Europe/Berlin".to_owned(),
            topics: Vec::new(),
            enabled: true,
        };
        store
            .set_drop_settings(
                cuecard_core::GuildId(*guild),
                &settings,
                "2026-11-09T06:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
    }
    store.close().await;

    let dir = tempfile::tempdir().unwrap();
    let clock = dir.path().join("clock");
    std::fs::write(&clock, "2026-11-09T07:00:00Z").unwrap();
    let spawn = |shard: &str, data: &str| {
        let data = dir.path().join(data);
        Killed(Some(
            std::process::Command::new(env!("CARGO_BIN_EXE_cuecard"))
                .args(["serve", "--shards", shard, "--total-shards", "2"])
                .env("DISCORD_TOKEN", fakediscord::TOKEN)
                .env("DISCORD_API_BASE", fake.api_base())
                .env("DATABASE_URL", &pg.url)
                .env("CUECARD_DATA_DIR", &data)
                .env("CUECARD_CLOCK_FILE", &clock)
                .env("CUECARD_TICK_MS", "100")
                .env("RUST_LOG", "warn,cuecard_discord=info")
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        ))
    };
    let first = spawn("0", "first");
    let second = spawn("1", "second");
    fake.wait_shards(&[[0, 2], [1, 2]], WAIT).await.unwrap();
    let days = ["2026-11-09", "2026-11-10", "2026-11-11"];
    for (n, day) in days.iter().enumerate() {
        std::fs::write(&clock, format!("{day}T08:00:30Z")).unwrap();
        for channel in [CHANNEL, CHANNEL + 1] {
            let deadline = tokio::time::Instant::now() + WAIT;
            let drops_in = |channel| {
                fake.channel_messages(channel)
                    .iter()
                    .filter(|m| description(m).contains("Daily question · "))
                    .count()
            };
            while drops_in(channel) < n + 1 {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "no drop on {day} in channel {channel}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    settle().await;
    for (i, channel) in [CHANNEL, CHANNEL + 1].into_iter().enumerate() {
        let posted: Vec<String> = fake
            .channel_messages(channel)
            .iter()
            .filter_map(|m| {
                description(m)
                    .split("Daily question · ")
                    .nth(1)
                    .map(|d| d[..10].to_owned())
            })
            .collect();
        assert_eq!(posted, days, "guild {i}: exactly one drop a day");
    }
    let (first_logs, second_logs) = (first.logs(), second.logs());
    let posted_by = |text: &str, guild: u64| {
        text.lines()
            .any(|l| l.contains("daily drop posted") && l.contains(&guild.to_string()))
    };
    let owner = |guild: u64| fakediscord::shard_of(guild, 2);
    for guild in guilds {
        let (mine, theirs) = if owner(guild) == 0 {
            (&first_logs, &second_logs)
        } else {
            (&second_logs, &first_logs)
        };
        assert!(
            posted_by(mine, guild),
            "the owning process posts guild {guild}:\n{mine}"
        );
        assert!(
            !posted_by(theirs, guild),
            "the other process never does:\n{theirs}"
        );
    }
}

/// A bot process that is killed when the test ends, however it ends.
struct Killed(Option<std::process::Child>);

impl Killed {
    /// Kills the process and returns what it logged.
    fn logs(mut self) -> String {
        let mut child = self.0.take().unwrap();
        let _ = child.kill();
        let mut text = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        }
        let _ = child.wait();
        text
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_adaptive_drop_asks_from_the_servers_weakest_topic() {
    let bot = Bot::start_at("2026-11-06T07:00:00Z").await;
    let strong = User::new(931, "strong");
    for (topic, good) in [("linux", true), ("security", false), ("terraform", true)] {
        let question = bot
            .command(
                &strong,
                "ask",
                json!([{"type": 3, "name": "topic", "value": topic}]),
            )
            .await;
        let card = card_of(&question);
        let text = if good {
            card.answer.clone()
        } else {
            "no idea".to_owned()
        };
        bot.command(
            &strong,
            "answer",
            json!([{"type": 3, "name": "text", "value": text}]),
        )
        .await;
    }
    set_daily_with(&bot, &[json!({"type": 5, "name": "adaptive", "value": true})]).await;
    bot.set_clock("2026-11-06T08:00:30Z");
    wait_for(&bot, 1, 0).await;
    let (_, drop) = drops(&bot).remove(0);
    assert_eq!(card_of(&drop).topic.slug(), "security", "the weakest topic");
    bot.assert_no_unexpected_routes();
}

/// Waits until `count` (a fake's counter of gateway sessions) passes `before`.
async fn wait_reconnect(bot: &Bot, what: &str, before: usize, count: impl Fn(&Bot) -> usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while count(bot) <= before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the bot never reconnected by {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn assert_graded(reply: &Value) {
    assert!(
        reply["embeds"][0]["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Score")),
        "{reply}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drops_and_recaps_due_while_the_gateway_reconnects_are_posted_once() {
    // 08:00 in Berlin (CET) on Tuesday 10 November 2026; drops at 09:00, that is 08:00Z.
    let bot = Bot::start_at("2026-11-10T07:00:00Z").await;
    set_daily(&bot).await;
    bot.set_clock("2026-11-10T08:00:30Z");
    wait_for(&bot, 1, 0).await;
    let (_, first) = drops(&bot).remove(0);
    assert_graded(
        &bot.answer(&User::new(941, "alice"), &first, &card_of(&first).answer)
            .await,
    );

    // The session is lost just as the 10th closes: its recap and the 11th's drop fall due
    // while the bot identifies again (serenity waits about 5 s before it does, so both are
    // posted with no gateway session at all; the scheduler needs none).
    let identified = bot.fake.identify_count();
    bot.fake.drop_gateway(true);
    bot.set_clock("2026-11-11T08:00:30Z");
    wait_for(&bot, 2, 1).await;
    wait_reconnect(&bot, "IDENTIFY", identified, |b| b.fake.identify_count()).await;
    let (_, second) = drops(&bot).remove(1);
    assert_graded(
        &bot.answer(&User::new(942, "bob"), &second, &card_of(&second).answer)
            .await,
    );

    // A plain drop the bot resumes from, as the 11th closes.
    let resumed = bot.fake.resume_count();
    bot.fake.drop_gateway(false);
    bot.set_clock("2026-11-12T08:00:30Z");
    wait_for(&bot, 3, 2).await;
    wait_reconnect(&bot, "RESUME", resumed, |b| b.fake.resume_count()).await;

    // And one more invalidated session with nothing due: the new session starts nothing twice.
    let identified = bot.fake.identify_count();
    bot.fake.drop_gateway(true);
    wait_reconnect(&bot, "IDENTIFY", identified, |b| b.fake.identify_count()).await;
    settle().await;
    settle().await;
    let dates: Vec<String> = drops(&bot).into_iter().map(|(d, _)| d).collect();
    assert_eq!(
        dates,
        ["2026-11-10", "2026-11-11", "2026-11-12"],
        "exactly one drop a day"
    );
    let recapped: Vec<String> = recaps(&bot).iter().map(description).collect();
    assert_eq!(
        recapped,
        [
            "Daily question of 2026-11-10 · 1 answer",
            "Daily question of 2026-11-11 · 1 answer"
        ],
        "one recap per closed day, with the answer given around the reconnect"
    );
    assert_eq!(
        bot.fake.channel_messages(CHANNEL).len(),
        5,
        "three drops and two recaps, nothing else"
    );
    bot.assert_no_unexpected_routes();
}
