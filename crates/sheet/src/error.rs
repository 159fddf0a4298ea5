//! What can be wrong with a sheet, said so that the author knows what to fix.

use std::fmt;

/// The kinds of problem a sheet can have. Each comes with a line number and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The bytes are not UTF-8 text.
    NotUtf8,
    /// The sheet is larger than cuecard reads.
    TooLarge,
    /// A NUL or other control character that has no business in a text file.
    ControlCharacter,
    /// No question could be read from the whole sheet.
    NoCards,
    /// A card has no question text.
    EmptyQuestion,
    /// A card's key-points cell is empty.
    EmptyKeyPoints,
    /// A table row has fewer cells than its header.
    MissingCell,
    /// A key-points text from which no point could be read.
    NoKeyPoints,
    /// The same question twice in one section.
    DuplicateQuestion,
    /// A `Q:` line with no `A:` after it.
    QuestionWithoutAnswer,
    /// An `A:` line with no `Q:` before it.
    AnswerWithoutQuestion,
    /// A question too long to show as a title.
    QuestionTooLong,
    /// Key points too long to show in one field.
    KeyPointsTooLong,
    /// A `##` heading with no text.
    EmptyHeading,
    /// A row with more cells than its header: usually a `|` inside inline code (a warning; the
    /// cells are joined back).
    ExtraCells,
    /// A table that looks meant as questions but whose columns are not named so (a warning).
    UnrecognisedQuestionTable,
    /// A question table with a header and no rows (a warning).
    EmptyTable,
}

impl ProblemKind {
    /// Warnings leave the sheet usable; everything else stops it from loading.
    #[must_use]
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Self::ExtraCells | Self::UnrecognisedQuestionTable | Self::EmptyTable
        )
    }
}

/// One problem at one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, and what to do about it.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(kind: ProblemKind, line: usize, message: impl Into<String>) -> Self {
        Self {
            kind,
            line,
            message: message.into(),
        }
    }
}

/// Every problem found in one sheet, named by its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SheetErrors {
    /// The file, as the user named it (or `<sheet>` for text given directly).
    pub file: String,
    /// The problems, in line order. At least one is not a warning.
    pub problems: Vec<Problem>,
}

impl fmt::Display for SheetErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.problems.iter().filter(|p| !p.kind.is_warning()).count();
        write!(
            f,
            "{} cannot be used: {errors} problem{} to fix",
            self.file,
            if errors == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(
                f,
                "\n{}",
                Located {
                    file: &self.file,
                    problem
                }
            )?;
        }
        Ok(())
    }
}

/// A problem shown as `file:line: error: message`, the shape editors and terminals link.
pub struct Located<'a> {
    /// The file name.
    pub file: &'a str,
    /// The problem.
    pub problem: &'a Problem,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = if self.problem.kind.is_warning() {
            "warning"
        } else {
            "error"
        };
        write!(
            f,
            "{}:{}: {level}: {}",
            self.file, self.problem.line, self.problem.message
        )
    }
}
