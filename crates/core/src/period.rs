use serde::{Deserialize, Serialize};

/// The stretch of time a leaderboard covers.
///
/// Weeks start on Monday and months on the 1st, at midnight in the guild's time zone, so a
/// board resets when the guild's members expect it to. Short periods are what make boards
/// winnable: a newcomer can top this week's board, never the all-time one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Everything ever recorded.
    AllTime,
    /// The current week, Monday to Sunday.
    #[default]
    Week,
    /// The current calendar month.
    Month,
}

impl Period {
    /// The name users type and see: `all`, `week` or `month`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AllTime => "all",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Period {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "all" | "all-time" | "alltime" | "all_time" => Ok(Self::AllTime),
            "week" | "weekly" => Ok(Self::Week),
            "month" | "monthly" => Ok(Self::Month),
            other => Err(format!("unknown period {other:?}: use all, week or month")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Period;

    #[test]
    fn periods_parse_what_they_print() {
        for period in [Period::AllTime, Period::Week, Period::Month] {
            assert_eq!(period.to_string().parse::<Period>(), Ok(period));
        }
        assert_eq!(" Weekly ".parse::<Period>(), Ok(Period::Week));
        assert!("year".parse::<Period>().is_err());
    }
}
