//! The `guilds` and `users` tables: rows that other tables hang off, and each guild's time zone.

use cuecard_core::GuildId;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::db::{Conn, query};
use crate::{Store, StoreError, convert};

impl Store {
    /// Sets the IANA time zone (`Europe/Berlin`) that the guild's days, weeks and months are
    /// counted in: daily drops, weekly and monthly boards, streaks. Unknown names are refused.
    pub async fn set_time_zone(
        &self,
        guild: GuildId,
        name: &str,
        now: Timestamp,
    ) -> Result<TimeZone, StoreError> {
        let zone = zone(name)?;
        self.db
            .execute(
                query(
                    "INSERT INTO guilds (id, time_zone, created_at) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET time_zone = excluded.time_zone",
                )
                .bind(convert::guild(guild))
                .bind(name.trim())
                .bind(convert::millis(now)),
            )
            .await?;
        Ok(zone)
    }

    /// The guild's time zone: UTC until one is set.
    pub async fn time_zone(&self, guild: GuildId) -> Result<TimeZone, StoreError> {
        let name: Option<(String,)> = self
            .db
            .fetch_optional(query("SELECT time_zone FROM guilds WHERE id = $1").bind(convert::guild(guild)))
            .await?;
        match name {
            Some((name,)) => zone(&name),
            None => Ok(TimeZone::UTC),
        }
    }
}

/// A time zone by IANA name.
pub(crate) fn zone(name: &str) -> Result<TimeZone, StoreError> {
    TimeZone::get(name.trim()).map_err(|_| StoreError::UnknownTimeZone(name.to_owned()))
}

/// Makes sure the guild's row exists, so rows that refer to it can be written.
pub(crate) async fn ensure_guild(conn: &mut Conn<'_>, guild: i64, now: i64) -> Result<(), StoreError> {
    conn.execute(
        query("INSERT INTO guilds (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(guild)
            .bind(now),
    )
    .await?;
    Ok(())
}

/// Makes sure the user's row exists, so rows that refer to them can be written.
pub(crate) async fn ensure_user(conn: &mut Conn<'_>, user: i64, now: i64) -> Result<(), StoreError> {
    conn.execute(
        query("INSERT INTO users (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(user)
            .bind(now),
    )
    .await?;
    Ok(())
}
