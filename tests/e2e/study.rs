//! Study sessions through the real bot: a thread, rounds answered by two members, a round that
//! times out, the final scoreboard, and a session that survives a restart and a dropped gateway.

use std::time::Duration;

use fakediscord::User;
use serde_json::{Value, json};

use crate::bot::{Bot, WAIT, card_of};

fn thread_of(bot: &Bot) -> u64 {
    bot.fake.threads()[0]["id"].as_str().unwrap().parse().unwrap()
}

/// Waits for the `n`th message (0-based) in the thread and returns it.
async fn message(bot: &Bot, thread: u64, n: usize) -> Value {
    bot.fake
        .wait_channel_messages(thread, n + 1, WAIT)
        .await
        .unwrap()
        .remove(n)
}

fn title(message: &Value) -> String {
    message["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn heading(message: &Value) -> String {
    message["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn assert_graded(reply: &Value) {
    assert!(title(reply).starts_with("Score"), "{reply}");
}

async fn start(bot: &Bot, starter: &User, questions: u8) -> u64 {
    let options = json!([{"type": 1, "name": "start", "options": [
        {"type": 4, "name": "questions", "value": questions},
        {"type": 4, "name": "seconds", "value": 60},
        {"type": 3, "name": "topic", "value": "linux"},
    ]}]);
    let reply = bot.command(starter, "study", options).await;
    assert!(
        reply["content"]
            .as_str()
            .unwrap()
            .contains("The session is on in"),
        "{reply}"
    );
    thread_of(bot)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_play_three_rounds_to_a_scoreboard() {
    let bot = Bot::start_at("2026-11-04T10:00:00Z").await;
    let alice = User::new(701, "alice");
    let bob = User::new(702, "bob");
    let thread = start(&bot, &alice, 3).await;
    let again = bot
        .command(
            &bob,
            "study",
            json!([{"type": 1, "name": "start", "options": []}]),
        )
        .await;
    assert!(
        again["content"].as_str().unwrap().contains("already running"),
        "one session per channel: {again}"
    );

    // Round 1: both answer; it ends when the last member (the starter) has answered.
    let round = message(&bot, thread, 1).await;
    assert!(heading(&round).contains("Round 1 of 3"), "{round}");
    let card = card_of(&round);
    assert_graded(&bot.answer(&bob, &round, "not sure").await);
    assert_graded(&bot.answer(&alice, &round, &card.answer).await);
    let reveal = message(&bot, thread, 2).await;
    assert_eq!(title(&reveal), "Round 1 of 3 is over");
    let text = reveal.to_string();
    assert!(
        text.find("<@701>").unwrap() < text.find("<@702>").unwrap(),
        "best first: {text}"
    );

    // Round 2: only Bob answers; the round waits for Alice until its 60 seconds are up.
    let round = message(&bot, thread, 3).await;
    assert_graded(&bot.answer(&bob, &round, &card_of(&round).answer).await);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        bot.fake.channel_messages(thread).len(),
        4,
        "still waiting for Alice"
    );
    bot.set_clock("2026-11-04T10:01:01Z");
    let reveal = message(&bot, thread, 4).await;
    assert_eq!(title(&reveal), "Round 2 of 3 is over");

    // Round 3: both answer well; then the scoreboard.
    let round = message(&bot, thread, 5).await;
    let card = card_of(&round);
    assert_graded(&bot.answer(&alice, &round, &card.answer).await);
    assert_graded(&bot.answer(&bob, &round, &card.answer).await);
    let reveal = message(&bot, thread, 6).await;
    assert_eq!(title(&reveal), "Round 3 of 3 is over");
    let board = message(&bot, thread, 7).await;
    assert_eq!(title(&board), "Session over · 3 rounds");
    let description = heading(&board);
    assert!(
        description.contains("<@702>") && description.contains("<@701>"),
        "{description}"
    );
    assert!(
        description.contains("(3 answered)") && description.contains("(2 answered)"),
        "{description}"
    );
    bot.assert_no_unexpected_routes();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_carries_on_after_a_restart() {
    let mut bot = Bot::start_at("2026-11-05T10:00:00Z").await;
    let alice = User::new(711, "alice");
    let thread = start(&bot, &alice, 2).await;
    let round = message(&bot, thread, 1).await;
    assert_graded(&bot.answer(&alice, &round, &card_of(&round).answer).await);
    let second = message(&bot, thread, 3).await;
    assert!(heading(&second).contains("Round 2 of 2"));
    bot.kill();
    bot.restart().await;
    let resumed = message(&bot, thread, 4).await;
    assert!(
        resumed["content"].as_str().unwrap().contains("carries on"),
        "{resumed}"
    );
    assert_graded(&bot.answer(&alice, &second, &card_of(&second).answer).await);
    let reveal = message(&bot, thread, 5).await;
    assert_eq!(title(&reveal), "Round 2 of 2 is over");
    let board = message(&bot, thread, 6).await;
    assert_eq!(title(&board), "Session over · 2 rounds");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        bot.fake.channel_messages(thread).len(),
        7,
        "no round or scoreboard twice"
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_carries_on_through_a_gateway_resume_and_a_reidentify() {
    let bot = Bot::start_at("2026-11-07T10:00:00Z").await;
    let alice = User::new(721, "alice");
    let thread = start(&bot, &alice, 3).await;
    let round = message(&bot, thread, 1).await;
    assert!(heading(&round).contains("Round 1 of 3"), "{round}");
    assert_graded(&bot.answer(&alice, &round, &card_of(&round).answer).await);
    let reveal = message(&bot, thread, 2).await;
    assert_eq!(title(&reveal), "Round 1 of 3 is over", "{reveal}");

    // Round 2 is open when the connection drops; the bot resumes its session.
    let second = message(&bot, thread, 3).await;
    assert!(heading(&second).contains("Round 2 of 3"), "{second}");
    let (identified, resumed) = (bot.fake.identify_count(), bot.fake.resume_count());
    bot.fake.drop_gateway(false);
    wait_reconnect(&bot, "RESUME", resumed, |b| b.fake.resume_count()).await;
    assert_eq!(
        bot.fake.identify_count(),
        identified,
        "a dropped connection is resumed, not identified anew"
    );
    assert_graded(&bot.answer(&alice, &second, &card_of(&second).answer).await);

    // The session is invalidated before round 3 is answered: the bot identifies again.
    bot.fake.drop_gateway(true);
    wait_reconnect(&bot, "IDENTIFY", identified, |b| b.fake.identify_count()).await;
    let reveal = message(&bot, thread, 4).await;
    assert_eq!(title(&reveal), "Round 2 of 3 is over", "{reveal}");
    let third = message(&bot, thread, 5).await;
    assert!(heading(&third).contains("Round 3 of 3"), "{third}");
    assert_graded(&bot.answer(&alice, &third, &card_of(&third).answer).await);
    let reveal = message(&bot, thread, 6).await;
    assert_eq!(title(&reveal), "Round 3 of 3 is over", "{reveal}");
    let board = message(&bot, thread, 7).await;
    assert_eq!(title(&board), "Session over · 3 rounds", "{board}");
    assert!(
        heading(&board).contains("<@721>") && heading(&board).contains("(3 answered)"),
        "no answer lost to a reconnect: {board}"
    );

    tokio::time::sleep(Duration::from_millis(800)).await;
    let messages = bot.fake.channel_messages(thread);
    let titles: Vec<String> = messages.iter().map(title).collect();
    for n in 1..=3 {
        let rounds = messages
            .iter()
            .filter(|m| heading(m).contains(&format!("Round {n} of 3")))
            .count();
        let reveals = titles
            .iter()
            .filter(|t| **t == format!("Round {n} of 3 is over"))
            .count();
        assert_eq!((rounds, reveals), (1, 1), "round {n} once: {titles:?}");
    }
    assert_eq!(
        titles.iter().filter(|t| t.starts_with("Session over")).count(),
        1,
        "one scoreboard: {titles:?}"
    );
    assert_eq!(
        messages.len(),
        8,
        "the intro, three rounds, three reveals and the scoreboard, nothing else: {titles:?}"
    );
    assert!(
        bot.fake.resume_count() > resumed && bot.fake.identify_count() > identified,
        "both reconnects happened"
    );
    bot.assert_no_unexpected_routes();
}
