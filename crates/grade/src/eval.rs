//! Measuring a grader against graded answers: correlation, error, pass/fail accuracy at the best
//! threshold, per-group averages, and fitting the score curve. Pure functions over numbers, so the
//! CLI (`cuecard eval`) only reads files and prints.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::calibration::Calibration;

/// One graded answer: what the grader said and what the human said, both on 0..1, plus the
/// data's own scale and the group (question id) it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// The grader's score, 0..1.
    pub predicted: f64,
    /// The human grade divided by `max_score`, 0..1.
    pub gold: f64,
    /// The data's scale (1 for `SemEval`, 5 for Mohler et al.).
    pub max_score: f64,
    /// Which question the answer belongs to (for per-question averages).
    pub group: String,
}

/// The averages of one question (or other group).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupAverage {
    /// The group's name (question id or text).
    pub group: String,
    /// How many answers.
    pub count: usize,
    /// Mean grader score, 0..1.
    pub predicted: f64,
    /// Mean human grade, 0..1.
    pub gold: f64,
}

/// Everything `cuecard eval` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Number of answers.
    pub count: usize,
    /// Pearson correlation of grader and human scores (`None` when either is constant).
    pub pearson: Option<f64>,
    /// Spearman rank correlation (ties get their average rank).
    pub spearman: Option<f64>,
    /// Root mean square error on the data's own scale.
    pub rmse: f64,
    /// Mean absolute error on 0..1.
    pub mae: f64,
    /// The pass threshold on the grader's score that gives the best accuracy.
    pub best_threshold: f64,
    /// Accuracy of pass/fail at that threshold (human pass: gold at least 0.5).
    pub accuracy: f64,
    /// Macro-F1 (mean of the pass and fail F1) at that threshold.
    pub macro_f1: f64,
    /// Per-group averages, sorted by group name.
    pub groups: Vec<GroupAverage>,
}

/// Pearson correlation; `None` for fewer than two items or a constant side.
#[must_use]
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mx = x[..n].iter().sum::<f64>() / n as f64;
    let my = y[..n].iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x[..n].iter().zip(&y[..n]) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    let denominator = (sxx * syy).sqrt();
    (denominator > 0.0 && denominator.is_finite()).then(|| sxy / denominator)
}

/// Ranks from 1, ties sharing their average rank.
#[must_use]
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]].total_cmp(&values[order[i]]).is_eq() {
            j += 1;
        }
        let average = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = average;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman rank correlation: Pearson on the ranks.
#[must_use]
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

/// Accuracy and macro-F1 of "predicted at least `threshold`" against `gold_pass`.
#[must_use]
pub fn accuracy_and_macro_f1(predicted: &[f64], gold_pass: &[bool], threshold: f64) -> (f64, f64) {
    let (mut tp, mut tn, mut fp, mut fn_) = (0usize, 0usize, 0usize, 0usize);
    for (&p, &g) in predicted.iter().zip(gold_pass) {
        match (p >= threshold, g) {
            (true, true) => tp += 1,
            (false, false) => tn += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
        }
    }
    let n = tp + tn + fp + fn_;
    if n == 0 {
        return (0.0, 0.0);
    }
    let f1 = |tp: usize, fp: usize, fn_: usize| {
        let denominator = 2 * tp + fp + fn_;
        if denominator == 0 {
            0.0
        } else {
            2.0 * tp as f64 / denominator as f64
        }
    };
    let macro_f1 = f64::midpoint(f1(tp, fp, fn_), f1(tn, fn_, fp));
    ((tp + tn) as f64 / n as f64, macro_f1)
}

/// The threshold with the best accuracy (ties: the lower threshold), with its accuracy and
/// macro-F1. Candidates are the midpoints between distinct predicted scores.
#[must_use]
pub fn best_threshold(predicted: &[f64], gold_pass: &[bool]) -> (f64, f64, f64) {
    let mut distinct: Vec<f64> = predicted.iter().copied().filter(|p| p.is_finite()).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let mut candidates = vec![0.0];
    candidates.extend(distinct.windows(2).map(|w| f64::midpoint(w[0], w[1])));
    candidates.push(distinct.last().map_or(1.0, |m| m + 1e-9));
    let mut best = (0.5, -1.0, 0.0);
    for t in candidates {
        let (accuracy, f1) = accuracy_and_macro_f1(predicted, gold_pass, t);
        if accuracy > best.1 + 1e-12 {
            best = (t, accuracy, f1);
        }
    }
    best
}

/// The full report for a set of graded answers.
#[must_use]
pub fn report(items: &[Scored]) -> Report {
    let predicted: Vec<f64> = items.iter().map(|s| s.predicted).collect();
    let gold: Vec<f64> = items.iter().map(|s| s.gold).collect();
    let gold_pass: Vec<bool> = gold.iter().map(|&g| g >= 0.5).collect();
    let (best_threshold, accuracy, macro_f1) = best_threshold(&predicted, &gold_pass);
    let n = items.len().max(1) as f64;
    let rmse = (items
        .iter()
        .map(|s| ((s.predicted - s.gold) * s.max_score).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let mae = items.iter().map(|s| (s.predicted - s.gold).abs()).sum::<f64>() / n;
    let mut groups: BTreeMap<&str, (usize, f64, f64)> = BTreeMap::new();
    for s in items {
        let g = groups.entry(&s.group).or_default();
        g.0 += 1;
        g.1 += s.predicted;
        g.2 += s.gold;
    }
    Report {
        count: items.len(),
        pearson: pearson(&predicted, &gold),
        spearman: spearman(&predicted, &gold),
        rmse,
        mae,
        best_threshold,
        accuracy,
        macro_f1,
        groups: groups
            .into_iter()
            .map(|(group, (count, p, g))| GroupAverage {
                group: group.to_owned(),
                count,
                predicted: p / count as f64,
                gold: g / count as f64,
            })
            .collect(),
    }
}

/// Fits the score curve (floor, slope, and the zero cut) to graded answers: least absolute error
/// between calibrated scores and human grades (robust to the few answers whose words are right
/// but whose claims are wrong), by grid search (the curve is clamped, so a closed
/// form does not apply). `coverage[i]` is the grader's raw coverage of item `i`,
/// `keyword_list[i]` whether it read as a keyword list. The pass threshold becomes the
/// best-accuracy threshold of the fitted scores. Other fields are kept from `base`.
#[must_use]
pub fn fit_calibration(
    base: &Calibration,
    coverage: &[f64],
    keyword_list: &[bool],
    gold: &[f64],
    fitted_on: &str,
) -> Calibration {
    let mut best = (f64::INFINITY, base.clone());
    let steps = |from: f64, to: f64, step: f64| {
        let n = ((to - from) / step).round() as usize;
        (0..=n).map(move |i| from + step * i as f64)
    };
    for floor in steps(-0.4, 0.6, 0.02) {
        for slope in steps(0.4, 3.0, 0.05) {
            for min_coverage in steps(0.0, 0.3, 0.05) {
                let candidate = Calibration {
                    floor,
                    slope,
                    min_coverage,
                    ..base.clone()
                };
                let error: f64 = coverage
                    .iter()
                    .zip(keyword_list)
                    .zip(gold)
                    .map(|((&c, &salad), &g)| {
                        let mut s = candidate.score_from_coverage(c);
                        if salad {
                            s = candidate.salad_score(s);
                        }
                        (s - g).abs()
                    })
                    .sum();
                if error < best.0 {
                    best = (error, candidate);
                }
            }
        }
    }
    let mut fitted = best.1;
    let scores: Vec<f64> = coverage
        .iter()
        .zip(keyword_list)
        .map(|(&c, &salad)| {
            let s = fitted.score_from_coverage(c);
            if salad { fitted.salad_score(s) } else { s }
        })
        .collect();
    let gold_pass: Vec<bool> = gold.iter().map(|&g| g >= 0.5).collect();
    fitted.pass_threshold = (best_threshold(&scores, &gold_pass).0 * 1000.0).round() / 1000.0;
    fitted.floor = (fitted.floor * 1000.0).round() / 1000.0;
    fitted.slope = (fitted.slope * 1000.0).round() / 1000.0;
    fitted.min_coverage = (fitted.min_coverage * 1000.0).round() / 1000.0;
    fitted_on.clone_into(&mut fitted.fitted_on);
    fitted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn pearson_of_known_series() {
        assert!(close(pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).unwrap(), 1.0));
        assert!(close(pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap(), -1.0));
        // x = 1..4, y = 1,3,2,4: r = 0.8
        assert!(close(
            pearson(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]).unwrap(),
            0.8
        ));
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
        assert_eq!(pearson(&[1.0], &[1.0]), None);
    }

    #[test]
    fn ties_share_average_ranks() {
        assert_eq!(ranks(&[10.0, 20.0, 20.0, 5.0]), [2.0, 3.5, 3.5, 1.0]);
        // Monotone but not linear: Spearman 1, Pearson below 1.
        let (x, y) = ([1.0, 2.0, 3.0, 4.0], [1.0, 10.0, 100.0, 1000.0]);
        assert!(close(spearman(&x, &y).unwrap(), 1.0));
        assert!(pearson(&x, &y).unwrap() < 0.99);
    }

    #[test]
    fn accuracy_and_f1_at_a_threshold() {
        let predicted = [0.9, 0.8, 0.3, 0.6];
        let gold = [true, false, false, true];
        let (accuracy, f1) = accuracy_and_macro_f1(&predicted, &gold, 0.5);
        // tp 2, fp 1, tn 1, fn 0: pass F1 = 4/5, fail F1 = 2/3.
        assert!(close(accuracy, 0.75));
        assert!(close(f1, f64::midpoint(0.8, 2.0 / 3.0)));
        let (t, accuracy, _) = best_threshold(&predicted, &gold);
        assert!(close(accuracy, 0.75));
        assert!(t > 0.3 && t <= 0.6, "{t}");
    }

    #[test]
    fn report_uses_the_data_scale_and_groups() {
        let item = |p: f64, g: f64, group: &str| Scored {
            predicted: p,
            gold: g,
            max_score: 5.0,
            group: group.into(),
        };
        let r = report(&[item(1.0, 0.8, "q1"), item(0.2, 0.0, "q1"), item(0.5, 0.5, "q2")]);
        assert_eq!(r.count, 3);
        // Errors 0.2, 0.2, 0 on 0..1 are 1, 1, 0 on the 0..5 scale.
        assert!(close(r.rmse, (2.0f64 / 3.0).sqrt()));
        assert_eq!(r.groups.len(), 2);
        assert!(close(r.groups[0].predicted, 0.6));
        assert!(close(r.accuracy, 1.0));
    }

    #[test]
    fn fitting_recovers_a_linear_curve() {
        let coverage: Vec<f64> = (1..=20).map(|i| f64::from(i) / 20.0).collect();
        let gold: Vec<f64> = coverage.iter().map(|c| (0.3 + 0.7 * c).min(1.0)).collect();
        let salad = vec![false; coverage.len()];
        let fitted = fit_calibration(&Calibration::default(), &coverage, &salad, &gold, "test");
        assert!((fitted.floor - 0.3).abs() < 0.021, "{fitted:?}");
        assert!((fitted.slope - 0.7).abs() < 0.051, "{fitted:?}");
        assert_eq!(fitted.fitted_on, "test");
    }
}
