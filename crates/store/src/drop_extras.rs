//! The `drop_options` and `drop_recaps` tables: how a guild wants its daily drop (weekdays
//! only, a role to ping, questions from its weakest topics) and the recap each drop gets when
//! its window closes.

use cuecard_core::GuildId;
use jiff::Timestamp;
use serde::Serialize;

use crate::db::query;
use crate::drops::{DropRow, drop_columns};
use crate::{DailyDrop, DropId, DropState, Store, StoreError, convert};

/// A guild's daily-drop options beyond channel and time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DropOptions {
    /// No drops on Saturdays and Sundays (in the guild's time zone).
    pub weekdays_only: bool,
    /// A role to mention when the question goes out.
    pub ping_role: Option<u64>,
    /// Draw the question from the guild's weakest topics.
    pub adaptive: bool,
}

#[derive(sqlx::FromRow)]
struct OptionsRow {
    weekdays_only: bool,
    ping_role: Option<i64>,
    adaptive: bool,
}

impl Store {
    /// Sets a guild's drop options.
    pub async fn set_drop_options(
        &self,
        guild: GuildId,
        options: DropOptions,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let guild = convert::guild(guild);
        let mut tx = self.db.begin().await?;
        let mut conn = tx.conn();
        conn.execute(
            query(
                "INSERT INTO guilds (id, time_zone, created_at) VALUES ($1, 'UTC', $2)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(guild)
            .bind(convert::millis(now)),
        )
        .await?;
        conn.execute(
            query(
                "INSERT INTO drop_options (guild_id, weekdays_only, ping_role, adaptive)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (guild_id) DO UPDATE SET weekdays_only = excluded.weekdays_only,
                     ping_role = excluded.ping_role, adaptive = excluded.adaptive",
            )
            .bind(guild)
            .bind(options.weekdays_only)
            .bind(options.ping_role.map(convert::id_to_db))
            .bind(options.adaptive),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A guild's drop options (the defaults when it never set any).
    pub async fn drop_options(&self, guild: GuildId) -> Result<DropOptions, StoreError> {
        let row: Option<OptionsRow> = self
            .db
            .fetch_optional(
                query("SELECT weekdays_only, ping_role, adaptive FROM drop_options WHERE guild_id = $1")
                    .bind(convert::guild(guild)),
            )
            .await?;
        Ok(row.map_or_else(DropOptions::default, |row| DropOptions {
            weekdays_only: row.weekdays_only,
            ping_role: row.ping_role.map(convert::id_from_db),
            adaptive: row.adaptive,
        }))
    }

    /// Posted drops whose recap has not been claimed yet, oldest first.
    pub async fn drops_awaiting_recap(&self) -> Result<Vec<DailyDrop>, StoreError> {
        let rows: Vec<DropRow> = self
            .db
            .fetch_all(
                query(concat!(
                    "SELECT ",
                    drop_columns!(),
                    " FROM daily_drops WHERE state = $1
                      AND NOT EXISTS (SELECT 1 FROM drop_recaps r WHERE r.drop_id = daily_drops.id)
                      ORDER BY local_date, id"
                ))
                .bind(DropState::Posted.as_str()),
            )
            .await?;
        rows.into_iter().map(DailyDrop::try_from).collect()
    }

    /// Claims the right to post a drop's recap. True for exactly one caller, however many
    /// processes try: the others must not post.
    pub async fn claim_recap(&self, drop: DropId, now: Timestamp) -> Result<bool, StoreError> {
        let inserted = self
            .db
            .execute(
                query(
                    "INSERT INTO drop_recaps (drop_id, claimed_at) VALUES ($1, $2)
                     ON CONFLICT (drop_id) DO NOTHING",
                )
                .bind(drop.0)
                .bind(convert::millis(now)),
            )
            .await?;
        Ok(inserted == 1)
    }

    /// Records the message that carries a drop's recap.
    pub async fn mark_recap_posted(&self, drop: DropId, message: u64) -> Result<(), StoreError> {
        self.db
            .execute(
                query("UPDATE drop_recaps SET message_id = $2 WHERE drop_id = $1")
                    .bind(drop.0)
                    .bind(convert::id_to_db(message)),
            )
            .await?;
        Ok(())
    }

    /// The guild's mean score per topic over its answers since `since` (from the start of its
    /// quarter hour: read from the running totals, migration 0008), weakest first: what the
    /// adaptive daily drop draws from.
    pub async fn guild_topic_averages(
        &self,
        guild: GuildId,
        since: Timestamp,
    ) -> Result<Vec<(String, f64)>, StoreError> {
        let rows: Vec<(String, f64)> = self
            .db
            .fetch_all(
                query(
                    "SELECT topic, SUM(total) / CAST(SUM(answers) AS DOUBLE PRECISION) AS average
                     FROM guild_totals
                     WHERE guild_id = $1 AND since >= $2
                     GROUP BY topic ORDER BY average, topic",
                )
                .bind(convert::guild(guild))
                .bind(crate::leaderboard::bucket_start(since)),
            )
            .await?;
        Ok(rows)
    }
}
