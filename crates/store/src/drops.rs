//! The `drop_settings` and `daily_drops` tables: when and where each guild's daily question
//! goes out, and each drop that did (or is about to).

use cuecard_core::{CardId, GuildId};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use serde::Serialize;

use crate::db::query;
use crate::guilds::{ensure_guild, zone};
use crate::{Store, StoreError, convert};

/// The id the store gave a daily drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct DropId(pub i64);

/// A guild's daily-drop settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropSettings {
    /// The Discord channel the drop is posted in.
    pub channel: u64,
    /// The local time of day it goes out.
    pub local_time: Time,
    /// The guild's IANA time zone. It is the guild's one time zone, shared with weekly
    /// boards and streaks (see [`Store::set_time_zone`]).
    pub time_zone: String,
    /// Topic slugs to draw from; empty for every topic.
    pub topics: Vec<String>,
    /// Whether drops go out at all.
    pub enabled: bool,
}

/// Where a drop is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropState {
    /// Claimed, not yet known to be posted: the process that claimed it is posting it, or
    /// crashed while doing so. Reconcile with [`Store::pending_drops`].
    Pending,
    /// Posted; the message id is known.
    Posted,
    /// Posting failed for good (missing permissions, deleted channel).
    Failed,
}

impl DropState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Posted => "posted",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "pending" => Ok(Self::Pending),
            "posted" => Ok(Self::Posted),
            "failed" => Ok(Self::Failed),
            other => Err(StoreError::corrupt("drop state", other)),
        }
    }
}

/// A guild's question for one local date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DailyDrop {
    /// The store's id; answers refer to it.
    pub id: DropId,
    /// The guild.
    pub guild: GuildId,
    /// The date in the guild's time zone.
    pub local_date: Date,
    /// The card asked.
    pub card: CardId,
    /// The channel it goes to.
    pub channel: u64,
    /// The posted message, once known.
    pub message: Option<u64>,
    /// Pending, posted or failed.
    pub state: DropState,
    /// When it was claimed.
    pub created_at: Timestamp,
    /// When it was confirmed posted.
    pub posted_at: Option<Timestamp>,
}

/// The drop a scheduler is about to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDrop {
    /// The guild.
    pub guild: GuildId,
    /// The date in the guild's time zone.
    pub local_date: Date,
    /// The card drawn.
    pub card: CardId,
    /// The channel it goes to.
    pub channel: u64,
}

/// What [`Store::claim_drop`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropClaim {
    /// This caller owns the drop and should post it, then call [`Store::mark_drop_posted`].
    Claimed(DailyDrop),
    /// The guild already has a drop for that date (another process, or an earlier run):
    /// do not post.
    Taken(DailyDrop),
}

impl DropClaim {
    /// The drop, whoever claimed it.
    #[must_use]
    pub fn drop(&self) -> &DailyDrop {
        match self {
            Self::Claimed(drop) | Self::Taken(drop) => drop,
        }
    }
}

macro_rules! drop_columns {
    () => {
        "id, guild_id, local_date, card_id, channel_id, message_id, state, created_at, posted_at"
    };
}
pub(crate) use drop_columns;

#[derive(sqlx::FromRow)]
pub(crate) struct DropRow {
    id: i64,
    guild_id: i64,
    local_date: String,
    card_id: String,
    channel_id: i64,
    message_id: Option<i64>,
    state: String,
    created_at: i64,
    posted_at: Option<i64>,
}

impl TryFrom<DropRow> for DailyDrop {
    type Error = StoreError;

    fn try_from(row: DropRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: DropId(row.id),
            guild: convert::guild_from(row.guild_id),
            local_date: convert::date_from(&row.local_date)?,
            card: convert::card_from(&row.card_id)?,
            channel: convert::id_from_db(row.channel_id),
            message: row.message_id.map(convert::id_from_db),
            state: DropState::parse(&row.state)?,
            created_at: convert::timestamp(row.created_at)?,
            posted_at: convert::timestamp_opt(row.posted_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    guild_id: i64,
    channel_id: i64,
    local_time: String,
    time_zone: String,
    topics: String,
    enabled: bool,
}

impl SettingsRow {
    fn into_settings(self) -> Result<(GuildId, DropSettings), StoreError> {
        Ok((
            convert::guild_from(self.guild_id),
            DropSettings {
                channel: convert::id_from_db(self.channel_id),
                local_time: self
                    .local_time
                    .parse()
                    .map_err(|e| StoreError::corrupt("drop time", e))?,
                time_zone: self.time_zone,
                topics: serde_json::from_str(&self.topics)
                    .map_err(|e| StoreError::corrupt("drop topics", e))?,
                enabled: self.enabled,
            },
        ))
    }
}

impl Store {
    /// Saves the guild's daily-drop settings, and its time zone with them.
    pub async fn set_drop_settings(
        &self,
        guild: GuildId,
        settings: &DropSettings,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        zone(&settings.time_zone)?;
        let topics =
            serde_json::to_string(&settings.topics).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let guild = convert::guild(guild);
        let now = convert::millis(now);
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        conn.execute(
            query(
                "INSERT INTO guilds (id, time_zone, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET time_zone = excluded.time_zone",
            )
            .bind(guild)
            .bind(settings.time_zone.trim())
            .bind(now),
        )
        .await?;
        conn.execute(
            query(
                "INSERT INTO drop_settings (guild_id, channel_id, local_time, topics, enabled,
                     updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,
                     local_time = excluded.local_time, topics = excluded.topics,
                     enabled = excluded.enabled, updated_at = excluded.updated_at",
            )
            .bind(guild)
            .bind(convert::id_to_db(settings.channel))
            .bind(settings.local_time.strftime("%H:%M:%S").to_string())
            .bind(topics)
            .bind(settings.enabled)
            .bind(now),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The guild's daily-drop settings, if it ever set them.
    pub async fn drop_settings(&self, guild: GuildId) -> Result<Option<DropSettings>, StoreError> {
        let row: Option<SettingsRow> = self
            .db
            .fetch_optional(
                query(
                    "SELECT s.guild_id, s.channel_id, s.local_time, g.time_zone, s.topics, s.enabled
                     FROM drop_settings s JOIN guilds g ON g.id = s.guild_id
                     WHERE s.guild_id = $1",
                )
                .bind(convert::guild(guild)),
            )
            .await?;
        Ok(row.map(SettingsRow::into_settings).transpose()?.map(|(_, s)| s))
    }

    /// Every guild with drops switched on, for the scheduler.
    pub async fn enabled_drop_settings(&self) -> Result<Vec<(GuildId, DropSettings)>, StoreError> {
        let rows: Vec<SettingsRow> = self
            .db
            .fetch_all(
                query(
                    "SELECT s.guild_id, s.channel_id, s.local_time, g.time_zone, s.topics, s.enabled
                 FROM drop_settings s JOIN guilds g ON g.id = s.guild_id
                 WHERE s.enabled = $1 ORDER BY s.guild_id",
                )
                .bind(true),
            )
            .await?;
        rows.into_iter().map(SettingsRow::into_settings).collect()
    }

    /// Records the intent to post the guild's drop for a date, before posting it. Exactly one
    /// caller (across processes) gets [`DropClaim::Claimed`] for a guild and date; everyone
    /// else gets [`DropClaim::Taken`] with the existing drop.
    pub async fn claim_drop(&self, new: &NewDrop, now: Timestamp) -> Result<DropClaim, StoreError> {
        let guild = convert::guild(new.guild);
        let date = convert::date(new.local_date);
        let now = convert::millis(now);
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        ensure_guild(&mut conn, guild, now).await?;
        let claimed: Option<DropRow> = conn
            .fetch_optional(
                query(concat!(
                    "INSERT INTO daily_drops (guild_id, local_date, card_id, channel_id, state,
                         created_at)
                     VALUES ($1, $2, $3, $4, 'pending', $5)
                     ON CONFLICT (guild_id, local_date) DO NOTHING
                     RETURNING ",
                    drop_columns!()
                ))
                .bind(guild)
                .bind(date.as_str())
                .bind(convert::card(&new.card))
                .bind(convert::id_to_db(new.channel))
                .bind(now),
            )
            .await?;
        let claim = if let Some(row) = claimed {
            DropClaim::Claimed(row.try_into()?)
        } else {
            let row: DropRow = conn
                .fetch_one(
                    query(concat!(
                        "SELECT ",
                        drop_columns!(),
                        " FROM daily_drops WHERE guild_id = $1 AND local_date = $2"
                    ))
                    .bind(guild)
                    .bind(date),
                )
                .await?;
            DropClaim::Taken(row.try_into()?)
        };
        tx.commit().await?;
        Ok(claim)
    }

    /// Reconciles a claimed drop with the message that carries it.
    pub async fn mark_drop_posted(
        &self,
        drop: DropId,
        message: u64,
        now: Timestamp,
    ) -> Result<DailyDrop, StoreError> {
        self.update_drop(
            query(concat!(
                "UPDATE daily_drops SET state = 'posted', message_id = $2, posted_at = $3
                 WHERE id = $1 RETURNING ",
                drop_columns!()
            ))
            .bind(drop.0)
            .bind(convert::id_to_db(message))
            .bind(convert::millis(now)),
            drop,
        )
        .await
    }

    /// Gives up on a claimed drop: it will not count against anyone's streak.
    pub async fn mark_drop_failed(&self, drop: DropId) -> Result<DailyDrop, StoreError> {
        self.update_drop(
            query(concat!(
                "UPDATE daily_drops SET state = $2 WHERE id = $1 RETURNING ",
                drop_columns!()
            ))
            .bind(drop.0)
            .bind(DropState::Failed.as_str()),
            drop,
        )
        .await
    }

    async fn update_drop(&self, update: crate::db::Query, drop: DropId) -> Result<DailyDrop, StoreError> {
        let row: Option<DropRow> = self.db.write_optional(update).await?;
        row.ok_or(StoreError::NotFound {
            what: "daily drop",
            id: drop.0,
        })?
        .try_into()
    }

    /// A drop by id.
    pub async fn daily_drop(&self, drop: DropId) -> Result<Option<DailyDrop>, StoreError> {
        let row: Option<DropRow> = self
            .db
            .fetch_optional(
                query(concat!(
                    "SELECT ",
                    drop_columns!(),
                    " FROM daily_drops WHERE id = $1"
                ))
                .bind(drop.0),
            )
            .await?;
        row.map(DailyDrop::try_from).transpose()
    }

    /// The guild's drop for a local date, if there is one.
    pub async fn drop_on(&self, guild: GuildId, date: Date) -> Result<Option<DailyDrop>, StoreError> {
        let row: Option<DropRow> = self
            .db
            .fetch_optional(
                query(concat!(
                    "SELECT ",
                    drop_columns!(),
                    " FROM daily_drops WHERE guild_id = $1 AND local_date = $2"
                ))
                .bind(convert::guild(guild))
                .bind(convert::date(date)),
            )
            .await?;
        row.map(DailyDrop::try_from).transpose()
    }

    /// Drops claimed but never confirmed posted, oldest first: after a restart, look for each
    /// one's message in its channel, then mark it posted or failed.
    pub async fn pending_drops(&self) -> Result<Vec<DailyDrop>, StoreError> {
        let rows: Vec<DropRow> = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    drop_columns!(),
                    " FROM daily_drops WHERE state = $1 ORDER BY created_at, id"
                ))
                .bind(DropState::Pending.as_str()),
            )
            .await?;
        rows.into_iter().map(DailyDrop::try_from).collect()
    }

    /// The cards of the guild's latest drops, newest first: to avoid repeating them.
    pub async fn recent_drop_cards(&self, guild: GuildId, limit: u32) -> Result<Vec<CardId>, StoreError> {
        let rows: Vec<(String,)> = self
            .db
            .fetch_all(
                query(
                    "SELECT card_id FROM daily_drops WHERE guild_id = $1
                     ORDER BY local_date DESC LIMIT $2",
                )
                .bind(convert::guild(guild))
                .bind(i64::from(limit)),
            )
            .await?;
        rows.iter().map(|(card,)| convert::card_from(card)).collect()
    }
}
