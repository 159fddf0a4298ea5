//! cuecard's Discord skin: slash commands, buttons, modals and embeds over the [`Coach`].
//!
//! This is the only crate that knows Discord (serenity 0.12 with poise 0.7). Commands are thin:
//! they read their arguments, call the coach, and turn the result into an embed. Buttons and
//! modals carry all the state they need in their custom ids (`ids.rs`), and are answered by one
//! event handler (`interactions.rs`) rather than by collectors, so a question posted before a
//! restart can still be answered after it. Everything the bot posts goes through `safe.rs`: no
//! pings, user text escaped, every field cut to Discord's limits.
//!
//! The bot needs no privileged intent: it never reads message content, only interactions.
//!
//! ```no_run
//! # async fn demo(coach: std::sync::Arc<cuecard_coach::Coach>) {
//! let config = cuecard_discord::BotConfig {
//!     token: std::env::var("DISCORD_TOKEN").unwrap(),
//!     api_base: None,
//!     guild: None,
//!     defer_grading: false,
//! };
//! cuecard_discord::run(config, coach, async { let _ = tokio::signal::ctrl_c().await; }).await.unwrap();
//! # }
//! ```

mod commands;
mod ids;
mod interactions;
mod render;
mod safe;
mod state;

use std::future::Future;
use std::sync::Arc;

use cuecard_coach::{Coach, CoachError};
use cuecard_core::{GuildId, UserId};
use poise::CreateReply;
use serenity::all::{ClientBuilder, CreateEmbed, GatewayIntents, HttpBuilder};
use tracing::{error, info, warn};

use state::State;

/// How the bot connects.
#[derive(Debug, Clone)]
pub struct BotConfig {
    /// The bot token (never logged).
    pub token: String,
    /// Another Discord API base, for tests against a local fake (`http://127.0.0.1:PORT`).
    pub api_base: Option<String>,
    /// Register commands in this guild only (instant), instead of globally (up to an hour).
    pub guild: Option<u64>,
    /// Acknowledge answers first and edit in the grade later: for slow (LLM) graders, since
    /// Discord wants a first response within three seconds.
    pub defer_grading: bool,
}

/// What every command and handler can reach.
pub struct Data {
    /// The use cases.
    pub(crate) coach: Arc<Coach>,
    /// Open questions and interviews.
    pub(crate) state: State,
    /// See [`BotConfig::defer_grading`].
    pub(crate) defer_grading: bool,
}

/// The error type of commands: shown to the user by [`on_error`].
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// The context of a command.
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// Why the bot stopped.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// The client could not be built or the gateway failed for good (a bad token, usually).
    #[error("Discord client error: {0}")]
    Client(#[from] serenity::Error),
}

/// Every slash command, in the order Discord lists them.
pub fn commands() -> Vec<poise::Command<Data, Error>> {
    commands::all()
}

pub(crate) fn user_of(user: &serenity::all::User) -> UserId {
    UserId(user.id.get())
}

pub(crate) fn guild_of(guild: Option<serenity::all::GuildId>) -> Option<GuildId> {
    guild.map(|g| GuildId(g.get()))
}

/// A reply only its reader sees, that pings nobody.
pub(crate) fn private() -> CreateReply {
    CreateReply::default()
        .ephemeral(true)
        .allowed_mentions(safe::no_pings())
}

/// A reply everyone in the channel sees, that pings nobody.
pub(crate) fn public() -> CreateReply {
    CreateReply::default().allowed_mentions(safe::no_pings())
}

/// What to tell a user about an error: the coach's own words for problems they can act on,
/// a plain apology for the rest (which are logged).
pub(crate) fn user_message(error: &(dyn std::error::Error + 'static)) -> String {
    if let Some(coach) = error.downcast_ref::<CoachError>() {
        return coach.to_string();
    }
    "Something went wrong on my side and it was logged. Please try again in a moment.".to_owned()
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            if error.downcast_ref::<CoachError>().is_none() {
                error!(command = %ctx.command().qualified_name, user = %ctx.author().id, error = %error, "command failed");
            }
            let embed = CreateEmbed::new().description(safe::clean(
                &user_message(&*error),
                safe::limits::EMBED_DESCRIPTION,
            ));
            if let Err(e) = ctx.send(private().embed(embed)).await {
                warn!(error = %e, "could not report an error to the user");
            }
        }
        poise::FrameworkError::MissingUserPermissions {
            missing_permissions,
            ctx,
            ..
        } => {
            let needed = missing_permissions.map_or_else(|| "more permissions".to_owned(), |p| p.to_string());
            let _ = ctx
                .send(private().content(format!("Only members with {needed} can use this command.")))
                .await;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                warn!(error = %e, "error while handling an error");
            }
        }
    }
}

/// Connects, registers the commands and serves until `shutdown` resolves.
pub async fn run(
    config: BotConfig,
    coach: Arc<Coach>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BotError> {
    let mut http = HttpBuilder::new(&config.token);
    if let Some(base) = &config.api_base {
        // serenity ignores a proxy while its own rate limiter is on; a test fake does not limit.
        http = http.proxy(base.clone()).ratelimiter_disabled(true);
    }
    let http = http.build();
    let guild = config.guild;
    let data = Data {
        coach,
        state: State::default(),
        defer_grading: config.defer_grading,
    };
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands(),
            on_error: |error| Box::pin(on_error(error)),
            event_handler: |ctx, event| Box::pin(interactions::handle(ctx, event)),
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                match guild {
                    Some(guild) => {
                        poise::builtins::register_in_guild(ctx, commands, serenity::all::GuildId::new(guild)).await?;
                    }
                    None => poise::builtins::register_globally(ctx, commands).await?,
                }
                info!(user = %ready.user.name, commands = commands.len(), "connected and commands registered");
                Ok(data)
            })
        })
        .build();
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .framework(framework)
        .await?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown.await;
        info!("shutting down");
        shards.shutdown_all().await;
    });
    client.start().await?;
    Ok(())
}
