//! When daily drops go out and when their windows close, in a guild's own time zone.
//!
//! A drop belongs to a local date. It goes out at the guild's local time on that date and stays
//! open until the next drop goes out; then its recap is due. Times that a daylight-saving change
//! skips (02:30 on a spring-forward night) go out at the first valid instant after; times it
//! repeats go out once, at the first occurrence. So every drop day has exactly one instant and
//! no day is skipped or doubled.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::{Disambiguation, TimeZone};
use jiff::{Timestamp, ToSpan};

/// How far back to look for the latest drop day: a week covers weekends and more.
const LOOKBACK_DAYS: i64 = 8;

/// A guild's drop schedule.
#[derive(Debug, Clone)]
pub struct DropSchedule {
    time: Time,
    zone: TimeZone,
    weekdays_only: bool,
}

impl DropSchedule {
    /// Drops at `time` in the IANA zone `zone`, every day or on weekdays only.
    pub fn new(time: Time, zone: &str, weekdays_only: bool) -> Result<Self, String> {
        let zone = TimeZone::get(zone).map_err(|_| format!("\"{zone}\" is not an IANA time zone"))?;
        Ok(Self {
            time,
            zone,
            weekdays_only,
        })
    }

    /// Whether a drop goes out on this local date.
    pub fn is_drop_day(&self, date: Date) -> bool {
        !self.weekdays_only || !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The instant the drop of `date` goes out.
    pub fn instant(&self, date: Date) -> Timestamp {
        let local = date.to_datetime(self.time);
        self.zone
            .to_ambiguous_zoned_datetime(local)
            .disambiguate(Disambiguation::Compatible)
            .map_or_else(|_| Timestamp::MAX, |zoned| zoned.timestamp())
    }

    /// The latest drop day whose drop has gone out at `now` (its window may have closed).
    pub fn current(&self, now: Timestamp) -> Option<Date> {
        let today = now.to_zoned_datetime(self.zone.clone()).date();
        (0..LOOKBACK_DAYS)
            .filter_map(|back| today.checked_sub(back.days()).ok())
            .find(|&date| self.is_drop_day(date) && self.instant(date) <= now)
    }

    /// The drop day after `date`.
    pub fn next_day(&self, date: Date) -> Date {
        let mut next = date;
        for _ in 0..LOOKBACK_DAYS {
            next = next.tomorrow().unwrap_or(next);
            if self.is_drop_day(next) {
                break;
            }
        }
        next
    }

    /// When the window of `date`'s drop closes: when the next drop goes out.
    pub fn closes(&self, date: Date) -> Timestamp {
        self.instant(self.next_day(date))
    }

    /// The drop to post at `now`: today's (in the guild's zone), once its time has come. A drop
    /// missed for a whole day is not posted late on the next: only today's ever goes out.
    pub fn due(&self, now: Timestamp) -> Option<Date> {
        let today = now.to_zoned_datetime(self.zone.clone()).date();
        self.open(now).filter(|&date| date == today)
    }

    /// The drop day whose window is open at `now`, if any.
    pub fn open(&self, now: Timestamp) -> Option<Date> {
        self.current(now).filter(|&date| now < self.closes(date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn berlin(weekdays_only: bool) -> DropSchedule {
        DropSchedule::new(time(9, 0, 0, 0), "Europe/Berlin", weekdays_only).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn nine_in_berlin_across_the_autumn_change_is_once_a_day() {
        let schedule = berlin(false);
        // Clocks go back at 03:00 on 2026-10-25: 09:00 is 07:00Z before and 08:00Z after.
        assert_eq!(schedule.instant(date(2026, 10, 24)), at("2026-10-24T07:00:00Z"));
        assert_eq!(schedule.instant(date(2026, 10, 25)), at("2026-10-25T08:00:00Z"));
        assert_eq!(schedule.instant(date(2026, 10, 26)), at("2026-10-26T08:00:00Z"));
        // Walking every 15 minutes over four days meets each drop day's window exactly once.
        let mut seen = Vec::new();
        let mut now = at("2026-10-23T00:00:00Z");
        while now < at("2026-10-27T00:00:00Z") {
            if let Some(day) = schedule.open(now)
                && seen.last() != Some(&day)
            {
                seen.push(day);
            }
            now = now.checked_add(15.minutes()).unwrap();
        }
        assert_eq!(
            seen,
            [
                date(2026, 10, 22),
                date(2026, 10, 23),
                date(2026, 10, 24),
                date(2026, 10, 25),
                date(2026, 10, 26)
            ]
        );
    }

    #[test]
    fn a_skipped_time_goes_out_after_the_gap_and_a_repeated_one_once() {
        let night = DropSchedule::new(time(2, 30, 0, 0), "Europe/Berlin", false).unwrap();
        // 2026-03-29 02:30 does not exist in Berlin: out at 03:30 CEST = 01:30Z.
        assert_eq!(night.instant(date(2026, 3, 29)), at("2026-03-29T01:30:00Z"));
        // 2026-10-25 02:30 happens twice: the first, 02:30 CEST = 00:30Z.
        assert_eq!(night.instant(date(2026, 10, 25)), at("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn weekdays_only_skips_the_weekend_and_keeps_friday_open_until_monday() {
        let schedule = berlin(true);
        let friday = date(2026, 11, 20);
        assert_eq!(schedule.next_day(friday), date(2026, 11, 23));
        assert_eq!(
            schedule.open(at("2026-11-22T12:00:00Z")),
            Some(friday),
            "Sunday still answers Friday"
        );
        assert_eq!(
            schedule.open(at("2026-11-23T08:30:00Z")),
            Some(date(2026, 11, 23))
        );
        assert!(!schedule.is_drop_day(date(2026, 11, 21)));
    }

    #[test]
    fn before_the_first_drop_of_the_day_yesterdays_is_open() {
        let schedule = berlin(false);
        assert_eq!(
            schedule.open(at("2026-11-25T07:59:00Z")),
            Some(date(2026, 11, 24))
        );
        assert_eq!(
            schedule.open(at("2026-11-25T08:00:00Z")),
            Some(date(2026, 11, 25))
        );
        assert!(DropSchedule::new(time(9, 0, 0, 0), "Mars/Base", false).is_err());
        assert_eq!(
            schedule.due(at("2026-11-25T07:59:00Z")),
            None,
            "yesterday's is never posted late"
        );
        assert_eq!(schedule.due(at("2026-11-25T20:00:00Z")), Some(date(2026, 11, 25)));
    }
}
