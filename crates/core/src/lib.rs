//! The domain types every other cuecard crate speaks: cards and their key points, notes,
//! topics, grades and the ids of users and guilds.
//!
//! This crate does no I/O and knows nothing of markdown, databases or Discord. It holds the
//! vocabulary and the small pieces of pure logic that several crates need to agree on, such as
//! how a card id is derived and how a topic name becomes a slug.
//!
//! ```
//! use cuecard_core::{CardId, Topic};
//!
//! let topic = Topic::new("CI/CD & DEPLOYMENTS");
//! assert_eq!(topic.slug(), "ci-cd-deployments");
//! // Card ids depend only on the topic and the question, so edits elsewhere never move them.
//! let a = CardId::derive(&topic, "What is a canary?");
//! let b = CardId::derive(&topic, "  what is a   CANARY? ");
//! assert_eq!(a, b);
//! ```

mod card;
mod grade;
mod ids;
mod period;

pub use card::{Card, CardId, KeyPoint, Note, NoteId, Topic, slugify};
pub use grade::{Grade, GraderKind, PointGrade, Verdict};
pub use ids::{GuildId, UserId};
pub use period::Period;
