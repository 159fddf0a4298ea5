//! cuecard's use cases, free of any platform: ask a question, grade and record an answer, give
//! a hint, serve due reviews, run a mock interview, show progress and leaderboards.
//!
//! The Discord bot and the terminal are thin skins over a [`Coach`]: they turn user actions into
//! calls here and the results into embeds or terminal text. A `Coach` composes the search index
//! (cards), a [`Grader`], the [`Store`] and a [`Clock`]; it holds no per-user state of its own, so
//! any number of skins (or bot processes) can share one database.
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use cuecard_coach::{AnswerRequest, Coach, Policy, SystemClock};
//! use cuecard_core::UserId;
//!
//! let sheet = cuecard_sheet::bundled();
//! let index = cuecard_index::CardIndex::in_ram(&sheet.cards, &sheet.notes)?;
//! let dir = tempfile::tempdir()?;
//! let store = cuecard_store::Store::open(&format!("sqlite://{}", dir.path().join("c.db").display())).await?;
//! let coach = Coach::new(Arc::new(index), Arc::new(cuecard_grade::KeywordGrader::new()), store, Arc::new(SystemClock), Policy::default())?;
//!
//! let card = coach.ask(UserId(1), Some("terraform")).await?;
//! let answered = coach.answer(AnswerRequest::ad_hoc(UserId(1), &card.id, "remote state in S3 with DynamoDB locking")).await?;
//! assert!(answered.recorded);
//! println!("{:.0}% — next review {}", answered.grade.score * 100.0, answered.next_review);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```

mod answer;
mod ask;
mod clock;
mod daily;
mod humanize;
mod interview;
mod progress;
mod schedule;

use std::sync::{Arc, Mutex, RwLock};

use cuecard_core::CardId;
use cuecard_grade::Grader;
use cuecard_index::{CardIndex, IndexError};
use cuecard_store::{Store, StoreError};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

pub use answer::{AnswerRequest, Answered, Hint};
pub use ask::DueCard;
pub use clock::{Clock, ManualClock, SystemClock};
pub use daily::DropSchedule;
pub use humanize::until;
pub use interview::{Scorecard, TopicScore, WeakPoint};
pub use progress::{Stats, TopicStats};
pub use schedule::{Rating, RatingBands, Scheduler};

/// What the coach could not do, said so a skin can show it to the user.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoachError {
    /// No card has this id (the sheet changed, or the id was mistyped).
    #[error("no question has the id {0}; it may have been removed from the sheet")]
    UnknownCard(CardId),
    /// The sheet (or the chosen topic) has no questions.
    #[error("there are no questions to ask{0}")]
    NoCards(String),
    /// The database failed; nothing was half-written.
    #[error("the database is unavailable, so nothing was saved; try again in a moment ({0})")]
    Store(#[from] StoreError),
    /// The search index failed, or a topic filter named no topic.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The scheduler was given settings it cannot work with.
    #[error("spaced-repetition settings: {0}")]
    Schedule(String),
}

/// The coach's settings: how scores turn into review ratings, what hints cost, what passes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Score bands of the four FSRS ratings.
    pub bands: RatingBands,
    /// The share of reviews that should succeed; FSRS spaces reviews to hit it.
    pub desired_retention: f32,
    /// What each hint takes off the score, as a fraction of it (0.15 = 15%).
    pub hint_cost: f64,
    /// The most hints can take off, so an answer after every hint still earns something.
    pub max_hint_penalty: f64,
    /// How many of a user's latest cards `ask` avoids repeating.
    pub recent_window: u32,
    /// The score that counts as a pass (streaks, "you got it").
    pub pass_mark: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            bands: RatingBands::default(),
            desired_retention: 0.9,
            hint_cost: 0.15,
            max_hint_penalty: 0.6,
            recent_window: 20,
            pass_mark: 0.6,
        }
    }
}

/// The use cases, over an index, a grader, a store and a clock.
pub struct Coach {
    /// Behind a lock so an admin's new sheet can replace it while the bot serves: readers take
    /// a clone of the `Arc` and keep the index they started with until they finish.
    index: RwLock<Arc<CardIndex>>,
    grader: Arc<dyn Grader>,
    store: Store,
    clock: Arc<dyn Clock>,
    policy: Policy,
    scheduler: Scheduler,
    rng: Mutex<StdRng>,
}

impl Coach {
    /// A coach over these parts.
    pub fn new(
        index: Arc<CardIndex>,
        grader: Arc<dyn Grader>,
        store: Store,
        clock: Arc<dyn Clock>,
        policy: Policy,
    ) -> Result<Self, CoachError> {
        let scheduler = Scheduler::new(policy.desired_retention).map_err(CoachError::Schedule)?;
        Ok(Self {
            index: RwLock::new(index),
            grader,
            store,
            clock,
            policy,
            scheduler,
            rng: Mutex::new(rand::make_rng()),
        })
    }

    /// Makes the coach's random choices repeatable (tests, `--seed`).
    #[must_use]
    pub fn with_seed(self, seed: u64) -> Self {
        Self {
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            ..self
        }
    }

    /// The search index (for lookups, topics and cards by id): the one in use now. Hold on to
    /// it for the length of one request, so that a request sees one sheet throughout.
    pub fn index(&self) -> Arc<CardIndex> {
        Arc::clone(
            &self
                .index
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Serves `index` from now on and returns the one it replaces. Requests already running
    /// finish on the old index; nothing waits for a rebuild, since the caller builds `index`
    /// first. Recorded attempts stay: a card that is in both sheets keeps its id and history.
    pub fn replace_index(&self, index: Arc<CardIndex>) -> Arc<CardIndex> {
        let mut current = self
            .index
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::mem::replace(&mut *current, index)
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The settings.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The current time, by the coach's clock.
    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    fn card(&self, id: &CardId) -> Result<cuecard_core::Card, CoachError> {
        self.index()
            .card(id)?
            .ok_or_else(|| CoachError::UnknownCard(id.clone()))
    }
}
