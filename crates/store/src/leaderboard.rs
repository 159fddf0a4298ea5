//! Leaderboards: aggregates for a guild or everyone, a period and some topics.
//!
//! Global boards of every topic read running totals (`global_board.rs`). Guild boards of every
//! topic sum the guild's quarter-hour totals (`guild_totals`, migration 0006): one row per user
//! and active quarter hour rather than one per answer. Topic boards aggregate `attempts`.

use std::fmt::Write as _;

use cuecard_core::{GuildId, Period, UserId};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use crate::db::Query;
use crate::{Store, StoreError, convert, global_board};

/// Whose answers a board counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Answers given in one guild; weeks and months in the guild's time zone.
    Guild(GuildId),
    /// Every answer anywhere, DMs and the terminal included; weeks and months in UTC.
    Global,
}

/// What a board ranks by. Ties share a rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortBy {
    /// Sum of scores: rewards answering often and well.
    #[default]
    Total,
    /// Mean score; see [`Board::min_answers`] to keep one lucky answer off the top.
    Average,
    /// Number of answers.
    Answers,
}

/// Which leaderboard: scope, period, topics and order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Board {
    /// Guild or global.
    pub scope: Scope,
    /// All time, this week or this month.
    pub period: Period,
    /// Topic slugs to count; empty counts every topic.
    pub topics: Vec<String>,
    /// The ranking.
    pub sort: SortBy,
    /// Users with fewer answers in the period are left off the board.
    pub min_answers: u32,
}

impl Board {
    /// A guild's board for `period`, by total score, every topic.
    #[must_use]
    pub fn guild(guild: GuildId, period: Period) -> Self {
        Self {
            scope: Scope::Guild(guild),
            period,
            topics: Vec::new(),
            sort: SortBy::Total,
            min_answers: 1,
        }
    }

    /// The global board for `period`, by total score, every topic.
    #[must_use]
    pub fn global(period: Period) -> Self {
        Self {
            scope: Scope::Global,
            ..Self::guild(GuildId(0), period)
        }
    }

    /// The same board counting only `topic` (a slug; call again to add more).
    #[must_use]
    pub fn topic(mut self, topic: impl Into<String>) -> Self {
        self.topics.push(topic.into());
        self
    }

    /// The same board in another order.
    #[must_use]
    pub fn sorted_by(mut self, sort: SortBy) -> Self {
        self.sort = sort;
        self
    }

    /// The same board leaving off users with fewer than `min` answers.
    #[must_use]
    pub fn min_answers(mut self, min: u32) -> Self {
        self.min_answers = min;
        self
    }
}

/// A slice of a board: `limit` places after the first `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Page {
    /// Places to skip.
    pub offset: u32,
    /// Places to show.
    pub limit: u32,
}

impl Page {
    /// The top `limit`.
    #[must_use]
    pub fn first(limit: u32) -> Self {
        Self { offset: 0, limit }
    }

    /// The page after this one.
    #[must_use]
    pub fn next(self) -> Self {
        Self {
            offset: self.offset.saturating_add(self.limit),
            limit: self.limit,
        }
    }
}

/// One user's place on a board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// 1 for the top; users tied on the sort key share a rank.
    pub rank: u32,
    /// The place in display order (1-based, unique): ties are broken by answers, then user id.
    pub place: u32,
    /// The user.
    pub user: UserId,
    /// Sum of scores.
    pub total: f64,
    /// Number of answers.
    pub answers: u32,
    /// Mean score.
    pub average: f64,
}

/// A page of a board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaderboardPage {
    /// The places on this page, in order.
    pub entries: Vec<Standing>,
    /// How many users are on the whole board.
    pub players: u32,
    /// Where the period starts (inclusive), `None` for all time.
    pub since: Option<Timestamp>,
    /// Where the period ends (exclusive), `None` for all time.
    pub until: Option<Timestamp>,
}

/// A user's place with the places just above and below it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Surroundings {
    /// The user's own standing.
    pub me: Standing,
    /// Up to the requested number of places above, best first.
    pub above: Vec<Standing>,
    /// Up to the requested number of places below, best first.
    pub below: Vec<Standing>,
    /// How many users are on the whole board.
    pub players: u32,
}

#[derive(sqlx::FromRow)]
struct StandingRow {
    user_id: i64,
    total: f64,
    answers: i64,
    rank: i64,
    pos: i64,
    players: i64,
}

impl From<&StandingRow> for Standing {
    fn from(row: &StandingRow) -> Self {
        let answers = convert::count(row.answers);
        Self {
            rank: convert::count(row.rank),
            place: convert::count(row.pos),
            user: convert::user_from(row.user_id),
            total: row.total,
            answers,
            average: if answers == 0 {
                0.0
            } else {
                row.total / f64::from(answers)
            },
        }
    }
}

impl Store {
    /// A page of `board` as it stands at `now`.
    pub async fn leaderboard(
        &self,
        board: &Board,
        now: Timestamp,
        page: Page,
    ) -> Result<LeaderboardPage, StoreError> {
        let (since, until) = self.period_bounds(board, now).await?;
        if global_board::uses_totals(board) {
            return self.global_page(board, since, until, page).await;
        }
        let (sql, binds) = ranked_sql(board, since, until);
        let mut sql = sql;
        let offset = binds.len() + 1;
        write!(
            sql,
            " SELECT user_id, total, answers, rank, pos, players FROM ranked
              WHERE pos > ${offset} AND pos <= ${} ORDER BY pos",
            offset + 1
        )
        .ok();
        let query = bind_all(Query::assembled(sql), binds)
            .bind(i64::from(page.offset))
            .bind(i64::from(page.offset) + i64::from(page.limit));
        let rows: Vec<StandingRow> = self.db.fetch_all(query).await?;
        let players = match rows.first() {
            Some(row) => convert::count(row.players),
            None if page.offset > 0 => self.players(board, since, until).await?,
            None => 0,
        };
        Ok(LeaderboardPage {
            entries: rows.iter().map(Standing::from).collect(),
            players,
            since,
            until,
        })
    }

    /// Where `user` stands on `board` at `now`, with up to `neighbours` places either side;
    /// `None` if the user is not on the board.
    pub async fn standing(
        &self,
        board: &Board,
        user: UserId,
        now: Timestamp,
        neighbours: u32,
    ) -> Result<Option<Surroundings>, StoreError> {
        let (since, until) = self.period_bounds(board, now).await?;
        if global_board::uses_totals(board) {
            return self.global_standing(board, since, user, neighbours).await;
        }
        let (mut sql, binds) = ranked_sql(board, since, until);
        let me = binds.len() + 1;
        write!(
            sql,
            ", me AS (SELECT pos AS my_pos FROM ranked WHERE user_id = ${me})
             SELECT user_id, total, answers, rank, pos, players FROM ranked, me
             WHERE pos >= my_pos - ${n} AND pos <= my_pos + ${n} ORDER BY pos",
            n = me + 1
        )
        .ok();
        let query = bind_all(Query::assembled(sql), binds)
            .bind(convert::user(user))
            .bind(i64::from(neighbours));
        let rows: Vec<StandingRow> = self.db.fetch_all(query).await?;
        let me = convert::user(user);
        let Some(index) = rows.iter().position(|row| row.user_id == me) else {
            return Ok(None);
        };
        Ok(Some(Surroundings {
            me: Standing::from(&rows[index]),
            above: rows[..index].iter().map(Standing::from).collect(),
            below: rows[index + 1..].iter().map(Standing::from).collect(),
            players: convert::count(rows[index].players),
        }))
    }

    async fn players(
        &self,
        board: &Board,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
    ) -> Result<u32, StoreError> {
        let (mut sql, binds) = ranked_sql(board, since, until);
        sql.push_str(" SELECT COUNT(*) FROM ranked");
        let (n,): (i64,) = self.db.fetch_one(bind_all(Query::assembled(sql), binds)).await?;
        Ok(convert::count(n))
    }

    /// The period's bounds in the board's time zone.
    async fn period_bounds(
        &self,
        board: &Board,
        now: Timestamp,
    ) -> Result<(Option<Timestamp>, Option<Timestamp>), StoreError> {
        if board.period == Period::AllTime {
            return Ok((None, None));
        }
        let zone = match board.scope {
            Scope::Guild(guild) => self.time_zone(guild).await?,
            Scope::Global => TimeZone::UTC,
        };
        period_bounds(board.period, &zone, now)
    }
}

/// Start (inclusive) and end (exclusive) of the period containing `now`, in `zone`: weeks run
/// from Monday midnight, months from the 1st. Computed here rather than in SQL so both
/// databases agree, and so days that are 23 or 25 hours long come out right.
pub(crate) fn period_bounds(
    period: Period,
    zone: &TimeZone,
    now: Timestamp,
) -> Result<(Option<Timestamp>, Option<Timestamp>), StoreError> {
    let today = now.to_zoned_datetime(zone.clone()).date();
    let (first, next) = match period {
        Period::AllTime => return Ok((None, None)),
        Period::Week => {
            let back = i64::from(today.weekday().to_monday_zero_offset());
            let monday = today.checked_sub(back.days()).map_err(|e| out_of_range(&e))?;
            (
                monday,
                monday.checked_add(7.days()).map_err(|e| out_of_range(&e))?,
            )
        }
        Period::Month => {
            let first = today.first_of_month();
            (first, first.checked_add(1.month()).map_err(|e| out_of_range(&e))?)
        }
    };
    // `to_zoned_datetime` resolves a midnight that a clock change skips to the first instant after it,
    // which is when that day starts.
    let start = first
        .to_zoned_datetime(zone.clone())
        .map_err(|e| out_of_range(&e))?;
    let end = next
        .to_zoned_datetime(zone.clone())
        .map_err(|e| out_of_range(&e))?;
    Ok((Some(start.timestamp()), Some(end.timestamp())))
}

fn out_of_range(error: &jiff::Error) -> StoreError {
    StoreError::Invalid(format!("date out of range: {error}"))
}

fn bind_all(mut query: Query, binds: Vec<crate::db::Arg>) -> Query {
    for arg in binds {
        query = query.bind(arg);
    }
    query
}

/// The length of a `guild_totals` bucket: a quarter hour, in milliseconds (migration 0006).
const GUILD_BUCKET_MS: i64 = 15 * 60 * 1000;

/// The start of the `guild_totals` bucket holding `at`, in unix milliseconds.
pub(crate) fn bucket_start(at: Timestamp) -> i64 {
    let millis = convert::millis(at);
    millis - millis.rem_euclid(GUILD_BUCKET_MS)
}

/// What a board sums: the rows of `attempts` or of `guild_totals` that count.
#[derive(Debug, PartialEq, Eq)]
enum Source {
    Attempts,
    GuildTotals,
}

impl Source {
    /// `guild_totals` for a guild board whose period is whole buckets (every period in a zone
    /// whose offset is a whole number of quarter hours, as all are today), of any topics: the
    /// totals are kept per topic (migration 0008). `attempts` for global boards and anything
    /// else.
    fn of(board: &Board, since: Option<Timestamp>, until: Option<Timestamp>) -> Self {
        let on_boundary = |at: Option<Timestamp>| at.is_none_or(|at| bucket_start(at) == convert::millis(at));
        if matches!(board.scope, Scope::Guild(_)) && on_boundary(since) && on_boundary(until) {
            Self::GuildTotals
        } else {
            Self::Attempts
        }
    }
}

/// `WITH board AS (...), ranked AS (...)` for `board`, and its bind values (`$1..$n`).
///
/// The `WHERE` clause is assembled so that each variant is a plain range scan: on the key of
/// `guild_totals (guild_id, since, user_id, topic)`, or on `attempts_global_board (created_at,
/// user_id, score)`; optional filters written as `($1 IS NULL OR ...)` would hide those indexes
/// from SQLite's planner. A guild board read from `attempts` (a period off the quarter hours)
/// scans the period's answers of every guild: no index of `attempts` starts with the guild,
/// since each would cost every recorded answer a page (migration 0008).
fn ranked_sql(
    board: &Board,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
) -> (String, Vec<crate::db::Arg>) {
    let source = Source::of(board, since, until);
    // A bucket starts inside the period exactly when the answers in it do, since the period is
    // whole buckets.
    let (table, time, total, answers) = match source {
        Source::Attempts => ("attempts", "created_at", "SUM(score)", "COUNT(*)"),
        // Postgres sums BIGINTs to NUMERIC: cast back to what the rows decode.
        Source::GuildTotals => (
            "guild_totals",
            "since",
            "SUM(total)",
            "CAST(SUM(answers) AS BIGINT)",
        ),
    };
    let mut binds: Vec<crate::db::Arg> = Vec::new();
    let mut filters: Vec<String> = Vec::new();
    let next = |binds: &mut Vec<crate::db::Arg>, arg: crate::db::Arg| {
        binds.push(arg);
        format!("${}", binds.len())
    };
    if let Scope::Guild(guild) = board.scope {
        let p = next(&mut binds, convert::guild(guild).into());
        filters.push(format!("guild_id = {p}"));
    }
    if let Some(since) = since {
        let p = next(&mut binds, convert::millis(since).into());
        filters.push(format!("{time} >= {p}"));
    }
    if let Some(until) = until {
        let p = next(&mut binds, convert::millis(until).into());
        filters.push(format!("{time} < {p}"));
    }
    if !board.topics.is_empty() {
        let list: Vec<String> = board
            .topics
            .iter()
            .map(|topic| next(&mut binds, topic.as_str().into()))
            .collect();
        filters.push(format!("topic IN ({})", list.join(", ")));
    }
    let min = next(&mut binds, i64::from(board.min_answers.max(1)).into());
    let key = match board.sort {
        SortBy::Total => "total",
        SortBy::Average => "total / answers",
        SortBy::Answers => "answers",
    };
    let tiebreak = match board.sort {
        SortBy::Total | SortBy::Average => "answers DESC",
        SortBy::Answers => "total DESC",
    };
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    let sql = format!(
        "WITH board AS (
             SELECT user_id, {total} AS total, {answers} AS answers
             FROM {table} {filter}
             GROUP BY user_id
             HAVING {answers} >= {min}
         ), ranked AS (
             SELECT user_id, total, answers,
                    RANK() OVER (ORDER BY {key} DESC) AS rank,
                    ROW_NUMBER() OVER (ORDER BY {key} DESC, {tiebreak}, user_id) AS pos,
                    COUNT(*) OVER () AS players
             FROM board
         )"
    );
    (sql, binds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn weeks_start_on_local_monday_midnight() -> Result<(), Box<dyn std::error::Error>> {
        // Sunday 2025-03-09 20:00 UTC is already Monday 09:00 in Tongatapu (UTC+13).
        let now = at("2025-03-09T20:00:00Z");
        let tonga = TimeZone::get("Pacific/Tongatapu")?;
        let (since, until) = period_bounds(Period::Week, &tonga, now)?;
        assert_eq!(since, Some(at("2025-03-09T11:00:00Z")));
        assert_eq!(until, Some(at("2025-03-16T11:00:00Z")));

        // In Honolulu (UTC-10) it is still Sunday: the week began on Monday the 3rd.
        let honolulu = TimeZone::get("Pacific/Honolulu")?;
        let (since, _) = period_bounds(Period::Week, &honolulu, now)?;
        assert_eq!(since, Some(at("2025-03-03T10:00:00Z")));
        Ok(())
    }

    #[test]
    fn a_week_across_a_clock_change_is_167_hours() -> Result<(), Box<dyn std::error::Error>> {
        let new_york = TimeZone::get("America/New_York")?;
        let (since, until) = period_bounds(Period::Week, &new_york, at("2025-03-06T12:00:00Z"))?;
        let (Some(since), Some(until)) = (since, until) else {
            panic!("a week has bounds");
        };
        // Monday 3 March 00:00 EST to Monday 10 March 00:00 EDT: the clocks sprang forward.
        assert_eq!(since, at("2025-03-03T05:00:00Z"));
        assert_eq!(until, at("2025-03-10T04:00:00Z"));
        assert_eq!((until - since).as_hours(), 167);
        Ok(())
    }

    #[test]
    fn guild_boards_sum_buckets_only_for_whole_quarter_hours() -> Result<(), Box<dyn std::error::Error>> {
        let guild = Board::guild(GuildId(1), Period::Week);
        let source = |board: &Board, zone: &str, now: &str| -> Result<Source, Box<dyn std::error::Error>> {
            let (since, until) = period_bounds(board.period, &TimeZone::get(zone)?, at(now))?;
            Ok(Source::of(board, since, until))
        };
        // Nepal is 5:45 ahead of UTC: its midnight is a quarter-hour boundary.
        assert_eq!(
            source(&guild, "Asia/Kathmandu", "2025-03-09T20:00:00Z")?,
            Source::GuildTotals
        );
        assert_eq!(
            source(
                &Board::guild(GuildId(1), Period::AllTime),
                "UTC",
                "2025-03-09T20:00:00Z"
            )?,
            Source::GuildTotals
        );
        // New York kept local mean time, 4:56:02 behind, until 1883: not whole buckets.
        assert_eq!(
            source(&guild, "America/New_York", "1870-06-01T12:00:00Z")?,
            Source::Attempts
        );
        // Topic boards of a guild read them too (they are kept per topic); global boards not.
        assert_eq!(
            source(&guild.clone().topic("linux"), "UTC", "2025-03-09T20:00:00Z")?,
            Source::GuildTotals
        );
        assert_eq!(
            source(&Board::global(Period::Week), "UTC", "2025-03-09T20:00:00Z")?,
            Source::Attempts
        );
        Ok(())
    }

    #[test]
    fn months_start_on_the_first() -> Result<(), Box<dyn std::error::Error>> {
        let (since, until) = period_bounds(Period::Month, &TimeZone::UTC, at("2024-02-29T23:59:59Z"))?;
        assert_eq!(since, Some(at("2024-02-01T00:00:00Z")));
        assert_eq!(until, Some(at("2024-03-01T00:00:00Z")));
        assert_eq!(
            period_bounds(Period::AllTime, &TimeZone::UTC, at("2024-02-29T00:00:00Z"))?,
            (None, None)
        );
        Ok(())
    }
}
