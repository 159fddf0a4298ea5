//! Fitting the semantic calibration to graded answers (`cuecard eval --grader semantic --fit`).
//!
//! Two stages, so that few numbers are fitted and each by the thing it controls:
//! 1. the ramp (`zero_at`, `full_at`) and the mix (`semantic_weight`) by grid search, for the
//!    best Pearson correlation between the mixed coverage and the human grades (correlation does
//!    not depend on the score curve, so the curve can be fitted after);
//! 2. the score curve (`floor`, `slope`, `min_coverage`) for the least squared error (not the
//!    keyword fit's absolute error: against pass/fail grades that turns the curve into a step,
//!    which ranks answers worse), and the pass threshold for the best accuracy.
//!
//! Seven numbers from thousands of answers: over-fitting is small, and `eval` measures it on
//! other data (fit on one file, evaluate on another).

use super::{PointSignal, SemanticAssessment, SemanticCalibration};
use crate::KeywordGrader;
use crate::eval::{best_threshold, pearson};

/// What the fit needs of one graded answer.
struct Item<'a> {
    keyword_coverage: f64,
    keyword_list: bool,
    signals: &'a [PointSignal],
    gold: f64,
}

/// Fits `base`'s ramp, mix, score curve and pass threshold to `assessments` graded `gold`
/// (0..1), keeping its other fields. Answers graded without the model are left out.
#[must_use]
pub fn fit(
    base: &SemanticCalibration,
    keyword: &KeywordGrader,
    assessments: &[SemanticAssessment],
    gold: &[f64],
    fitted_on: &str,
) -> SemanticCalibration {
    let items: Vec<Item<'_>> = assessments
        .iter()
        .zip(gold)
        .filter(|(a, _)| a.unavailable.is_none())
        .map(|(a, &g)| Item {
            keyword_coverage: a.keyword.coverage,
            keyword_list: a.keyword.keyword_list,
            signals: &a.signals,
            gold: g,
        })
        .collect();
    let gold: Vec<f64> = items.iter().map(|i| i.gold).collect();
    let steps = |from: f64, to: f64, step: f64| {
        let n = ((to - from) / step).round().max(0.0) as usize;
        (0..=n).map(move |i| from + step * i as f64)
    };

    let mut best = (f64::NEG_INFINITY, base.clone());
    let mut mixed = vec![0.0; items.len()];
    for zero_at in steps(0.0, 0.7, 0.05) {
        for full_at in steps(zero_at + 0.1, 1.0, 0.05) {
            for semantic_weight in steps(0.0, 1.0, 0.1) {
                let candidate = SemanticCalibration {
                    zero_at,
                    full_at,
                    semantic_weight,
                    ..base.clone()
                };
                for (m, item) in mixed.iter_mut().zip(&items) {
                    *m = candidate.mix(item.keyword_coverage, semantic_coverage(&candidate, item.signals));
                }
                let r = pearson(&mixed, &gold).unwrap_or(f64::NEG_INFINITY);
                if r > best.0 + 1e-9 {
                    best = (r, candidate);
                }
            }
        }
    }
    let mut fitted = best.1;
    for (m, item) in mixed.iter_mut().zip(&items) {
        *m = fitted.mix(item.keyword_coverage, semantic_coverage(&fitted, item.signals));
    }

    let salad = |score: f64, list: bool| {
        if list {
            keyword.calibration().salad_score(score)
        } else {
            score
        }
    };
    let mut best_curve = (f64::INFINITY, fitted.clone());
    for floor in steps(-0.6, 0.6, 0.02) {
        for slope in steps(0.2, 3.0, 0.05) {
            for min_coverage in steps(0.0, 0.4, 0.05) {
                let candidate = SemanticCalibration {
                    floor,
                    slope,
                    min_coverage,
                    ..fitted.clone()
                };
                let error: f64 = mixed
                    .iter()
                    .zip(&items)
                    .map(|(&m, item)| (salad(candidate.score(m), item.keyword_list) - item.gold).powi(2))
                    .sum();
                if error < best_curve.0 {
                    best_curve = (error, candidate);
                }
            }
        }
    }
    fitted = best_curve.1;
    let scores: Vec<f64> = mixed
        .iter()
        .zip(&items)
        .map(|(&m, item)| salad(fitted.score(m), item.keyword_list))
        .collect();
    let gold_pass: Vec<bool> = gold.iter().map(|&g| g >= 0.5).collect();
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    fitted.pass_threshold = round(best_threshold(&scores, &gold_pass).0);
    for x in [
        &mut fitted.zero_at,
        &mut fitted.full_at,
        &mut fitted.semantic_weight,
        &mut fitted.floor,
        &mut fitted.slope,
        &mut fitted.min_coverage,
    ] {
        *x = round(*x);
    }
    fitted_on.clone_into(&mut fitted.fitted_on);
    fitted
}

/// The mean point credit of one answer, as the grader computes it.
fn semantic_coverage(calibration: &SemanticCalibration, signals: &[PointSignal]) -> f64 {
    super::semantic_coverage(calibration, signals)
}

#[cfg(test)]
mod tests {
    use cuecard_core::{Grade, GraderKind, Verdict};

    use super::*;
    use crate::Assessment;

    fn assessment(cosine: f64, keyword: Verdict, coverage: f64) -> SemanticAssessment {
        let grade = Grade {
            score: 0.0,
            points: Vec::new(),
            grader: GraderKind::Keyword,
            remarks: Vec::new(),
        };
        SemanticAssessment {
            grade: grade.clone(),
            keyword: Assessment {
                grade,
                coverage,
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
        // Human grades follow the cosine (right from 0.6 up); keyword coverage is noise that
        // has nothing to do with them (with no keyword signal at all, every semantic weight
        // would correlate alike and the fit could keep any of them).
        let cosines: Vec<f64> = (0..40).map(|i| 0.2 + 0.02 * f64::from(i)).collect();
        let items: Vec<SemanticAssessment> = cosines
            .iter()
            .enumerate()
            .map(|(i, &c)| assessment(c, Verdict::Missing, if i % 2 == 0 { 0.8 } else { 0.0 }))
            .collect();
        let gold: Vec<f64> = cosines
            .iter()
            .map(|&c| if c >= 0.6 { 1.0 } else { 0.0 })
            .collect();
        let fitted = fit(
            &SemanticCalibration::default(),
            &KeywordGrader::new(),
            &items,
            &gold,
            "test",
        );
        assert!(fitted.semantic_weight > 0.5, "{fitted:?}");
        let scores: Vec<f64> = items
            .iter()
            .map(|a| a.rescore(&fitted, &KeywordGrader::new()))
            .collect();
        let right = scores
            .iter()
            .zip(&gold)
            .filter(|(s, g)| (**s >= fitted.pass_threshold) == (**g >= 0.5))
            .count();
        assert!(right >= 38, "{right} of 40 right with {fitted:?}");
        assert_eq!(fitted.fitted_on, "test");
    }
}
