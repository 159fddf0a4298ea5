//! A tantivy index over cuecard's cards and notes: full-text lookups with highlighted snippets,
//! and drawing a card to ask.
//!
//! The index is derived data. It is built from parsed cards and notes into a directory named by
//! a hash of that content, so a changed sheet (or a parser that reads it differently) gets a new
//! index and an unchanged one is opened as it is, read-only, without re-indexing. Building goes
//! to a temporary directory that is renamed into place, so two processes starting together never
//! see half an index.
//!
//! Search is BM25 over the question (or note title), the key points and the note body, with the
//! question weighted highest. Query words of five letters or more that occur nowhere in the index
//! are read as typos and expanded to the indexed words one edit away.
//!
//! ```
//! use cuecard_core::{Card, CardId, KeyPoint, Topic};
//! use cuecard_index::CardIndex;
//!
//! let topic = Topic::new("Kubernetes");
//! let question = "Pod stuck Pending?";
//! let card = Card {
//!     id: CardId::derive(&topic, question),
//!     topic,
//!     subtopic: None,
//!     question: question.into(),
//!     answer: "Check events, node resources".into(),
//!     key_points: vec![KeyPoint::new("Check events"), KeyPoint::new("node resources")],
//!     line: 1,
//! };
//! let index = CardIndex::in_ram(&[card], &[]).unwrap();
//! let hits = index.search("kubernetes pendng", &cuecard_index::Search::default()).unwrap();
//! assert_eq!(hits[0].title, "Pod stuck Pending?");
//! ```

mod build;
mod search;

pub use build::{BuildOutcome, content_fingerprint};
pub use search::{Hit, HitItem, Search, Snippet, TopicCount};

use std::path::{Path, PathBuf};

use cuecard_core::{Card, Note};
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexReader};

/// Why the index could not be built, opened or searched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// tantivy failed (a damaged or unreadable index directory, usually).
    #[error("search index error in {path}: {source}")]
    Tantivy {
        /// The index directory, or `memory`.
        path: String,
        /// What tantivy said.
        source: tantivy::TantivyError,
    },
    /// The index directory could not be created, written or renamed.
    #[error("cannot write the search index at {path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The index's own record of its content is missing or unreadable.
    #[error("the search index at {path} is incomplete ({reason}); delete that directory and run again")]
    Damaged {
        /// The index directory.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// A topic filter that names no topic.
    #[error("no topic matches \"{filter}\"; the topics are: {known}")]
    UnknownTopic {
        /// The filter as given.
        filter: String,
        /// The topics there are, comma-separated slugs.
        known: String,
    },
}

/// The fields of the schema, looked up once.
#[derive(Clone, Copy)]
struct Fields {
    kind: Field,
    id: Field,
    topic: Field,
    title: Field,
    key_points: Field,
    body: Field,
    /// Every word of the document unstemmed, searched only to correct typos: "pendng" is one
    /// edit from "pending", but two from its stem "pend".
    words: Field,
    record: Field,
}

/// Analyzer for every text field: tantivy's English stemming pipeline, so "pending" finds
/// "Pending" and "rollbacks" finds "rollback".
const ANALYZER: &str = "en_stem";

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        kind: builder.add_text_field("kind", STRING | STORED),
        id: builder.add_text_field("id", STRING | STORED),
        topic: builder.add_text_field("topic", STRING | STORED),
        title: builder.add_text_field("title", text.clone()),
        key_points: builder.add_text_field("key_points", text.clone()),
        body: builder.add_text_field("body", text),
        words: builder.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("default")
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        // The card or note itself as JSON, so a hit comes back whole without another lookup.
        record: builder.add_text_field("record", STORED),
    };
    (builder.build(), fields)
}

/// An open index over a set of cards and notes.
pub struct CardIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    topics: Vec<TopicCount>,
    location: PathBuf,
}

impl CardIndex {
    /// Builds an index in memory: for tests, and for sheets too small to be worth caching.
    pub fn in_ram(cards: &[Card], notes: &[Note]) -> Result<Self, IndexError> {
        build::in_ram(cards, notes)
    }

    /// Opens the index of exactly these cards and notes under `dir`, building it first if no
    /// index of this content exists there yet.
    pub fn open_or_build(
        dir: &Path,
        cards: &[Card],
        notes: &[Note],
    ) -> Result<(Self, BuildOutcome), IndexError> {
        build::open_or_build(dir, cards, notes)
    }

    /// Where the index lives (`memory` for one built in RAM).
    #[must_use]
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// Every topic that has cards or notes, in sheet order, with counts.
    #[must_use]
    pub fn topics(&self) -> &[TopicCount] {
        &self.topics
    }
}
