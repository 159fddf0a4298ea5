//! Conversions between API types and column values, all in one place: Discord's u64 ids become
//! i64 here and nowhere else, times become unix milliseconds, dates ISO text.

use cuecard_core::{CardId, GraderKind, GuildId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::StoreError;

/// A Discord id (u64) as the i64 both databases store. The bits are kept as they are, so every
/// u64 round-trips; real snowflakes are below 2^63 and stay positive.
pub(crate) fn id_to_db(id: u64) -> i64 {
    id.cast_signed()
}

pub(crate) fn id_from_db(id: i64) -> u64 {
    id.cast_unsigned()
}

pub(crate) fn user(id: UserId) -> i64 {
    id_to_db(id.0)
}

pub(crate) fn user_from(id: i64) -> UserId {
    UserId(id_from_db(id))
}

pub(crate) fn guild(id: GuildId) -> i64 {
    id_to_db(id.0)
}

pub(crate) fn guild_opt(id: Option<GuildId>) -> Option<i64> {
    id.map(guild)
}

pub(crate) fn guild_from(id: i64) -> GuildId {
    GuildId(id_from_db(id))
}

/// User text as both databases can store it: Postgres `TEXT` refuses NUL (U+0000), so NUL
/// becomes U+FFFD on every backend alike, and the answer is recorded instead of failing the insert.
pub(crate) fn text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') {
        std::borrow::Cow::Owned(text.replace('\0', "\u{fffd}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

pub(crate) fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

pub(crate) fn timestamp(millis: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(millis).map_err(|e| StoreError::corrupt("timestamp", e))
}

pub(crate) fn timestamp_opt(millis: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    millis.map(timestamp).transpose()
}

pub(crate) fn card(id: &CardId) -> String {
    id.as_str().to_owned()
}

pub(crate) fn card_from(text: &str) -> Result<CardId, StoreError> {
    CardId::parse(text).ok_or_else(|| StoreError::corrupt("card id", format!("{text:?}")))
}

pub(crate) fn date(date: Date) -> String {
    date.to_string()
}

pub(crate) fn date_from(text: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|e| StoreError::corrupt("date", format!("{text:?}: {e}")))
}

pub(crate) fn grader(kind: GraderKind) -> String {
    // serde's name is the stable one; it is what exports show too.
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{kind:?}"),
    }
}

pub(crate) fn grader_from(text: &str) -> Result<GraderKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| StoreError::corrupt("grader", e))
}

/// A count from the database (never negative) as the u32 the API uses.
pub(crate) fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discord_ids_round_trip_through_i64() {
        for id in [0, 1, 1_234_567_890_123_456_789, u64::MAX, 1 << 63] {
            assert_eq!(id_from_db(id_to_db(id)), id);
        }
        assert_eq!(id_to_db(u64::MAX), -1);
    }

    #[test]
    fn grader_names_are_serde_names() -> Result<(), StoreError> {
        assert_eq!(grader(GraderKind::KeywordFallback), "keyword_fallback");
        assert_eq!(grader_from("llm")?, GraderKind::Llm);
        assert!(grader_from("magic").is_err());
        Ok(())
    }
}
