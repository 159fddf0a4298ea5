//! The fake against the real client: a small poise bot, built the way cuecard builds its own,
//! connects, registers commands and answers slash commands, autocomplete, buttons and modals, and
//! survives a dropped connection.

use std::time::Duration;

use fakediscord::{FakeDiscord, TOKEN, User};
use poise::serenity_prelude as serenity;
use serde_json::json;

type Error = Box<dyn std::error::Error + Send + Sync>;
type Context<'a> = poise::Context<'a, (), Error>;

const WAIT: Duration = Duration::from_secs(20);

/// Replies pong.
#[poise::command(slash_command)]
async fn ping(ctx: Context<'_>) -> Result<(), Error> {
    ctx.say("pong").await?;
    Ok(())
}

#[allow(clippy::unused_async)] // poise awaits autocomplete callbacks
async fn fruits(_ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let choices = ["apple", "apricot", "banana"]
        .into_iter()
        .filter(|f| f.starts_with(partial))
        .map(|f| serenity::AutocompleteChoice::new(f, f))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Echoes a fruit.
#[poise::command(slash_command)]
async fn fruit(
    ctx: Context<'_>,
    #[description = "A fruit"]
    #[autocomplete = "fruits"]
    name: String,
) -> Result<(), Error> {
    ctx.say(format!("you chose {name}")).await?;
    Ok(())
}

#[derive(Debug, poise::Modal)]
#[name = "Your answer"]
struct AnswerModal {
    #[name = "Answer"]
    #[paragraph]
    answer: String,
}

/// Posts a button that opens a modal, then echoes what was typed, privately.
#[poise::command(slash_command)]
async fn quiz(ctx: Context<'_>) -> Result<(), Error> {
    let button = serenity::CreateButton::new("answer").label("Answer");
    ctx.send(
        poise::CreateReply::default()
            .content("What is a pod?")
            .components(vec![serenity::CreateActionRow::Buttons(vec![button])]),
    )
    .await?;
    while let Some(press) = serenity::ComponentInteractionCollector::new(ctx.serenity_context())
        .filter(|i| i.data.custom_id == "answer")
        .timeout(Duration::from_secs(30))
        .await
    {
        let answer = poise::execute_modal_on_component_interaction::<AnswerModal>(
            ctx.serenity_context(),
            press.clone(),
            None,
            None,
        )
        .await?;
        if let Some(answer) = answer {
            press
                .create_followup(
                    ctx.http(),
                    serenity::CreateInteractionResponseFollowup::new()
                        .ephemeral(true)
                        .content(format!("graded: {}", answer.answer)),
                )
                .await?;
            break;
        }
    }
    Ok(())
}

/// poise's collectors start listening only after the message or modal they wait on is sent; a
/// person takes seconds to click or type, so give the bot that moment.
async fn human_pause() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

async fn start_bot(fake: &FakeDiscord) -> tokio::task::JoinHandle<()> {
    let http = serenity::HttpBuilder::new(TOKEN)
        .proxy(fake.api_base())
        .ratelimiter_disabled(true)
        .build();
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![ping(), fruit(), quiz()],
            ..Default::default()
        })
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                poise::builtins::register_globally(ctx, &framework.options().commands).await?;
                Ok(())
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::non_privileged())
        .framework(framework)
        .await
        .expect("client builds");
    tokio::spawn(async move {
        let _ = client.start().await;
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_poise_bot_works_against_the_fake() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake).await;
    fake.wait_ready(WAIT).await.unwrap();
    let commands = fake.wait_commands(WAIT).await.unwrap();
    let names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["ping", "fruit", "quiz"]);

    let alice = User::new(11, "alice");
    let ping = fake.slash(&alice, "ping", &json!([]));
    let reply = fake.wait_reply(&ping, WAIT).await.unwrap();
    assert_eq!(reply["content"], "pong");

    let typed = fake.autocomplete(
        &alice,
        "fruit",
        &json!([{"name": "name", "type": 3, "value": "ap", "focused": true}]),
    );
    let choices = fake.wait_callback(&typed, WAIT).await.unwrap();
    assert_eq!(choices["type"], 8);
    let names: Vec<&str> = choices["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["apple", "apricot"]);

    let quiz = fake.slash(&alice, "quiz", &json!([]));
    let question = fake.wait_reply(&quiz, WAIT).await.unwrap();
    assert_eq!(question["content"], "What is a pod?");
    human_pause().await;
    let press = fake.press_button(&alice, &question, "answer");
    let modal = fake.wait_callback(&press, WAIT).await.unwrap();
    assert_eq!(modal["type"], 9, "{modal}");
    let modal_id = modal["data"]["custom_id"].as_str().unwrap().to_owned();
    let field = modal["data"]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    human_pause().await;
    let submit = fake.submit_modal(&alice, &modal_id, &[(&field, "the smallest unit")]);
    let ack = fake.wait_callback(&submit, WAIT).await.unwrap();
    assert_eq!(ack["type"], 6);
    let graded = fake.wait_followup(&press, 0, WAIT).await.unwrap();
    assert_eq!(graded["content"], "graded: the smallest unit");
    assert_eq!(graded["flags"], 64, "ephemeral");

    assert!(fake.unexpected().is_empty(), "{:?}", fake.unexpected());
    bot.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_resumes_or_reidentifies_after_a_drop() {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake).await;
    fake.wait_ready(WAIT).await.unwrap();
    fake.wait_commands(WAIT).await.unwrap();
    let bob = User::new(12, "bob");

    fake.drop_gateway(false);
    // Injected while the bot is away: queued, and delivered once it is back.
    let ping = fake.slash(&bob, "ping", &json!([]));
    assert_eq!(fake.wait_reply(&ping, WAIT).await.unwrap()["content"], "pong");
    assert_eq!(fake.identify_count(), 1);
    assert_eq!(fake.resume_count(), 1);

    fake.drop_gateway(true);
    let ping = fake.slash(&bob, "ping", &json!([]));
    assert_eq!(
        fake.wait_reply(&ping, Duration::from_secs(40)).await.unwrap()["content"],
        "pong"
    );
    assert_eq!(
        fake.identify_count(),
        2,
        "an invalid session forces a new IDENTIFY"
    );
    assert!(fake.unexpected().is_empty(), "{:?}", fake.unexpected());
    bot.abort();
}

#[tokio::test]
async fn unknown_routes_are_recorded_and_refused() {
    let fake = FakeDiscord::start().await;
    let http = serenity::HttpBuilder::new(TOKEN)
        .proxy(fake.api_base())
        .ratelimiter_disabled(true)
        .build();
    let error = http.get_guild(serenity::GuildId::new(5)).await.unwrap_err();
    assert!(
        error.to_string().contains("not implemented by fakediscord"),
        "{error}"
    );
    assert_eq!(fake.unexpected(), ["GET /guilds/5"]);
}
