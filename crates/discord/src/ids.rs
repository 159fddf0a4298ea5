//! Custom ids of buttons and modals: every piece of state an interaction needs travels in its
//! custom id, so a button pressed after a restart still works.

use cuecard_core::CardId;
use cuecard_store::{DropId, Occasion, RoundId};

/// Every custom id starts with this, so ids of other versions or other bots are ignored.
const PREFIX: &str = "cc1";

/// What a button or modal is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The "Answer" button of a question: opens the answer modal.
    Answer { card: CardId, occasion: Occasion },
    /// The answer modal, submitted.
    Submit { card: CardId, occasion: Occasion },
    /// "Hint" on a question.
    Hint { card: CardId },
    /// Show a card or note (lookup's next hits).
    Show { id: String },
    /// A leaderboard page.
    Board {
        period: String,
        scope: String,
        page: u32,
        topic: String,
    },
    /// The answer button of a mock interview's question.
    InterviewAnswer { interview: u64, index: usize },
    /// A mock interview's answer modal, submitted.
    InterviewSubmit { interview: u64, index: usize },
    /// Confirms deleting one's own data.
    DeleteMyData { user: u64 },
}

fn occasion_code(occasion: Occasion) -> String {
    match occasion {
        Occasion::AdHoc => "a".into(),
        Occasion::Review => "r".into(),
        Occasion::DailyDrop(DropId(id)) => format!("d{id}"),
        Occasion::StudyRound(RoundId(id)) => format!("s{id}"),
    }
}

fn parse_occasion(code: &str) -> Option<Occasion> {
    match code.split_at_checked(1)? {
        ("a", "") => Some(Occasion::AdHoc),
        ("r", "") => Some(Occasion::Review),
        ("d", id) => id.parse().ok().map(|id| Occasion::DailyDrop(DropId(id))),
        ("s", id) => id.parse().ok().map(|id| Occasion::StudyRound(RoundId(id))),
        _ => None,
    }
}

impl Action {
    /// The custom id (at most 100 characters, Discord's limit: topics are cut to fit).
    pub fn encode(&self) -> String {
        let id = match self {
            Self::Answer { card, occasion } => format!("{PREFIX}:ans:{card}:{}", occasion_code(*occasion)),
            Self::Submit { card, occasion } => format!("{PREFIX}:sub:{card}:{}", occasion_code(*occasion)),
            Self::Hint { card } => format!("{PREFIX}:hint:{card}"),
            Self::Show { id } => format!("{PREFIX}:show:{id}"),
            Self::Board {
                period,
                scope,
                page,
                topic,
            } => format!("{PREFIX}:lb:{period}:{scope}:{page}:{topic}"),
            Self::InterviewAnswer { interview, index } => format!("{PREFIX}:iva:{interview}:{index}"),
            Self::InterviewSubmit { interview, index } => format!("{PREFIX}:ivs:{interview}:{index}"),
            Self::DeleteMyData { user } => format!("{PREFIX}:del:{user}"),
        };
        id.chars().take(100).collect()
    }

    /// Reads a custom id; `None` for anything that is not one of ours or is malformed.
    pub fn decode(id: &str) -> Option<Self> {
        let mut parts = id.splitn(6, ':');
        if parts.next()? != PREFIX {
            return None;
        }
        let verb = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        let card = |s: &str| CardId::parse(s);
        Some(match (verb, rest.as_slice()) {
            ("ans", [c, o]) => Self::Answer {
                card: card(c)?,
                occasion: parse_occasion(o)?,
            },
            ("sub", [c, o]) => Self::Submit {
                card: card(c)?,
                occasion: parse_occasion(o)?,
            },
            ("hint", [c]) => Self::Hint { card: card(c)? },
            ("show", [id]) if !id.is_empty() && id.len() <= 16 => Self::Show { id: (*id).to_owned() },
            ("lb", [period, scope, page, topic]) => Self::Board {
                period: (*period).to_owned(),
                scope: (*scope).to_owned(),
                page: page.parse().ok()?,
                topic: (*topic).to_owned(),
            },
            ("iva", [i, n]) => Self::InterviewAnswer {
                interview: i.parse().ok()?,
                index: n.parse().ok()?,
            },
            ("ivs", [i, n]) => Self::InterviewSubmit {
                interview: i.parse().ok()?,
                index: n.parse().ok()?,
            },
            ("del", [user]) => Self::DeleteMyData {
                user: user.parse().ok()?,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_survives_a_round_trip() {
        let card = CardId::parse("0123456789ab").unwrap();
        let actions = [
            Action::Answer {
                card: card.clone(),
                occasion: Occasion::AdHoc,
            },
            Action::Submit {
                card: card.clone(),
                occasion: Occasion::DailyDrop(DropId(42)),
            },
            Action::Submit {
                card: card.clone(),
                occasion: Occasion::StudyRound(RoundId(7)),
            },
            Action::Answer {
                card: card.clone(),
                occasion: Occasion::Review,
            },
            Action::Hint { card },
            Action::Show {
                id: "n1234567890a".into(),
            },
            Action::Board {
                period: "week".into(),
                scope: "server".into(),
                page: 3,
                topic: "aws".into(),
            },
            Action::Board {
                period: "all".into(),
                scope: "global".into(),
                page: 0,
                topic: String::new(),
            },
            Action::InterviewAnswer {
                interview: 9,
                index: 2,
            },
            Action::InterviewSubmit {
                interview: 9,
                index: 2,
            },
            Action::DeleteMyData { user: u64::MAX },
        ];
        for action in actions {
            let id = action.encode();
            assert!(id.len() <= 100, "{id}");
            assert_eq!(Action::decode(&id), Some(action), "{id}");
        }
    }

    #[test]
    fn foreign_and_forged_ids_are_ignored() {
        for id in [
            "",
            "cc1",
            "cc1:",
            "cc2:ans:0123456789ab:a",
            "cc1:ans:xyz:a",
            "cc1:ans:0123456789ab:q",
            "cc1:ans:0123456789ab:d",
            "cc1:ans:0123456789ab:dx",
            "cc1:lb:week:server:-1:",
            "cc1:del:-5",
            "cc1:nope",
            "other-bot:button",
        ] {
            assert_eq!(Action::decode(id), None, "{id:?}");
        }
    }
}
