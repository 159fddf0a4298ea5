//! Streaks: runs of a guild's daily drops that a user answered well on the day.

use cuecard_core::{GuildId, UserId};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::db::query;
use crate::{Store, StoreError, convert};

/// A user's streak in one guild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Streak {
    /// Drops passed in a row up to the latest one. Today's drop does not break it while the
    /// day lasts: the streak is still alive until the guild's midnight.
    pub current: u32,
    /// The longest run ever.
    pub best: u32,
    /// Whether today's drop (if there is one) has been passed already.
    pub today_done: bool,
}

#[derive(sqlx::FromRow)]
struct DropResult {
    local_date: String,
    score: Option<f64>,
    created_at: Option<i64>,
}

impl Store {
    /// The user's streak in `guild` at `now`: consecutive daily drops answered with a score of
    /// at least `pass_mark` on the drop's own day, in the guild's time zone.
    ///
    /// Drops the bot never managed to post do not count either way, so an outage never
    /// breaks anyone's streak.
    pub async fn streak(
        &self,
        guild: GuildId,
        user: UserId,
        pass_mark: f64,
        now: Timestamp,
    ) -> Result<Streak, StoreError> {
        let zone = self.time_zone(guild).await?;
        let rows: Vec<DropResult> = self
            .db
            .fetch_all(
                query(
                    "SELECT d.local_date, a.score, a.created_at
                     FROM daily_drops d
                     LEFT JOIN attempts a ON a.drop_id = d.id AND a.user_id = $2
                     WHERE d.guild_id = $1 AND (d.state = 'posted' OR a.id IS NOT NULL)
                     ORDER BY d.local_date",
                )
                .bind(convert::guild(guild))
                .bind(convert::user(user)),
            )
            .await?;
        let mut days = Vec::with_capacity(rows.len());
        for row in rows {
            let date = convert::date_from(&row.local_date)?;
            let answered_at = convert::timestamp_opt(row.created_at)?;
            days.push(DropDay {
                date,
                passed: row.score.is_some_and(|score| score >= pass_mark)
                    && answered_at.is_some_and(|at| local_date(at, &zone) == date),
            });
        }
        Ok(count_streak(&days, local_date(now, &zone)))
    }
}

struct DropDay {
    date: Date,
    passed: bool,
}

fn local_date(at: Timestamp, zone: &TimeZone) -> Date {
    at.to_zoned_datetime(zone.clone()).date()
}

/// Runs over `days` (in date order) as seen on `today`.
fn count_streak(days: &[DropDay], today: Date) -> Streak {
    let days: Vec<&DropDay> = days.iter().filter(|day| day.date <= today).collect();
    let mut best = 0;
    let mut run = 0;
    for day in &days {
        run = if day.passed { run + 1 } else { 0 };
        best = best.max(run);
    }
    let today_done = days.last().is_some_and(|day| day.date == today && day.passed);
    // An unanswered drop today is still open: count the run that ended yesterday.
    let settled = match days.last() {
        Some(day) if day.date == today && !day.passed => &days[..days.len() - 1],
        _ => &days[..],
    };
    let current = settled.iter().rev().take_while(|day| day.passed).count();
    Streak {
        current: u32::try_from(current).unwrap_or(u32::MAX),
        best,
        today_done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn days(passes: &[(i8, bool)]) -> Vec<DropDay> {
        passes
            .iter()
            .map(|&(day, passed)| DropDay {
                date: date(2025, 1, day),
                passed,
            })
            .collect()
    }

    #[test]
    fn todays_open_drop_does_not_break_the_run() {
        let history = days(&[(1, true), (2, true), (3, false)]);
        let streak = count_streak(&history, date(2025, 1, 3));
        assert_eq!((streak.current, streak.best, streak.today_done), (2, 2, false));
        // The next day, the missed drop has broken it.
        let streak = count_streak(&history, date(2025, 1, 4));
        assert_eq!((streak.current, streak.best), (0, 2));
    }

    #[test]
    fn best_survives_a_miss() {
        let history = days(&[(1, true), (2, true), (3, true), (4, false), (5, true)]);
        let streak = count_streak(&history, date(2025, 1, 5));
        assert_eq!((streak.current, streak.best, streak.today_done), (1, 3, true));
        assert_eq!(count_streak(&[], date(2025, 1, 5)), Streak::default());
    }
}
