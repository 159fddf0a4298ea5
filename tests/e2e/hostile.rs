//! Hostile input end to end (issue 11): a sample of the hostile-answer corpus answered through the
//! real bot (no ping, embeds within Discord's limits, no panic), every malformed sheet through
//! `cuecard check-sheet` (no panic, a located message), the per-user grading limit, and a forged
//! guild interaction without a `member`.

use std::time::Duration;

use fakediscord::User;
use serde_json::{Value, json};

use crate::bot::{Bot, WAIT};
use crate::util::Cuecard;

mod answers {
    include!("../data/hostile.rs");
}

mod sheets {
    include!("../data/hostile_sheets.rs");
}

/// Every embed within Discord's limits (characters): title 256, description 4096, field name
/// 256 and value 1024, footer 2048, 6000 in all, at most 25 fields.
fn assert_embeds_fit(message: &Value) {
    let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    for embed in message["embeds"].as_array().into_iter().flatten() {
        let fields = embed["fields"].as_array().cloned().unwrap_or_default();
        assert!(fields.len() <= 25, "{embed}");
        assert!(
            len(&embed["title"]) <= 256 && len(&embed["description"]) <= 4096,
            "{embed}"
        );
        assert!(len(&embed["footer"]["text"]) <= 2048, "{embed}");
        let mut total = len(&embed["title"]) + len(&embed["description"]) + len(&embed["footer"]["text"]);
        for field in &fields {
            assert!(
                len(&field["name"]) <= 256 && len(&field["value"]) <= 1024,
                "{field}"
            );
            total += len(&field["name"]) + len(&field["value"]);
        }
        assert!(total <= 6000, "{total} characters in {embed}");
    }
}

fn assert_cannot_ping(message: &Value) {
    assert_eq!(message["allowed_mentions"]["parse"], json!([]), "{message}");
    let shown = message.to_string();
    assert!(
        !shown.contains("@everyone") && !shown.contains("@here"),
        "{shown}"
    );
    assert!(!shown.replace("\\\\<", "").contains("<@"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sample_of_hostile_answers_never_pings_breaks_an_embed_or_panics() {
    let bot = Bot::start().await;
    let corpus = answers::all();
    // Every class, and the longest answers: twenty in all, one user each (the rate limit is not
    // what this test is about).
    let mut sample: Vec<&answers::Hostile> = Vec::new();
    for hostile in &corpus {
        if !sample.iter().any(|h| h.class == hostile.class) && !hostile.answer.trim().is_empty() {
            sample.push(hostile);
        }
    }
    let mut longest: Vec<&answers::Hostile> = corpus.iter().collect();
    longest.sort_by_key(|h| std::cmp::Reverse(h.answer.len()));
    sample.extend(longest.into_iter().take(20usize.saturating_sub(sample.len())));
    assert!(sample.len() >= 20, "{}", sample.len());
    for (n, hostile) in sample.iter().enumerate() {
        let user = User::new(5_000 + n as u64, &format!("hostile{n}"));
        let question = bot.command(&user, "ask", json!([])).await;
        let custom_id = question["components"][0]["components"][0]["custom_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let press = bot.fake.press_button(&user, &question, &custom_id);
        let modal = bot.fake.wait_callback(&press, WAIT).await.unwrap();
        let modal_id = modal["data"]["custom_id"].as_str().unwrap().to_owned();
        let submit = bot
            .fake
            .submit_modal(&user, &modal_id, &[("answer", &hostile.answer)]);
        let callback = bot.fake.wait_callback(&submit, WAIT).await.unwrap();
        let reply = &callback["data"];
        assert_cannot_ping(reply);
        assert_embeds_fit(reply);
        assert!(
            reply["embeds"].as_array().is_some_and(|e| !e.is_empty()),
            "{} answer got no grade: {reply}",
            hostile.class
        );
    }
    assert!(!bot.stderr().contains("panicked"), "{}", bot.stderr());
    bot.assert_no_unexpected_routes();
}

#[test]
fn every_malformed_sheet_gets_a_located_message_from_check_sheet() {
    let cuecard = Cuecard::new();
    for (name, bytes) in sheets::sheets() {
        let path = cuecard.write(&name, &bytes);
        let run = cuecard.run(&["check-sheet", path.to_str().unwrap()]);
        assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
        let output = format!("{}{}", run.stdout, run.stderr);
        if !run.success {
            assert!(
                output
                    .lines()
                    .any(|l| l.contains(&format!("{name}:")) && l.contains(": error: ")),
                "{name}: no located error in {output}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answering_faster_than_the_limit_is_refused_politely_and_not_recorded() {
    let bot = Bot::start().await;
    let eager = User::new(6_001, "eager");
    let mut refused = None;
    for n in 0..40 {
        bot.command(&eager, "ask", json!([])).await;
        let reply = bot
            .command(
                &eager,
                "answer",
                json!([{"type": 3, "name": "text", "value": "stateful"}]),
            )
            .await;
        if reply["content"]
            .as_str()
            .is_some_and(|c| c.contains("try again in"))
        {
            refused = Some((n, reply));
            break;
        }
    }
    let (n, reply) = refused.expect("forty answers in a minute were all graded");
    assert!(n >= 10, "refused after only {n} answers: {reply}");
    assert_eq!(reply["flags"], json!(64), "the refusal is private: {reply}");
    // Other users are not held back by one user's flood.
    let other = User::new(6_002, "other");
    bot.command(&other, "ask", json!([])).await;
    let graded = bot
        .command(
            &other,
            "answer",
            json!([{"type": 3, "name": "text", "value": "stateful"}]),
        )
        .await;
    assert!(
        graded["embeds"].as_array().is_some_and(|e| !e.is_empty()),
        "{graded}"
    );
    // The refused answer was not recorded: the stats count exactly the graded ones.
    let stats = bot.command(&eager, "stats", json!([])).await.to_string();
    assert!(
        stats.contains(&n.to_string()),
        "{n} answers graded; stats say {stats}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guild_interaction_without_a_member_changes_nothing_and_the_bot_stays_up() {
    let bot = Bot::start().await;
    let commands = bot.fake.wait_commands(WAIT).await.unwrap();
    let settings = commands.iter().find(|c| c["name"] == "settings").unwrap();
    // What Discord never sends: a guild command with `user` instead of `member`, so no
    // permissions computed by Discord. Only a forged gateway (or a fake) can deliver it.
    let forged = json!({
        "id": "1399999999999999999",
        "application_id": fakediscord::APPLICATION_ID.to_string(),
        "type": 2,
        "data": {"id": settings["id"], "name": "settings", "type": 1, "options": [
            {"type": 1, "name": "timezone", "options": [{"type": 3, "name": "zone", "value": "Pacific/Kiritimati"}]}
        ]},
        "guild_id": fakediscord::GUILD_ID.to_string(),
        "channel_id": fakediscord::CHANNEL_ID.to_string(),
        "channel": {"id": fakediscord::CHANNEL_ID.to_string(), "type": 0},
        "user": {"id": "6100", "username": "forger", "global_name": "forger", "discriminator": "0", "avatar": null},
        "token": "forged-token",
        "version": 1,
        "app_permissions": "8",
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {},
        "context": 0,
    });
    bot.fake.dispatch("INTERACTION_CREATE", forged);
    tokio::time::sleep(Duration::from_secs(2)).await;
    // The bot is still up and serving.
    let alive = bot
        .command(&User::new(6_101, "bystander"), "ask", json!([]))
        .await;
    assert!(
        alive["embeds"].as_array().is_some_and(|e| !e.is_empty()),
        "{alive}"
    );
    // Nothing was done on the forged interaction's behalf.
    let acted = bot.fake.requests().iter().any(|r| {
        format!("{r:?}").contains("Pacific/Kiritimati") || format!("{r:?}").contains("forged-token")
    });
    assert!(!acted, "the bot answered a forged interaction");
    eprintln!("bot stderr after the forged interaction:\n{}", bot.stderr());
}
