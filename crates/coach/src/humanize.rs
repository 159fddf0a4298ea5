//! Times as people say them, shared by every skin so the terminal and Discord agree.

use jiff::{SignedDuration, Timestamp};

/// How long until `due`, as speech: "now", "in 10 minutes", "in 5 hours", "in 3 days".
pub fn until(due: Timestamp, now: Timestamp) -> String {
    let gap = due.duration_since(now);
    if gap <= SignedDuration::ZERO {
        return "now".to_owned();
    }
    let minutes = gap.as_secs() / 60;
    let (n, unit) = match minutes {
        0..=89 => (minutes.max(1), "minute"),
        90..=2159 => ((minutes + 30) / 60, "hour"),
        _ => ((minutes + 720) / 1440, "day"),
    };
    format!("in {n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::until;
    use jiff::{SignedDuration, Timestamp};

    #[test]
    fn due_times_read_like_speech() {
        let now = Timestamp::UNIX_EPOCH;
        let at = |secs| now.checked_add(SignedDuration::from_secs(secs)).unwrap();
        assert_eq!(until(now, now), "now");
        assert_eq!(until(at(-60), now), "now");
        assert_eq!(until(at(30), now), "in 1 minute");
        assert_eq!(until(at(600), now), "in 10 minutes");
        assert_eq!(until(at(5 * 3600), now), "in 5 hours");
        assert_eq!(until(at(86_400), now), "in 24 hours");
        assert_eq!(until(at(3 * 86_400), now), "in 3 days");
    }
}
