//! The JSON objects the fake hands to the bot, with the fields serenity 0.12.5 insists on.

use serde_json::{Value, json};

use crate::APPLICATION_ID;

/// Permission bits the fake uses (Discord's values).
pub(crate) mod permissions {
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_GUILD: u64 = 1 << 5;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
    /// What an ordinary member of a study server has.
    pub const MEMBER: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | READ_MESSAGE_HISTORY
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS;
}

/// A Discord user that a test acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user id.
    pub id: u64,
    /// The username.
    pub name: String,
    /// Guild permissions, as Discord computes them for the interaction.
    pub permissions: u64,
    /// Role ids.
    pub roles: Vec<u64>,
}

impl User {
    /// An ordinary member (no server-management permission).
    #[must_use]
    pub fn new(id: u64, name: &str) -> Self {
        Self {
            id,
            name: name.to_owned(),
            permissions: permissions::MEMBER,
            roles: Vec::new(),
        }
    }

    /// A member who may manage the server.
    #[must_use]
    pub fn admin(id: u64, name: &str) -> Self {
        Self {
            permissions: permissions::MEMBER | permissions::MANAGE_GUILD | permissions::ADMINISTRATOR,
            ..Self::new(id, name)
        }
    }

    pub(crate) fn json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": null,
            "bot": false,
        })
    }

    pub(crate) fn member_json(&self, guild: u64) -> Value {
        json!({
            "user": self.json(),
            "roles": self.roles.iter().map(u64::to_string).collect::<Vec<_>>(),
            "joined_at": TIMESTAMP,
            "deaf": false,
            "mute": false,
            "flags": 0,
            "pending": false,
            "permissions": self.permissions.to_string(),
            "guild_id": guild.to_string(),
        })
    }
}

/// Every object gets the same timestamp: bots do not read it, and tests stay repeatable.
pub(crate) const TIMESTAMP: &str = "2026-01-01T00:00:00.000000+00:00";

pub(crate) fn bot_user() -> Value {
    json!({
        "id": APPLICATION_ID.to_string(),
        "username": "cuecard",
        "global_name": "cuecard",
        "discriminator": "0",
        "avatar": null,
        "bot": true,
        "verified": true,
        "mfa_enabled": false,
        "flags": 0,
    })
}

pub(crate) fn application() -> Value {
    json!({
        "id": APPLICATION_ID.to_string(),
        "name": "cuecard",
        "icon": null,
        "description": "fake application",
        "bot_public": true,
        "bot_require_code_grant": false,
        "verify_key": "00",
        "owner": {"id": "1", "username": "owner", "discriminator": "0", "avatar": null},
        "team": null,
        "flags": 0,
    })
}

/// A message the bot created, from the body it sent (content, embeds, components, flags).
pub(crate) fn message(
    id: u64,
    channel: u64,
    guild: Option<u64>,
    body: &Value,
    interaction: Option<&Value>,
) -> Value {
    let mut message = json!({
        "id": id.to_string(),
        "channel_id": channel.to_string(),
        "author": bot_user(),
        "content": "",
        "timestamp": TIMESTAMP,
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [],
        "pinned": false,
        "type": if interaction.is_some() { 20 } else { 0 },
        "flags": 0,
        "application_id": APPLICATION_ID.to_string(),
    });
    if let Some(guild) = guild {
        message["guild_id"] = json!(guild.to_string());
    }
    merge(&mut message, body);
    message
}

/// Copies the fields a bot may set on a message into `message`.
pub(crate) fn merge(message: &mut Value, body: &Value) {
    for key in [
        "content",
        "embeds",
        "components",
        "flags",
        "allowed_mentions",
        "tts",
    ] {
        if let Some(value) = body.get(key).filter(|v| !v.is_null()) {
            message[key] = value.clone();
        }
    }
    if let Some(embeds) = message["embeds"].as_array_mut() {
        // Discord fills in the embed type; serenity reads it.
        for embed in embeds {
            if embed.get("type").is_none() {
                embed["type"] = json!("rich");
            }
        }
    }
}

pub(crate) fn text_channel(id: u64, guild: u64) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "guild_id": guild.to_string(),
        "name": format!("channel-{id}"),
        "position": 0,
        "permission_overwrites": [],
        "nsfw": false,
        "flags": 0,
    })
}

pub(crate) fn thread(id: u64, parent: u64, guild: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(),
        "type": 11,
        "guild_id": guild.to_string(),
        "parent_id": parent.to_string(),
        "owner_id": APPLICATION_ID.to_string(),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": false,
        "flags": 0,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "thread_metadata": {
            "archived": false,
            "auto_archive_duration": 60,
            "archive_timestamp": TIMESTAMP,
            "locked": false,
        },
    })
}
