//! What the fake remembers, and waiting on it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

use crate::model::{self, User};
use crate::shards::{self, Sessions};
use crate::{APPLICATION_ID, WaitError};

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path after `/api/v10`, with the query.
    pub path: String,
    /// The JSON body (for multipart bodies, the `payload_json` part), or null.
    pub body: Value,
    /// When the request reached the fake, before its body was read: with the instant an
    /// interaction was injected, this gives the bot's reply latency.
    pub at: Instant,
}

/// What the gateway task is told to do.
pub(crate) enum Outgoing {
    Text(String),
    /// Close the connection without a close frame, as a network failure would.
    Drop,
}

#[derive(Default)]
pub(crate) struct Inner {
    requests: Vec<Recorded>,
    unexpected: Vec<String>,
    commands: Option<Vec<Value>>,
    command_ids: HashMap<String, u64>,
    callbacks: HashMap<String, Value>,
    tokens: HashMap<String, (String, u64, Option<u64>)>,
    originals: HashMap<String, Value>,
    followups: HashMap<String, Vec<Value>>,
    channel_messages: HashMap<u64, Vec<Value>>,
    threads: Vec<Value>,
    sessions: Sessions,
    identifies: usize,
    resumes: usize,
    pending: Vec<(String, Value)>,
    attachments: HashMap<u64, (String, Vec<u8>)>,
    invalidate_next_resume: bool,
    stall_channel_posts: bool,
}

impl Inner {
    pub(crate) fn is_connected(&self) -> bool {
        self.sessions.any_connected()
    }

    pub(crate) fn connected_shards(&self) -> Vec<[u64; 2]> {
        self.sessions.connected_shards()
    }

    pub(crate) fn attachment(&self, id: u64) -> Option<(String, Vec<u8>)> {
        self.attachments.get(&id).cloned()
    }

    pub(crate) fn registered_commands(&self) -> Option<Vec<Value>> {
        self.commands.clone()
    }

    pub(crate) fn callback(&self, interaction: &str) -> Option<Value> {
        self.callbacks.get(interaction).cloned()
    }

    pub(crate) fn original(&self, token: &str) -> Option<Value> {
        self.originals.get(token).cloned()
    }

    pub(crate) fn followups(&self, token: &str) -> Vec<Value> {
        self.followups.get(token).cloned().unwrap_or_default()
    }

    pub(crate) fn channel_messages(&self, channel: u64) -> Vec<Value> {
        self.channel_messages.get(&channel).cloned().unwrap_or_default()
    }

    pub(crate) fn requests(&self) -> &[Recorded] {
        &self.requests
    }

    fn summary(&self) -> String {
        let recent: Vec<String> = self
            .requests
            .iter()
            .rev()
            .take(8)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        format!(
            "connected: {}, unexpected routes: {:?}, last requests (newest first): {recent:?}",
            self.is_connected(),
            self.unexpected
        )
    }
}

pub(crate) struct State {
    pub(crate) addr: SocketAddr,
    pub(crate) heartbeat: Duration,
    inner: Mutex<Inner>,
    changed: Notify,
    next_id: AtomicU64,
}

impl State {
    pub(crate) fn new(addr: SocketAddr, heartbeat: Duration) -> Self {
        Self {
            addr,
            heartbeat,
            inner: Mutex::new(Inner::default()),
            changed: Notify::new(),
            next_id: AtomicU64::new(1_310_000_000_000_000_000),
        }
    }

    /// A fresh snowflake.
    pub(crate) fn id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs `f` on the state and wakes every waiter: for changes.
    pub(crate) fn update<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let result = f(&mut self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner));
        self.changed.notify_waiters();
        result
    }

    /// Runs `f` on the state: for reads.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&Inner) -> T) -> T {
        f(&self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    pub(crate) async fn wait_for<T>(
        &self,
        timeout: Duration,
        what: &str,
        mut found: impl FnMut(&Inner) -> Option<T>,
    ) -> Result<T, WaitError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before looking, so a change between the look and the wait is not missed.
            changed.as_mut().enable();
            if let Some(value) = self.with(&mut found) {
                return Ok(value);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Err(WaitError::Timeout(format!(
                    "{what} ({})",
                    self.with(Inner::summary)
                )));
            }
        }
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.with(|i| i.requests.clone())
    }

    pub(crate) fn unexpected(&self) -> Vec<String> {
        self.with(|i| i.unexpected.clone())
    }

    pub(crate) fn counters(&self) -> (usize, usize) {
        self.with(|i| (i.identifies, i.resumes))
    }

    pub(crate) fn threads(&self) -> Vec<Value> {
        self.with(|i| i.threads.clone())
    }

    pub(crate) fn record(&self, method: &str, path: &str, body: &Value, at: Instant) {
        self.update(|i| {
            i.requests.push(Recorded {
                method: method.to_owned(),
                path: path.to_owned(),
                body: body.clone(),
                at,
            });
        });
    }

    pub(crate) fn record_unexpected(&self, route: String) {
        self.update(|i| i.unexpected.push(route));
    }

    pub(crate) fn command_id(&self, name: &str) -> u64 {
        let fresh = self.id();
        self.update(|i| *i.command_ids.entry(name.to_owned()).or_insert(fresh))
    }

    /// Registers commands as Discord does: each gets an id, the application id and a version.
    pub(crate) fn register_commands(&self, commands: &Value, guild: Option<u64>) -> Value {
        let commands: Vec<Value> = commands.as_array().cloned().unwrap_or_default();
        let registered: Vec<Value> = commands
            .into_iter()
            .map(|mut command| {
                let name = command["name"].as_str().unwrap_or_default().to_owned();
                let id = self.command_id(&name);
                command["id"] = json!(id.to_string());
                command["application_id"] = json!(APPLICATION_ID.to_string());
                command["version"] = json!("1");
                if command.get("type").is_none() {
                    command["type"] = json!(1);
                }
                if let Some(guild) = guild {
                    command["guild_id"] = json!(guild.to_string());
                }
                command
            })
            .collect();
        self.update(|i| i.commands = Some(registered.clone()));
        Value::Array(registered)
    }

    /// Builds an interaction payload and remembers its token.
    pub(crate) fn interaction(
        &self,
        kind: u8,
        user: &User,
        guild: Option<u64>,
        channel: u64,
        data: &Value,
        message: Option<Value>,
    ) -> Value {
        let id = self.id();
        let token = format!("token-{id}");
        let mut payload = json!({
            "id": id.to_string(),
            "application_id": APPLICATION_ID.to_string(),
            "type": kind,
            "data": data,
            "channel_id": channel.to_string(),
            "channel": {"id": channel.to_string(), "type": 0},
            "token": token,
            "version": 1,
            "app_permissions": crate::model::permissions::MEMBER.to_string(),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "attachment_size_limit": 8_388_608,
        });
        if let Some(guild) = guild {
            payload["guild_id"] = json!(guild.to_string());
            payload["guild_locale"] = json!("en-US");
            payload["member"] = user.member_json(guild);
            payload["context"] = json!(0);
        } else {
            payload["user"] = user.json();
            payload["context"] = json!(1);
        }
        if let Some(message) = message {
            payload["message"] = message;
        }
        self.update(|i| i.tokens.insert(token, (id.to_string(), channel, guild)));
        payload
    }

    /// The interaction id, channel and guild behind a token.
    pub(crate) fn token(&self, token: &str) -> Option<(String, u64, Option<u64>)> {
        self.with(|i| i.tokens.get(token).cloned())
    }

    pub(crate) fn set_callback(&self, interaction: &str, token: &str, body: &Value) {
        let kind = body["type"].as_u64().unwrap_or(0);
        let original = match kind {
            // A message response (4) or a component's message update (7) is the original.
            4 | 7 => {
                let (channel, guild) = self.token(token).map_or((0, None), |t| (t.1, t.2));
                Some(model::message(
                    self.id(),
                    channel,
                    guild,
                    &body["data"],
                    Some(&json!({})),
                ))
            }
            _ => None,
        };
        self.update(|i| {
            i.callbacks.insert(interaction.to_owned(), body.clone());
            if let Some(original) = original {
                i.originals.insert(token.to_owned(), original);
            }
        });
    }

    /// Applies an edit to the original response (creating it, after a deferral).
    pub(crate) fn edit_original(&self, token: &str, body: &Value) -> Value {
        let (interaction, channel, guild) = self
            .token(token)
            .map_or((String::new(), 0, None), |t| (t.0, t.1, t.2));
        // After a deferral the original is the "thinking..." message, private if the deferral
        // said so (its flags): an edit does not change that, as on Discord.
        let deferral = self
            .with(|i| i.callbacks.get(&interaction).map(|c| c["data"].clone()))
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({}));
        let fresh = model::message(self.id(), channel, guild, &deferral, Some(&json!({})));
        self.update(|i| {
            let original = i.originals.entry(token.to_owned()).or_insert(fresh);
            model::merge(original, body);
            original.clone()
        })
    }

    /// A followup message. The first followup after a deferral (callback type 5) also becomes
    /// the original response, as on Discord, where it replaces the "thinking..." message.
    pub(crate) fn add_followup(&self, token: &str, body: &Value) -> Value {
        let (interaction, channel, guild) = self
            .token(token)
            .map_or((String::new(), 0, None), |t| (t.0, t.1, t.2));
        let message = model::message(self.id(), channel, guild, body, Some(&json!({})));
        self.update(|i| {
            let deferral = i.callbacks.get(&interaction).filter(|c| c["type"] == 5);
            if let Some(deferral) = deferral
                && !i.originals.contains_key(token)
            {
                let mut original = message.clone();
                if let Some(flags) = deferral["data"]["flags"].as_u64() {
                    original["flags"] = json!(flags);
                }
                i.originals.insert(token.to_owned(), original);
            }
            i.followups
                .entry(token.to_owned())
                .or_default()
                .push(message.clone());
        });
        message
    }

    pub(crate) fn edit_followup(&self, token: &str, message_id: &str, body: &Value) -> Option<Value> {
        self.update(|i| {
            let message = i
                .followups
                .get_mut(token)?
                .iter_mut()
                .find(|m| m["id"] == message_id)?;
            model::merge(message, body);
            Some(message.clone())
        })
    }

    pub(crate) fn post_message(&self, channel: u64, body: &Value) -> Value {
        let guild = self.with(|i| {
            i.threads
                .iter()
                .find(|t| t["id"].as_str() == Some(channel.to_string().as_str()))
                .and_then(|t| t["guild_id"].as_str().and_then(|g| g.parse().ok()))
        });
        let message = model::message(self.id(), channel, guild.or(Some(crate::GUILD_ID)), body, None);
        self.update(|i| {
            i.channel_messages
                .entry(channel)
                .or_default()
                .push(message.clone());
        });
        message
    }

    pub(crate) fn edit_message(&self, channel: u64, message_id: &str, body: &Value) -> Option<Value> {
        self.update(|i| {
            let message = i
                .channel_messages
                .get_mut(&channel)?
                .iter_mut()
                .find(|m| m["id"] == message_id)?;
            model::merge(message, body);
            message["edited_timestamp"] = json!(model::TIMESTAMP);
            Some(message.clone())
        })
    }

    pub(crate) fn find_message(&self, channel: u64, message_id: &str) -> Option<Value> {
        self.with(|i| {
            i.channel_messages
                .get(&channel)?
                .iter()
                .find(|m| m["id"] == message_id)
                .cloned()
        })
    }

    pub(crate) fn create_thread(&self, parent: u64, name: &str) -> Value {
        let thread = model::thread(self.id(), parent, crate::GUILD_ID, name);
        self.update(|i| i.threads.push(thread.clone()));
        thread
    }

    // ---- gateway ----

    pub(crate) fn attach_gateway(&self, connection: u64, sender: mpsc::UnboundedSender<Outgoing>) {
        self.update(|i| i.sessions.attach(connection, sender));
    }

    pub(crate) fn detach_gateway(&self, connection: u64) {
        self.update(|i| i.sessions.detach(connection));
    }

    /// Marks a connection's session live for `shard` (after READY or RESUMED) and sends what
    /// was queued meanwhile.
    pub(crate) fn session_started(&self, connection: u64, shard: [u64; 2], identify: bool) {
        self.update(|i| {
            if identify {
                i.identifies += 1;
            } else {
                i.resumes += 1;
            }
            i.sessions.start(connection, shard);
        });
        let pending = self.update(|i| std::mem::take(&mut i.pending));
        for (event, data) in pending {
            self.dispatch(&event, data);
        }
    }

    /// Whether a RESUME must be refused (after an invalidating drop); clears the flag.
    pub(crate) fn take_invalidation(&self) -> bool {
        self.update(|i| std::mem::take(&mut i.invalidate_next_resume))
    }

    /// Sends a dispatch to the session of the shard that owns its guild, or queues it until
    /// that shard is connected.
    pub(crate) fn dispatch(&self, event: &str, data: Value) {
        self.update(|i| {
            if !i.sessions.send(shards::guild_of(&data), event, &data) {
                i.pending.push((event.to_owned(), data));
            }
        });
    }

    /// The next sequence number of a connection's session.
    pub(crate) fn next_sequence(&self, connection: u64) -> u64 {
        self.update(|i| i.sessions.next_sequence(connection))
    }

    /// Keeps a file for the bot to download, as Discord's CDN would; returns its id.
    pub(crate) fn add_attachment(&self, name: &str, bytes: Vec<u8>) -> u64 {
        let id = self.id();
        self.update(|i| i.attachments.insert(id, (name.to_owned(), bytes)));
        id
    }

    pub(crate) fn set_stall_channel_posts(&self, stall: bool) {
        self.update(|i| i.stall_channel_posts = stall);
    }

    pub(crate) fn stalls_channel_posts(&self) -> bool {
        self.with(|i| i.stall_channel_posts)
    }

    pub(crate) fn drop_gateway(&self, invalidate: bool) {
        self.update(|i| {
            i.invalidate_next_resume = invalidate;
            i.sessions.drop_all();
        });
    }
}
