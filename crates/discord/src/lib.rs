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
//!     drop_tick: std::time::Duration::from_secs(15),
//!     ownership: None,
//!     status: cuecard_discord::GatewayStatus::new(),
//!     uploads: cuecard_discord::SheetUploads::default(),
//! };
//! cuecard_discord::run(config, coach, std::future::pending::<()>()).await.unwrap();
//! # }
//! ```

mod commands;
mod daily;
mod deferral;
mod ids;
mod interactions;
mod limits;
mod reconcile;
mod render;
mod safe;
mod sheets;
mod state;
mod study;
mod telemetry;

use std::future::Future;
use std::sync::Arc;

use cuecard_coach::{Coach, CoachError};
use cuecard_core::{GuildId, UserId};
use poise::CreateReply;
use serenity::all::{ClientBuilder, CreateEmbed, GatewayIntents, HttpBuilder};
use tracing::{error, info, warn};

pub use daily::Ownership;
pub use sheets::SheetUploads;
use state::State;
pub use telemetry::{GatewayHealth, GatewayStatus, describe_metrics, names as metric_names};

/// How the bot connects. Its `Debug` leaves the token out.
#[derive(Clone)]
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
    /// How often the daily-drop scheduler looks for due drops and recaps.
    pub drop_tick: std::time::Duration,
    /// The guilds whose daily drops this process posts (`None`: all of them).
    pub ownership: Option<daily::Ownership>,
    /// Filled in with the gateway's state, for a readiness probe to read.
    pub status: Arc<GatewayStatus>,
    /// Who may replace the sheet with `/sheet upload`.
    pub uploads: SheetUploads,
}

impl std::fmt::Debug for BotConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotConfig")
            .field("token", &"<secret>")
            .field("api_base", &self.api_base)
            .field("guild", &self.guild)
            .field("defer_grading", &self.defer_grading)
            .field("drop_tick", &self.drop_tick)
            .field("ownership", &self.ownership)
            .finish_non_exhaustive()
    }
}

/// What every command and handler can reach.
pub struct Data {
    /// The use cases.
    pub(crate) coach: Arc<Coach>,
    /// Open questions and interviews.
    pub(crate) state: State,
    /// See [`BotConfig::defer_grading`].
    pub(crate) defer_grading: bool,
    /// See [`BotConfig::uploads`].
    pub(crate) uploads: SheetUploads,
}

/// The error type of commands: shown to the user by the framework's error handler.
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

/// A refusal meant for the user, in words they can act on ("this question has closed").
#[derive(Debug)]
pub(crate) struct Refusal(pub(crate) String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// Whether an error is the user's to act on (shown as it is) rather than ours (logged).
pub(crate) fn is_user_error(error: &(dyn std::error::Error + 'static)) -> bool {
    error.is::<CoachError>() || error.is::<Refusal>()
}

/// What to tell a user about an error: the coach's own words for problems they can act on,
/// a plain apology for the rest (which are logged).
pub(crate) fn user_message(error: &(dyn std::error::Error + 'static)) -> String {
    if let Some(coach) = error.downcast_ref::<CoachError>() {
        return coach.to_string();
    }
    if let Some(refusal) = error.downcast_ref::<Refusal>() {
        return refusal.0.clone();
    }
    "Something went wrong on my side and it was logged. Please try again in a moment.".to_owned()
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            telemetry::set_outcome(if error.is::<CoachError>() {
                "user_error"
            } else {
                "error"
            });
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
            telemetry::set_outcome("denied");
            let needed = missing_permissions.map_or_else(|| "more permissions".to_owned(), |p| p.to_string());
            let _ = ctx
                .send(private().content(format!("Only members with {needed} can use this command.")))
                .await;
        }
        other => {
            telemetry::set_outcome("refused");
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
    let drop_tick = config.drop_tick;
    let ownership = config.ownership.clone();
    let data = Data {
        coach,
        state: State::default(),
        defer_grading: config.defer_grading,
        uploads: config.uploads,
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
                let scheduler = daily::Scheduler {
                    coach: Arc::clone(&data.coach),
                    http: ctx.http.clone(),
                    ownership,
                };
                tokio::spawn(scheduler.run(drop_tick));
                if let Err(error) = study::resume_all(Arc::clone(&data.coach), ctx.http.clone()).await {
                    warn!(error = %error, "could not resume study sessions");
                }
                Ok(data)
            })
        })
        .build();
    let status = config.status;
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .framework(telemetry::Instrumented::new(framework, Arc::clone(&status)))
        .await?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown.await;
        info!("shutting down");
        shards.shutdown_all().await;
    });
    match &config.ownership {
        Some(owned) => {
            let (first, last) = (*owned.shards.start(), *owned.shards.end());
            status.expect(last - first + 1);
            info!(first, last, total = owned.total, "starting a range of shards");
            // serenity's range is inclusive at both ends, despite its type.
            client.start_shard_range(first..last, owned.total).await?;
        }
        None => client.start_autosharded().await?,
    }
    Ok(())
}
