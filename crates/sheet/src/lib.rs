//! Markdown cheat sheets in, question cards and notes out.
//!
//! A sheet is the markdown an interview candidate keeps anyway: `##` sections, `###` subsections,
//! tables of `| Question | Key Points |` (or `| Question | Answer |`), and code blocks of
//! `Q:`/`A:` pairs. Every such row or pair becomes a [`Card`] whose key points are split into
//! atomic points by [`split_key_points`]; everything else (comparison tables, command blocks,
//! quoted model answers) becomes a [`Note`], so that a lookup can find any part of the sheet.
//!
//! Parsing is pulldown-cmark's; what is cuecard's own is deciding what is a card, splitting key
//! points, repairing text damaged by a wrong encoding ([`repair_mojibake`]), and saying exactly
//! what is wrong with a sheet that cannot be used ([`SheetErrors`]). Nothing here panics on any
//! input.
//!
//! ```
//! let sheet = cuecard_sheet::parse("## Linux\n\n| Question | Key Points |\n|---|---|\n| Disk full? | `df -h`, `du -sh /*` |\n").unwrap();
//! assert_eq!(sheet.cards.len(), 1);
//! assert_eq!(sheet.cards[0].topic.name(), "Linux");
//! assert_eq!(sheet.cards[0].key_points.len(), 2);
//!
//! let broken = cuecard_sheet::parse("## Linux\n\n| Question | Key Points |\n|---|---|\n| Disk full? |\n").unwrap_err();
//! assert_eq!(broken.problems[0].line, 5);
//! ```

mod error;
mod mojibake;
mod parse;
mod split;

use std::path::Path;

pub use cuecard_core::{Card, KeyPoint, Note};
pub use error::{Located, Problem, ProblemKind, SheetErrors};
pub use mojibake::repair_mojibake;
pub use parse::{MAX_KEY_POINTS_CHARS, MAX_QUESTION_CHARS, MAX_SHEET_BYTES, parse_bytes, parse_named};
pub use split::split_key_points;

/// File name of the sheet that ships with cuecard.
pub const BUNDLED_NAME: &str = "devops-interview.md";

/// The text of the sheet that ships with cuecard (a DevOps and cloud interview cheat sheet).
pub const BUNDLED_TEXT: &str = include_str!("../../../index/devops-interview.md");

/// A parsed sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The `#` heading, if any.
    pub title: Option<String>,
    /// Every question, in sheet order.
    pub cards: Vec<Card>,
    /// Every other part of the sheet, in sheet order.
    pub notes: Vec<Note>,
    /// Problems that did not stop the sheet from loading.
    pub warnings: Vec<Problem>,
}

/// Parses a sheet's text (named `<sheet>` in messages).
pub fn parse(text: &str) -> Result<Sheet, SheetErrors> {
    parse_named(text, "<sheet>")
}

/// The bundled sheet, parsed.
///
/// # Panics
/// Never in a released build: the bundled sheet is parsed by this crate's tests.
#[must_use]
pub fn bundled() -> Sheet {
    parse_named(BUNDLED_TEXT, BUNDLED_NAME).expect("the bundled sheet parses (tested)")
}

/// Why a sheet file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file was read but is not a usable sheet.
    #[error(transparent)]
    Sheet(#[from] SheetErrors),
}

/// Reads and parses a sheet file.
pub fn load(path: &Path) -> Result<Sheet, LoadError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: shown.clone(),
        source,
    })?;
    Ok(parse_bytes(&bytes, &shown)?)
}
