//! Fitting the semantic calibration to graded answers (`cuecard eval --grader semantic --fit`).
//!
//! Three numbers by grid search: the ramp (`zero_at`, `full_at`: from which cosine a sentence
//! starts, and finishes, earning a point) and the lift's weight (`semantic_weight`), for the best
//! Pearson correlation between the scores and the human grades; then the pass threshold for the
//! best accuracy. The score curve is the keyword grader's (the semantic tier lifts the keyword
//! score), so it is not fitted here: fitted against pass/fail grades by squared error, a curve
//! of its own squeezed every score towards the pass rate.
//!
//! Three numbers from thousands of answers: over-fitting is small, and `eval` measures it on
//! other data (fit on one file, evaluate on another). A weight of 0 is on the grid, so where
//! meaning adds nothing the fit says so and the tier grades as the keyword grader does.

use super::{SemanticAssessment, SemanticCalibration};
use crate::eval::{best_threshold, pearson};

/// Fits `base`'s ramp, lift weight and pass threshold to `assessments` graded `gold` (0..1),
/// keeping its other fields. Answers graded without the model are left out.
#[must_use]
pub fn fit(
    base: &SemanticCalibration,
    assessments: &[SemanticAssessment],
    gold: &[f64],
    fitted_on: &str,
) -> SemanticCalibration {
    let (items, gold): (Vec<&SemanticAssessment>, Vec<f64>) = assessments
        .iter()
        .zip(gold)
        .filter(|(a, _)| a.unavailable.is_none())
        .map(|(a, &g)| (a, g))
        .unzip();
    let steps = |from: f64, to: f64, step: f64| {
        let n = ((to - from) / step + 1e-9).floor().max(0.0) as usize;
        (0..=n).map(move |i| from + step * i as f64)
    };

    let mut scores = vec![0.0; items.len()];
    let mut best = (f64::NEG_INFINITY, base.clone());
    for zero_at in steps(0.2, 0.9, 0.05) {
        for full_at in steps(zero_at + 0.05, 1.0, 0.05) {
            for semantic_weight in steps(0.0, 1.0, 0.1) {
                let candidate = SemanticCalibration {
                    zero_at,
                    full_at,
                    semantic_weight,
                    ..base.clone()
                };
                for (s, item) in scores.iter_mut().zip(&items) {
                    *s = item.rescore(&candidate);
                }
                let r = pearson(&scores, &gold).unwrap_or(f64::NEG_INFINITY);
                // Strictly better only: of equal fits the first, the smallest lift, stays.
                if r > best.0 + 1e-9 {
                    best = (r, candidate);
                }
            }
        }
    }
    let mut fitted = best.1;
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    for x in [
        &mut fitted.zero_at,
        &mut fitted.full_at,
        &mut fitted.semantic_weight,
    ] {
        *x = round(*x);
    }
    for (s, item) in scores.iter_mut().zip(&items) {
        *s = item.rescore(&fitted);
    }
    let gold_pass: Vec<bool> = gold.iter().map(|&g| g >= 0.5).collect();
    fitted.pass_threshold = round(best_threshold(&scores, &gold_pass).0);
    fitted_on.clone_into(&mut fitted.fitted_on);
    fitted
}

#[cfg(test)]
mod tests {
    use cuecard_core::{Grade, GraderKind, Verdict};

    use super::*;
    use crate::Assessment;
    use crate::semantic::PointSignal;

    fn assessment(cosine: f64, keyword: Verdict, keyword_score: f64) -> SemanticAssessment {
        let grade = Grade {
            score: keyword_score,
            points: Vec::new(),
            grader: GraderKind::Keyword,
            remarks: Vec::new(),
        };
        SemanticAssessment {
            grade: grade.clone(),
            keyword: Assessment {
                grade,
                coverage: keyword_score,
                keyword_list: false,
            },
            signals: vec![PointSignal {
                keyword,
                contradicted: false,
                cosine: Some(cosine),
                weight: 1.0,
            }],
            unavailable: None,
        }
    }

    #[test]
    fn the_fit_finds_where_similarity_starts_to_mean_correct() {
        // Human grades follow the cosine (right from 0.6 up); the keyword score is noise that
        // has nothing to do with them, so the more lift, the better the fit (with no keyword
        // signal at all, every weight would correlate alike and the fit would keep the first).
        let cosines: Vec<f64> = (0..40).map(|i| 0.2 + 0.02 * f64::from(i)).collect();
        let items: Vec<SemanticAssessment> = cosines
            .iter()
            .enumerate()
            .map(|(i, &c)| assessment(c, Verdict::Missing, if i % 2 == 0 { 0.3 } else { 0.0 }))
            .collect();
        let gold: Vec<f64> = cosines
            .iter()
            .map(|&c| if c >= 0.6 { 1.0 } else { 0.0 })
            .collect();
        let fitted = fit(&SemanticCalibration::default(), &items, &gold, "test");
        assert!(fitted.semantic_weight > 0.5, "{fitted:?}");
        let scores: Vec<f64> = items.iter().map(|a| a.rescore(&fitted)).collect();
        let right = scores
            .iter()
            .zip(&gold)
            .filter(|(s, g)| (**s >= fitted.pass_threshold) == (**g >= 0.5))
            .count();
        assert!(right >= 38, "{right} of 40 right with {fitted:?}");
        assert_eq!(fitted.fitted_on, "test");
    }

    #[test]
    fn where_meaning_adds_nothing_the_fit_adds_nothing() {
        // Human grades follow the keyword score; the cosines are unrelated to them.
        let items: Vec<SemanticAssessment> = (0..40_u32)
            .map(|i| {
                let cosine = 0.3 + 0.6 * f64::from((i * 17) % 40) / 40.0;
                assessment(cosine, Verdict::Missing, if i < 20 { 0.1 } else { 0.9 })
            })
            .collect();
        let gold: Vec<f64> = (0..40).map(|i| if i < 20 { 0.0 } else { 1.0 }).collect();
        let fitted = fit(&SemanticCalibration::default(), &items, &gold, "test");
        assert!(fitted.semantic_weight.abs() < 1e-9, "{fitted:?}");
    }
}
