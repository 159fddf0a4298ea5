//! Grading free-text answers against a card's key points.
//!
//! A user types an answer; cuecard says which key points it covers (quoting the user's words),
//! which it misses, and a score from 0 to 1. This crate holds the [`Grader`] trait every grader
//! implements, the default [`KeywordGrader`] (offline, deterministic, microseconds per answer),
//! the feedback text, and the measuring tools behind `cuecard eval` ([`eval`]).
//!
//! The keyword grader normalises both sides the same way (Unicode NFKC, case folding,
//! `camelCase`/`snake_case`/slash splitting, English stemming, stop words), maps synonyms and
//! abbreviations from a versioned data file (`k8s` is Kubernetes, `SG` a security group), allows a
//! one-letter typo in long words but never between near-antonyms (`ingress` is not `egress`), binds
//! comparison points to their subject (`SG: stateful` is not earned by "NACLs are stateful"), and
//! turns coverage into a score with a calibration that is data ([`Calibration`]).
//!
//! It does not understand paraphrase beyond its word lists, and it does no I/O: callers read
//! files and pass text in.
//!
//! ```
//! use cuecard_core::{KeyPoint, Verdict};
//! use cuecard_grade::{KeywordGrader, feedback};
//!
//! let grader = KeywordGrader::new();
//! let points = [KeyPoint::about("SG", "stateful"), KeyPoint::about("NACL", "stateless")];
//! let grade = grader.grade(
//!     "Security Group vs NACL?",
//!     &points,
//!     "Security groups are stateful; network ACLs are stateless.",
//!     None,
//! );
//! assert!(grade.points.iter().all(|p| p.verdict == Verdict::Covered));
//! assert!(grade.score > 0.9);
//! println!("{}", feedback(&grade));
//! ```

mod calibration;
pub mod eval;
mod feedback;
mod keyword;
mod lexicon;
pub mod llm;
pub mod screen;
pub mod semantic;
mod text;

use std::future::Future;
use std::pin::Pin;

use cuecard_core::{Card, CardId, Grade, GraderKind, KeyPoint, Topic};

pub use calibration::{BUNDLED_CALIBRATION, Calibration, CalibrationError};
pub use feedback::{feedback, grader_name};
pub use keyword::{Assessment, KeywordGrader, PreparedCard};
pub use lexicon::{BUNDLED_ANTONYMS, BUNDLED_STOP_WORDS, BUNDLED_SYNONYMS, LexiconError};
pub use llm::{LlmConfig, LlmGrader};
pub use semantic::{SemanticCalibration, SemanticGrader, SemanticModel};

/// What a grader is asked: one answer to one question.
#[derive(Debug, Clone, Copy)]
pub struct GradeRequest<'a> {
    /// The card, when the answer is to a card of a sheet (caches key on it).
    pub card_id: Option<&'a CardId>,
    /// The question as asked.
    pub question: &'a str,
    /// The atomic points a good answer covers.
    pub key_points: &'a [KeyPoint],
    /// The user's answer, untrusted.
    pub answer: &'a str,
    /// The card's topic, for topic-scoped synonyms.
    pub topic: Option<&'a Topic>,
}

impl<'a> GradeRequest<'a> {
    /// A request to grade `answer` to `card`.
    #[must_use]
    pub fn for_card(card: &'a Card, answer: &'a str) -> Self {
        Self {
            card_id: Some(&card.id),
            question: &card.question,
            key_points: &card.key_points,
            answer,
            topic: Some(&card.topic),
        }
    }
}

/// A boxed future, so that [`Grader`] stays object-safe (`Arc<dyn Grader>`).
pub type GradeFuture<'a> = Pin<Box<dyn Future<Output = Grade> + Send + 'a>>;

/// Anything that grades answers: the keyword grader, the LLM grader, the semantic grader.
///
/// Grading never fails: a grader that cannot do its job (an LLM endpoint down) returns the
/// keyword grade labelled [`GraderKind::KeywordFallback`] with the reason in its remarks, so a
/// user is never left without a grade. Async because some graders wait on the network; the
/// keyword grader's future is ready at once.
pub trait Grader: Send + Sync {
    /// Which grader this is, when it succeeds.
    fn kind(&self) -> GraderKind;

    /// Grades one answer.
    fn grade<'a>(&'a self, request: GradeRequest<'a>) -> GradeFuture<'a>;
}

impl Grader for KeywordGrader {
    fn kind(&self) -> GraderKind {
        GraderKind::Keyword
    }

    fn grade<'a>(&'a self, request: GradeRequest<'a>) -> GradeFuture<'a> {
        let grade = KeywordGrader::grade(
            self,
            request.question,
            request.key_points,
            request.answer,
            request.topic,
        );
        Box::pin(std::future::ready(grade))
    }
}

#[cfg(test)]
mod tests;
