use serde::{Deserialize, Serialize};

use crate::KeyPoint;

/// How much of one key point an answer covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The answer says it.
    Covered,
    /// The answer says some of it.
    Partial,
    /// The answer does not say it.
    Missing,
}

/// Which grader produced a grade: shown to users, so a fallback is never silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GraderKind {
    /// Keyword matching, in process.
    Keyword,
    /// Sentence embeddings combined with keywords, in process.
    Semantic,
    /// An LLM endpoint.
    Llm,
    /// Keyword matching because the configured LLM failed.
    KeywordFallback,
}

/// The verdict on one key point, with the words of the answer that earned it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointGrade {
    /// The key point.
    pub point: KeyPoint,
    /// Covered, partial or missing.
    pub verdict: Verdict,
    /// The user's own words that matched, verbatim, in the order they appear in the answer.
    pub evidence: Vec<String>,
}

/// A graded answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// 0 (nothing right) to 1 (everything covered).
    pub score: f64,
    /// One verdict per key point, in the card's order.
    pub points: Vec<PointGrade>,
    /// Who graded it.
    pub grader: GraderKind,
    /// Things the user should know about how the answer was read ("your answer was cut at
    /// 4,000 characters", "this reads like a list of keywords").
    pub remarks: Vec<String>,
}

impl Grade {
    /// How many points were covered, counting a partial as half.
    #[must_use]
    pub fn coverage(&self) -> f64 {
        if self.points.is_empty() {
            return 0.0;
        }
        let earned: f64 = self
            .points
            .iter()
            .map(|p| match p.verdict {
                Verdict::Covered => 1.0,
                Verdict::Partial => 0.5,
                Verdict::Missing => 0.0,
            })
            .sum();
        earned / self.points.len() as f64
    }
}
