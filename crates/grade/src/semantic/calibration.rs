//! How similarities and keyword verdicts become one score: data, in
//! `data/semantic_calibration.json` (compiled in), refitted by `cuecard eval --grader semantic
//! --fit`. The keyword grader's own calibration (`data/calibration.json`) is not touched.
//!
//! Per key point, the best cosine between it and a sentence of the answer becomes a credit by a
//! ramp: nothing at `zero_at` or below, full credit at `full_at` or above, linear between. A
//! point's semantic credit is the larger of that and its keyword credit (covered 1, partial
//! `partial_credit`). The answer's lift is how much those credits add to the keyword credits
//! alone (both as means, each point weighted by its number of words), and the score is the
//! keyword grader's score plus `semantic_weight` times the lift, at most 1.
//!
//! So the semantic tier starts from the keyword grade and only adds what meaning finds that
//! words did not; everything the keyword grader knows (question demoting, contradictions,
//! penalties, its score curve) stands. Two kinds of answer get no lift at all:
//! - one where the keyword grader found a key point contradicted ("NACLs are stateful" for
//!   "NACL: stateless"): an embedding cannot tell a claim from its negation, and such answers are
//!   on topic, so their sentences are similar to every point;
//! - a bare list of keywords: naming the ideas is not explaining them, whichever tier sees them.
//!
//! (Version 1 of this file mixed the coverages and fitted its own score curve. Fitted by squared
//! error on SemEval's pass/fail grades, that curve topped out at 0.75 and lifted misconceptions
//! the keyword grader had zeroed: the tier scored worse than keywords on every data set.)

use cuecard_core::Verdict;
use serde::{Deserialize, Serialize};

/// The bundled semantic calibration (`data/semantic_calibration.json`).
pub const BUNDLED_SEMANTIC_CALIBRATION: &str = include_str!("../../data/semantic_calibration.json");

/// Every tunable number of the semantic tier. Each field documents its default (the code's
/// value; the bundled file may hold a fitted one, and says so in `fitted_on`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SemanticCalibration {
    /// Format version of this file (2; version 1 had a score curve of its own).
    pub version: u32,
    /// Where the numbers came from: "defaults", or the data `--fit` used.
    pub fitted_on: String,
    /// The model the similarities were measured with (default "all-MiniLM-L6-v2"): another
    /// model's cosines live on another scale, so its calibration must be refitted.
    pub model: String,
    /// Cosine at or below which a sentence earns a point nothing (default 0.35; unrelated
    /// sentences of the same subject score 0.1 to 0.35 with this model).
    pub zero_at: f64,
    /// Cosine at or above which a sentence earns a point fully (default 0.75; paraphrases
    /// score 0.7 to 0.9).
    pub full_at: f64,
    /// How much of the lift (the mean credit meaning adds to the keyword credits) is added to
    /// the keyword score (default 0.6).
    pub semantic_weight: f64,
    /// A point's credit at or above this is covered (default 0.75)...
    pub covered_at: f64,
    /// ...and at or above this partial (default 0.35).
    pub partial_at: f64,
    /// What a partial keyword verdict is worth as a point's keyword credit (default 0.5).
    pub partial_credit: f64,
    /// Scores at or above this pass (default 0.5); `--fit` sets the best-accuracy threshold.
    pub pass_threshold: f64,
    /// How many cards' key-point embeddings are kept in memory (default 4096; 384 floats, 1.5
    /// KB, per key point).
    pub cache_cards: usize,
}

impl Default for SemanticCalibration {
    fn default() -> Self {
        Self {
            version: 2,
            fitted_on: "defaults".to_owned(),
            model: "all-MiniLM-L6-v2".to_owned(),
            zero_at: 0.35,
            full_at: 0.75,
            semantic_weight: 0.6,
            covered_at: 0.75,
            partial_at: 0.35,
            partial_credit: 0.5,
            pass_threshold: 0.5,
            cache_cards: 4096,
        }
    }
}

/// A semantic calibration file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("semantic calibration: {0}")]
pub struct SemanticCalibrationError(#[from] serde_json::Error);

impl SemanticCalibration {
    /// The bundled calibration; the code defaults if it were unreadable (a test checks it is not).
    #[must_use]
    pub fn bundled() -> Self {
        Self::from_json(BUNDLED_SEMANTIC_CALIBRATION).unwrap_or_default()
    }

    /// Reads a calibration file: missing fields take their defaults, unknown ones are errors.
    pub fn from_json(text: &str) -> Result<Self, SemanticCalibrationError> {
        Ok(serde_json::from_str(text)?)
    }

    /// The format `from_json` reads, pretty-printed.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The credit a cosine earns (the ramp from `zero_at` to `full_at`).
    #[must_use]
    pub fn similarity_credit(&self, cosine: f64) -> f64 {
        if !cosine.is_finite() || cosine <= self.zero_at {
            return 0.0;
        }
        if cosine >= self.full_at || self.full_at <= self.zero_at {
            return 1.0;
        }
        (cosine - self.zero_at) / (self.full_at - self.zero_at)
    }

    /// The credit of one key point: see the module documentation.
    #[must_use]
    pub fn point_credit(&self, keyword: Verdict, contradicted: bool, cosine: Option<f64>) -> f64 {
        let keyword_credit = match keyword {
            Verdict::Covered => 1.0,
            Verdict::Partial => self.partial_credit,
            Verdict::Missing => 0.0,
        };
        if contradicted {
            return keyword_credit;
        }
        cosine.map_or(keyword_credit, |c| keyword_credit.max(self.similarity_credit(c)))
    }

    /// The verdict for a point's credit.
    #[must_use]
    pub fn verdict(&self, credit: f64) -> Verdict {
        if credit >= self.covered_at {
            Verdict::Covered
        } else if credit >= self.partial_at {
            Verdict::Partial
        } else {
            Verdict::Missing
        }
    }

    /// The score: `keyword_score` lifted by `semantic_weight` times what the semantic credits
    /// add to the keyword credits (both means over the points), at most 1, never below the
    /// keyword score.
    #[must_use]
    pub fn lift(&self, keyword_score: f64, keyword_credit: f64, semantic_credit: f64) -> f64 {
        let added = (semantic_credit - keyword_credit).max(0.0);
        let lifted = keyword_score + self.semantic_weight.max(0.0) * added;
        if lifted.is_finite() {
            lifted.clamp(keyword_score.clamp(0.0, 1.0), 1.0)
        } else {
            keyword_score
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_file_parses() {
        let bundled = SemanticCalibration::from_json(BUNDLED_SEMANTIC_CALIBRATION).expect("it parses");
        assert_eq!(bundled.version, 2);
        assert!(bundled.zero_at < bundled.full_at, "{bundled:?}");
        assert!(SemanticCalibration::from_json(r#"{"zero": 0.1}"#).is_err());
    }

    #[test]
    fn ramp_and_credit() {
        let c = SemanticCalibration {
            zero_at: 0.4,
            full_at: 0.8,
            ..SemanticCalibration::default()
        };
        assert!(c.similarity_credit(0.3).abs() < 1e-12);
        assert!((c.similarity_credit(0.6) - 0.5).abs() < 1e-12);
        assert!((c.similarity_credit(0.95) - 1.0).abs() < 1e-12);
        assert!(c.similarity_credit(f64::NAN).abs() < 1e-12);
        // Semantics lifts a missed point, never lowers a found one.
        assert!((c.point_credit(Verdict::Missing, false, Some(0.8)) - 1.0).abs() < 1e-12);
        assert!((c.point_credit(Verdict::Covered, false, Some(0.1)) - 1.0).abs() < 1e-12);
        // A contradicted point keeps its keyword verdict however similar the words.
        assert!(c.point_credit(Verdict::Missing, true, Some(0.95)).abs() < 1e-12);
        // No model: the keyword credit.
        assert!((c.point_credit(Verdict::Partial, false, None) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn the_lift_adds_to_the_keyword_score_and_never_takes_away() {
        let c = SemanticCalibration {
            semantic_weight: 0.5,
            ..SemanticCalibration::default()
        };
        assert!((c.lift(0.4, 0.3, 0.9) - 0.7).abs() < 1e-12);
        assert!(
            (c.lift(0.4, 0.9, 0.3) - 0.4).abs() < 1e-12,
            "less credit never lowers"
        );
        assert!((c.lift(0.9, 0.0, 1.0) - 1.0).abs() < 1e-12, "at most 1");
        assert!((c.lift(0.4, 0.3, f64::NAN) - 0.4).abs() < 1e-12);
    }
}
