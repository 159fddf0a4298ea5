//! What the bot tells its operators: a tracing span and a metric for every interaction, gateway
//! reconnects, and whether the gateway is connected (for `/readyz`).
//!
//! The span comes from wrapping poise's framework ([`Instrumented`]) rather than from each
//! command, so commands, autocompletes, buttons and modals are all covered, and a new command is
//! covered without doing anything. The span carries guild, user, command and (on the closing
//! event) latency and outcome; never what the user typed.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use serenity::all::{
    CommandDataOption, CommandDataOptionValue, Context as SerenityContext, FullEvent, Interaction,
    ShardManager,
};
use tracing::{Instrument, info, info_span};

use crate::{Data, Error};

/// Metric names, for the exporter's descriptions and for code elsewhere that records them.
pub mod names {
    /// Counter: interactions handled, by `kind` (command, autocomplete, button, modal),
    /// `command` and `outcome` (ok, user_error, error, denied, refused).
    pub const INTERACTIONS: &str = "cuecard_interactions_total";
    /// Histogram (seconds): time from receiving an interaction to finishing with it, by `kind`
    /// and `command`.
    pub const INTERACTION_SECONDS: &str = "cuecard_interaction_duration_seconds";
    /// Counter: gateway sessions resumed or identified again after the first, by `shard`.
    pub const GATEWAY_RECONNECTS: &str = "cuecard_gateway_reconnects_total";
    /// Counter: daily drops posted. No labels. Incremented by the daily-drop scheduler.
    pub const DAILY_DROPS_POSTED: &str = "cuecard_daily_drops_posted_total";
    /// Counter: daily drops that were due but not posted (the channel was gone, Discord
    /// refused, the process was down past the drop's window). No labels. Incremented by the
    /// daily-drop scheduler.
    pub const DAILY_DROPS_MISSED: &str = "cuecard_daily_drops_missed_total";
    /// Counter: sheets uploaded with `/sheet upload`, by `outcome` (accepted, refused).
    pub const SHEET_UPLOADS: &str = "cuecard_sheet_uploads_total";
}

/// Describes this crate's metrics to the installed recorder, and creates the counters that
/// should read 0 before anything happens (so a dashboard can tell "none" from "not running").
pub fn describe_metrics() {
    use metrics::{Unit, describe_counter, describe_histogram};
    describe_counter!(
        names::INTERACTIONS,
        "Interactions handled, by kind, command and outcome"
    );
    describe_histogram!(
        names::INTERACTION_SECONDS,
        Unit::Seconds,
        "Time to handle an interaction, by kind and command"
    );
    describe_counter!(
        names::GATEWAY_RECONNECTS,
        "Gateway sessions resumed or re-identified, by shard"
    );
    describe_counter!(names::DAILY_DROPS_POSTED, "Daily questions posted");
    describe_counter!(
        names::DAILY_DROPS_MISSED,
        "Daily questions that were due but not posted"
    );
    describe_counter!(
        names::SHEET_UPLOADS,
        "Sheets uploaded with /sheet upload, by outcome"
    );
    metrics::counter!(names::DAILY_DROPS_POSTED).absolute(0);
    metrics::counter!(names::DAILY_DROPS_MISSED).absolute(0);
}

/// Whether this process's gateway shards are connected, for a readiness probe. Shared between
/// the bot (which fills it in) and whoever asks.
#[derive(Debug, Default)]
pub struct GatewayStatus {
    manager: OnceLock<Arc<ShardManager>>,
    /// How many shards this process should run; 0 until known.
    expected: AtomicU32,
}

/// The gateway's state as a probe sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatewayHealth {
    /// Shards with a live session.
    pub connected: u32,
    /// Shards this process runs (0 while it has not learnt how many).
    pub expected: u32,
}

impl GatewayHealth {
    /// Every shard this process runs is connected.
    #[must_use]
    pub fn is_ready(self) -> bool {
        self.expected > 0 && self.connected >= self.expected
    }
}

impl GatewayStatus {
    /// A status that reads "not connected" until the bot starts.
    #[must_use]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub(crate) fn attach(&self, manager: Arc<ShardManager>) {
        let _ = self.manager.set(manager);
    }

    pub(crate) fn expect(&self, shards: u32) {
        self.expected.store(shards, Ordering::Relaxed);
    }

    /// How many of this process's shards are connected now.
    pub async fn check(&self) -> GatewayHealth {
        let expected = self.expected.load(Ordering::Relaxed);
        let Some(manager) = self.manager.get() else {
            return GatewayHealth {
                connected: 0,
                expected,
            };
        };
        let runners = manager.runners.lock().await;
        let connected = runners
            .values()
            .filter(|runner| runner.stage == serenity::gateway::ConnectionStage::Connected)
            .count();
        GatewayHealth {
            connected: u32::try_from(connected).unwrap_or(u32::MAX),
            expected,
        }
    }
}

tokio::task_local! {
    /// How the interaction being handled ended, set by whoever knows (the error handler).
    static OUTCOME: Cell<&'static str>;
}

/// Records how the current interaction ended (no-op outside one). Call from error paths; the
/// default is "ok".
pub(crate) fn set_outcome(outcome: &'static str) {
    let _ = OUTCOME.try_with(|cell| cell.set(outcome));
}

/// What an interaction is, as labels: kind, command (bounded: command names and button kinds,
/// never free text), guild and user.
fn describe(interaction: &Interaction) -> Option<(&'static str, String, u64, u64)> {
    let guild = |g: Option<serenity::all::GuildId>| g.map_or(0, serenity::all::GuildId::get);
    Some(match interaction {
        Interaction::Command(command) => (
            "command",
            qualified(&command.data.name, &command.data.options),
            guild(command.guild_id),
            command.user.id.get(),
        ),
        Interaction::Autocomplete(complete) => (
            "autocomplete",
            complete.data.name.clone(),
            guild(complete.guild_id),
            complete.user.id.get(),
        ),
        Interaction::Component(press) => (
            "button",
            action_of(&press.data.custom_id),
            guild(press.guild_id),
            press.user.id.get(),
        ),
        Interaction::Modal(submit) => (
            "modal",
            action_of(&submit.data.custom_id),
            guild(submit.guild_id),
            submit.user.id.get(),
        ),
        _ => return None,
    })
}

/// `settings timezone` for a subcommand, as poise names it.
fn qualified(name: &str, options: &[CommandDataOption]) -> String {
    let mut qualified = name.to_owned();
    let mut options = options;
    while let Some(option) = options.first() {
        match &option.value {
            CommandDataOptionValue::SubCommand(inner) | CommandDataOptionValue::SubCommandGroup(inner) => {
                qualified.push(' ');
                qualified.push_str(&option.name);
                options = inner;
            }
            _ => break,
        }
    }
    qualified
}

/// The action part of one of our custom ids (`cc1:ans:...` -> `ans`); "other" for anything else,
/// so a forged id cannot make up label values.
fn action_of(custom_id: &str) -> String {
    let mut parts = custom_id.split(':');
    match (parts.next(), parts.next()) {
        (Some("cc1"), Some(action))
            if !action.is_empty() && action.len() <= 8 && action.bytes().all(|b| b.is_ascii_lowercase()) =>
        {
            action.to_owned()
        }
        _ => "other".to_owned(),
    }
}

/// poise's framework, with a span and metrics around every interaction and the gateway's
/// comings and goings counted.
pub(crate) struct Instrumented {
    inner: poise::Framework<Data, Error>,
    status: Arc<GatewayStatus>,
    /// Shards that have been ready once: a later READY or a RESUMED is a reconnect.
    seen: Mutex<HashSet<u32>>,
}

impl Instrumented {
    pub(crate) fn new(inner: poise::Framework<Data, Error>, status: Arc<GatewayStatus>) -> Self {
        Self {
            inner,
            status,
            seen: Mutex::new(HashSet::new()),
        }
    }

    fn gateway_event(&self, ctx: &SerenityContext, event: &FullEvent) {
        let shard = ctx.shard_id.0;
        let reconnected = match event {
            FullEvent::Ready { data_about_bot } => {
                if let Some(info) = data_about_bot.shard
                    && self.status.expected.load(Ordering::Relaxed) == 0
                {
                    // Autosharding runs every shard here; a range sets the count up front.
                    self.status.expect(info.total);
                }
                let first = self
                    .seen
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(shard);
                info!(shard, "gateway session ready");
                !first
            }
            FullEvent::Resume { .. } => {
                info!(shard, "gateway session resumed");
                true
            }
            _ => false,
        };
        if reconnected {
            metrics::counter!(names::GATEWAY_RECONNECTS, "shard" => shard.to_string()).increment(1);
        }
    }
}

#[async_trait::async_trait]
impl serenity::framework::Framework for Instrumented {
    async fn init(&mut self, client: &serenity::Client) {
        self.status.attach(Arc::clone(&client.shard_manager));
        self.inner.init(client).await;
    }

    async fn dispatch(&self, ctx: SerenityContext, event: FullEvent) {
        self.gateway_event(&ctx, &event);
        let described = match &event {
            FullEvent::InteractionCreate { interaction } => describe(interaction),
            _ => None,
        };
        let Some((kind, command, guild, user)) = described else {
            self.inner.dispatch(ctx, event).await;
            return;
        };
        let span = info_span!("interaction", kind, command = %command, guild, user);
        let started = Instant::now();
        let outcome = OUTCOME
            .scope(Cell::new("ok"), async {
                self.inner.dispatch(ctx, event).await;
                OUTCOME.with(Cell::get)
            })
            .instrument(span.clone())
            .await;
        let elapsed = started.elapsed();
        let latency_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        span.in_scope(|| info!(latency_ms, outcome, "interaction handled"));
        metrics::counter!(
            names::INTERACTIONS,
            "kind" => kind,
            "command" => command.clone(),
            "outcome" => outcome
        )
        .increment(1);
        metrics::histogram!(names::INTERACTION_SECONDS, "kind" => kind, "command" => command)
            .record(elapsed.as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_bounded() {
        assert_eq!(action_of("cc1:ans:0123456789ab:a"), "ans");
        assert_eq!(action_of("cc1:lb:week:server:0:"), "lb");
        assert_eq!(action_of("cc1:<@everyone>:x"), "other");
        assert_eq!(action_of("someone-else"), "other");
        assert_eq!(action_of("cc1:aaaaaaaaaaaaaaaaaaaaaaaa"), "other");
    }

    #[test]
    fn readiness_needs_every_expected_shard() {
        assert!(
            !GatewayHealth {
                connected: 0,
                expected: 0
            }
            .is_ready()
        );
        assert!(
            !GatewayHealth {
                connected: 1,
                expected: 2
            }
            .is_ready()
        );
        assert!(
            GatewayHealth {
                connected: 2,
                expected: 2
            }
            .is_ready()
        );
    }
}
