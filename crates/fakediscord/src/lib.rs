//! A local Discord for tests: REST v10 and the Gateway on `127.0.0.1`, spoken to by the real,
//! unmodified serenity/poise client.
//!
//! No test machine can reach Discord, so cuecard's bot is tested end to end against this fake:
//! the real binary connects to it (pointed there by `DISCORD_API_BASE`), registers its commands,
//! and answers the interactions a test injects. The fake records every request, answers the
//! routes a bot uses with well-formed objects, and records any other route as unexpected, so a
//! test can fail on it instead of timing out.
//!
//! This crate is a dev-dependency only; nothing in it runs in production.
//!
//! ```no_run
//! # async fn demo() {
//! use fakediscord::{FakeDiscord, User};
//! use std::time::Duration;
//!
//! let fake = FakeDiscord::start().await;
//! // ... spawn the bot with DISCORD_API_BASE=fake.api_base(), DISCORD_TOKEN=fakediscord::TOKEN
//! fake.wait_ready(Duration::from_secs(30)).await.unwrap();
//! let alice = User::new(1, "alice");
//! let ping = fake.slash(&alice, "ping", &serde_json::json!([]));
//! let reply = fake.wait_reply(&ping, Duration::from_secs(5)).await.unwrap();
//! assert_eq!(reply["content"], "pong");
//! # }
//! ```

mod gateway;
mod model;
mod rest;
mod shards;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use serde_json::{Value, json};

pub use model::User;
pub use shards::shard_of;
pub use state::Recorded;
use state::{Inner, State};

/// The bot token the fake accepts (any `Bot …` token is accepted; this one is conventional).
pub const TOKEN: &str = "fake.discord.token";
/// The id of the fake's application (and of its bot user).
pub const APPLICATION_ID: u64 = 1_300_000_000_000_000_001;
/// The guild interactions come from unless a test says otherwise.
pub const GUILD_ID: u64 = 1_300_000_000_000_000_100;
/// The channel interactions come from unless a test says otherwise.
pub const CHANNEL_ID: u64 = 1_300_000_000_000_000_200;

/// What waiting for the bot can end in, short of what was waited for.
#[derive(Debug)]
pub enum WaitError {
    /// Nothing arrived in time. Carries what the bot did send, for the failure message.
    Timeout(String),
}

impl std::fmt::Display for WaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout(what) => write!(f, "timed out waiting for {what}"),
        }
    }
}

impl std::error::Error for WaitError {}

/// An interaction the test injected, to wait for the bot's answer to it.
#[derive(Debug, Clone)]
pub struct Interaction {
    /// The interaction id (a snowflake, as text).
    pub id: String,
    /// The continuation token the bot answers with.
    pub token: String,
    /// The payload the bot received.
    pub payload: Value,
}

/// A running fake Discord. Dropping it stops the server.
pub struct FakeDiscord {
    state: Arc<State>,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeDiscord {
    /// Starts a fake on a free port of 127.0.0.1, with a one-second heartbeat interval.
    ///
    /// # Panics
    /// When no port can be bound on the loopback interface.
    pub async fn start() -> Self {
        Self::start_with_heartbeat(Duration::from_secs(1)).await
    }

    /// Starts a fake whose gateway asks for heartbeats at this interval.
    ///
    /// # Panics
    /// When no port can be bound on the loopback interface.
    pub async fn start_with_heartbeat(heartbeat: Duration) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port for fakediscord");
        let addr = listener.local_addr().expect("local address");
        // Without TCP_NODELAY, Nagle's algorithm holds a small write (a dispatch, a response)
        // until the previous one is acknowledged, and the bot acknowledges late (delayed ACKs,
        // up to 40 ms on Linux): interactions sent a few ms apart would reach the bot late.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let state = Arc::new(State::new(addr, heartbeat));
        let app = rest::router(Arc::clone(&state));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { state, addr, server }
    }

    /// What `DISCORD_API_BASE` should be for a bot to use this fake.
    #[must_use]
    pub fn api_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request the bot made, in order.
    #[must_use]
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests()
    }

    /// Waits until `found` returns something for the requests the bot has made so far (called
    /// again after each new request): for conditions over many interactions at once, such as
    /// "a tenth of this burst has been answered".
    pub async fn wait_requests<T>(
        &self,
        timeout: Duration,
        what: &str,
        mut found: impl FnMut(&[Recorded]) -> Option<T>,
    ) -> Result<T, WaitError> {
        self.state.wait_for(timeout, what, |i| found(i.requests())).await
    }

    /// Requests to routes the fake does not implement. A test should assert this is empty.
    #[must_use]
    pub fn unexpected(&self) -> Vec<String> {
        self.state.unexpected()
    }

    /// How many times a bot identified (started a new gateway session).
    #[must_use]
    pub fn identify_count(&self) -> usize {
        self.state.counters().0
    }

    /// How many times a bot resumed a gateway session.
    #[must_use]
    pub fn resume_count(&self) -> usize {
        self.state.counters().1
    }

    /// Waits until a bot has identified and been sent READY (or resumed).
    pub async fn wait_ready(&self, timeout: Duration) -> Result<(), WaitError> {
        self.state
            .wait_for(timeout, "the bot to connect to the gateway", |i| {
                i.is_connected().then_some(())
            })
            .await
    }

    /// Waits until sessions of these shards (`[id, total]`) are all connected: for a bot split
    /// across processes, each running some of the shards.
    pub async fn wait_shards(&self, shards: &[[u64; 2]], timeout: Duration) -> Result<(), WaitError> {
        let what = format!("gateway sessions of shards {shards:?}");
        self.state
            .wait_for(timeout, &what, |i| {
                let connected = i.connected_shards();
                shards.iter().all(|s| connected.contains(s)).then_some(())
            })
            .await
    }

    /// The `[id, total]` of every connected gateway session.
    #[must_use]
    pub fn connected_shards(&self) -> Vec<[u64; 2]> {
        self.state.with(state::Inner::connected_shards)
    }

    /// Keeps a file for the bot to download and returns the attachment object to put in an
    /// interaction's `resolved.attachments` (keyed by its `id`).
    pub fn attachment(&self, filename: &str, bytes: &[u8]) -> Value {
        let id = self.state.add_attachment(filename, bytes.to_vec());
        let url = format!("{}/attachments/{id}/{filename}", self.api_base());
        json!({
            "id": id.to_string(),
            "filename": filename,
            "size": bytes.len(),
            "url": url,
            "proxy_url": url,
            "content_type": "text/markdown; charset=utf-8",
        })
    }

    /// Waits until the bot has registered its commands, and returns them.
    pub async fn wait_commands(&self, timeout: Duration) -> Result<Vec<Value>, WaitError> {
        self.state
            .wait_for(timeout, "command registration", Inner::registered_commands)
            .await
    }

    /// Drops the gateway connection abruptly, as a network failure would. With
    /// `invalidate` the session cannot be resumed, so the bot must identify again.
    pub fn drop_gateway(&self, invalidate: bool) {
        self.state.drop_gateway(invalidate);
    }

    /// While on, channel messages the bot posts are recorded but never answered: the bot's
    /// request hangs as if it had crashed right after posting. For restart-safety tests.
    pub fn stall_channel_posts(&self, stall: bool) {
        self.state.set_stall_channel_posts(stall);
    }

    /// Sends a gateway dispatch event (`t`, `d`) to the connected bot.
    pub fn dispatch(&self, event: &str, data: Value) {
        self.state.dispatch(event, data);
    }

    /// Injects a slash command (type 2) from `user` in the default guild and channel.
    pub fn slash(&self, user: &User, name: &str, options: &Value) -> Interaction {
        self.slash_in(user, Some(GUILD_ID), CHANNEL_ID, name, options)
    }

    /// Injects a slash command in a given guild (or a DM when `None`) and channel.
    pub fn slash_in(
        &self,
        user: &User,
        guild: Option<u64>,
        channel: u64,
        name: &str,
        options: &Value,
    ) -> Interaction {
        let command_id = self.state.command_id(name);
        let data = json!({
            "id": command_id.to_string(), "name": name, "type": 1, "options": options,
        });
        self.inject(2, user, guild, channel, &data, None)
    }

    /// Injects a slash command whose options refer to channels, roles or users, with the
    /// `resolved` objects Discord sends along (`{"channels": {"<id>": {...}}}`).
    pub fn slash_resolved(&self, user: &User, name: &str, options: &Value, resolved: &Value) -> Interaction {
        let command_id = self.state.command_id(name);
        let data = json!({
            "id": command_id.to_string(), "name": name, "type": 1, "options": options, "resolved": resolved,
        });
        self.inject(2, user, Some(GUILD_ID), CHANNEL_ID, &data, None)
    }

    /// Injects an autocomplete request (type 4) for the option marked `"focused": true`.
    pub fn autocomplete(&self, user: &User, name: &str, options: &Value) -> Interaction {
        let command_id = self.state.command_id(name);
        let data = json!({
            "id": command_id.to_string(), "name": name, "type": 1, "options": options,
        });
        self.inject(4, user, Some(GUILD_ID), CHANNEL_ID, &data, None)
    }

    /// Injects a button press (type 3) on a message the bot sent.
    pub fn press_button(&self, user: &User, message: &Value, custom_id: &str) -> Interaction {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        let channel = message["channel_id"]
            .as_str()
            .and_then(|c| c.parse().ok())
            .unwrap_or(CHANNEL_ID);
        self.inject(3, user, Some(GUILD_ID), channel, &data, Some(message.clone()))
    }

    /// Injects a modal submit (type 5): `fields` are (text input custom id, value).
    pub fn submit_modal(&self, user: &User, custom_id: &str, fields: &[(&str, &str)]) -> Interaction {
        let data = modal_data(custom_id, fields);
        self.inject(5, user, Some(GUILD_ID), CHANNEL_ID, &data, None)
    }

    /// The payload of a modal submit, without sending it: for a test that dispatches it later
    /// (with [`FakeDiscord::dispatch`]), or more than once, as a retried delivery.
    pub fn submit_modal_payload(&self, user: &User, custom_id: &str, fields: &[(&str, &str)]) -> Value {
        let data = modal_data(custom_id, fields);
        self.state
            .interaction(5, user, Some(GUILD_ID), CHANNEL_ID, &data, None)
    }

    fn inject(
        &self,
        kind: u8,
        user: &User,
        guild: Option<u64>,
        channel: u64,
        data: &Value,
        message: Option<Value>,
    ) -> Interaction {
        let payload = self.state.interaction(kind, user, guild, channel, data, message);
        let interaction = Interaction {
            id: payload["id"].as_str().unwrap_or_default().to_owned(),
            token: payload["token"].as_str().unwrap_or_default().to_owned(),
            payload: payload.clone(),
        };
        self.state.dispatch("INTERACTION_CREATE", payload);
        interaction
    }

    /// Waits for the bot's first answer to an interaction (`POST …/callback`): the callback's
    /// body, `{"type": n, "data": {...}}`.
    pub async fn wait_callback(
        &self,
        interaction: &Interaction,
        timeout: Duration,
    ) -> Result<Value, WaitError> {
        let what = format!("a response to interaction {}", interaction.id);
        self.state
            .wait_for(timeout, &what, |i| i.callback(&interaction.id))
            .await
    }

    /// Waits for what the user finally sees in answer to an interaction: the message of a type 4
    /// or 7 callback, or after a deferral (type 5), the edit of the original response.
    pub async fn wait_reply(&self, interaction: &Interaction, timeout: Duration) -> Result<Value, WaitError> {
        let callback = self.wait_callback(interaction, timeout).await?;
        match callback["type"].as_u64() {
            Some(5 | 6) => {
                let what = format!("the deferred reply to interaction {}", interaction.id);
                self.state
                    .wait_for(timeout, &what, |i| i.original(&interaction.token))
                    .await
            }
            _ => Ok(self
                .state
                .with(|i| i.original(&interaction.token))
                .unwrap_or_else(|| callback["data"].clone())),
        }
    }

    /// Waits for the `n`th (0-based) followup message on an interaction's token.
    pub async fn wait_followup(
        &self,
        interaction: &Interaction,
        n: usize,
        timeout: Duration,
    ) -> Result<Value, WaitError> {
        let what = format!("followup {n} of interaction {}", interaction.id);
        self.state
            .wait_for(timeout, &what, |i| {
                i.followups(&interaction.token).get(n).cloned()
            })
            .await
    }

    /// Waits until at least `count` messages were posted to a channel (or thread), and returns
    /// them all.
    pub async fn wait_channel_messages(
        &self,
        channel: u64,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<Value>, WaitError> {
        let what = format!("{count} messages in channel {channel}");
        self.state
            .wait_for(timeout, &what, |i| {
                let messages = i.channel_messages(channel);
                (messages.len() >= count).then_some(messages)
            })
            .await
    }

    /// Messages posted to a channel so far.
    #[must_use]
    pub fn channel_messages(&self, channel: u64) -> Vec<Value> {
        self.state.with(|i| i.channel_messages(channel))
    }

    /// Threads the bot created, as channel objects.
    #[must_use]
    pub fn threads(&self) -> Vec<Value> {
        self.state.threads()
    }
}

/// The `data` of a modal submit: one text input per row.
fn modal_data(custom_id: &str, fields: &[(&str, &str)]) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(id, value)| json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]}))
        .collect();
    json!({"custom_id": custom_id, "components": rows})
}
