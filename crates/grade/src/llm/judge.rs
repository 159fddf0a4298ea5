//! Turning the model's verdicts into a grade the model cannot inflate: each verdict is checked
//! against the answer and against the keyword grader, and the score is computed here.

use cuecard_core::{Grade, GraderKind, KeyPoint, PointGrade, Verdict};
use unicode_normalization::UnicodeNormalization;

use super::reply::ModelVerdict;
use crate::{Assessment, Calibration};

/// What the keyword grader saw of the same answer.
pub(crate) struct KeywordView<'a> {
    /// The real keyword grade (the fallback, and the ceiling of an injected answer).
    pub assessment: &'a Assessment,
    /// Per point: whether the keyword grader found any of its words at all (not contradicted).
    pub found_anything: &'a [bool],
}

/// Builds the grade from validated verdicts. `graded_text` is the text the model saw (the answer
/// capped, with text addressed to the grader blanked out); evidence must occur in it.
pub(crate) fn judge(
    key_points: &[KeyPoint],
    verdicts: &[ModelVerdict],
    graded_text: &str,
    keyword: &KeywordView<'_>,
    calibration: &Calibration,
    injected: bool,
    mut remarks: Vec<String>,
) -> Grade {
    let text = Normalised::of(graded_text);
    let mut unquoted = Vec::new();
    let mut disputed = Vec::new();
    let mut points = Vec::with_capacity(key_points.len());
    for (i, point) in key_points.iter().enumerate() {
        let said = verdicts.get(i).map_or(Verdict::Missing, |v| v.verdict);
        let mut verdict = said;
        let mut evidence = Vec::new();
        let mut fell_back = false;
        if said != Verdict::Missing {
            let quote = verdicts.get(i).and_then(|v| text.find(&v.evidence, graded_text));
            if let Some(quote) = quote {
                evidence.push(quote.to_owned());
            } else {
                // Defence 1: a verdict without words of the answer behind it is not a verdict.
                // The keyword grader's verdict on that point stands instead, so a model that
                // cannot quote (small local models often paraphrase) never grades below the
                // keyword grader.
                let fallback = keyword.assessment.grade.points.get(i);
                verdict = fallback.map_or(Verdict::Missing, |p| p.verdict);
                evidence = fallback.map(|p| p.evidence.clone()).unwrap_or_default();
                fell_back = true;
                unquoted.push(point.to_string());
            }
            if verdict != Verdict::Missing
                && !fell_back
                && !keyword.found_anything.get(i).copied().unwrap_or(false)
            {
                // Defence 3: the model may see a paraphrase the keyword grader half-sees; it may
                // not conjure a point the keyword grader finds no trace of. Disputed points do
                // not count.
                verdict = Verdict::Missing;
                evidence.clear();
                disputed.push(point.to_string());
            }
        }
        points.push(PointGrade {
            point: point.clone(),
            verdict,
            evidence,
        });
    }
    if !unquoted.is_empty() {
        remarks.push(format!(
            "The LLM grader credited {} without quoting your answer, so the keyword grader's verdict on {} stands.",
            list(&unquoted),
            if unquoted.len() == 1 { "it" } else { "them" }
        ));
    }
    if !disputed.is_empty() {
        remarks.push(format!(
            "Disputed: the LLM grader credited {}, but none of {} words appear in your answer, so {} not counted.",
            list(&disputed),
            if disputed.len() == 1 { "its" } else { "their" },
            if disputed.len() == 1 { "it was" } else { "they were" }
        ));
    }

    let verdict_list: Vec<Verdict> = points.iter().map(|p| p.verdict).collect();
    let mut score = calibration.score_from_verdicts(&verdict_list);
    if keyword.assessment.keyword_list {
        // Same rule as the keyword grader: naming the ideas is not explaining them.
        score = calibration.salad_score(score);
        remarks.push(
            "This reads like a list of keywords: say how the ideas fit together, in sentences, to earn full credit."
                .to_owned(),
        );
    }
    if injected {
        // Defence 2 (with the blanking before the request): an answer that talks to the grader
        // never scores above what the keyword grader gives its actual content.
        score = score.min(keyword.assessment.grade.score);
        remarks.push(
            "Parts of the answer spoke to the grader rather than answering; they were ignored, and the score is capped at what the answer's content earns."
                .to_owned(),
        );
    }
    Grade {
        score,
        points,
        grader: GraderKind::Llm,
        remarks,
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    quoted.join(", ")
}

/// A text folded for comparison (NFKC, lower case, every run of non-alphanumerics one space),
/// remembering where each folded character came from, so that a match can be quoted verbatim.
struct Normalised {
    /// Starts and ends with a space, so that " word " finds whole words only.
    folded: String,
    /// For each byte of `folded`: the byte range in the original it came from.
    origin: Vec<(usize, usize)>,
}

impl Normalised {
    fn of(text: &str) -> Self {
        let mut folded = String::from(" ");
        let mut origin = vec![(0, 0)];
        for (at, c) in text.char_indices() {
            let end = at + c.len_utf8();
            for n in c.nfkc().flat_map(char::to_lowercase) {
                if n.is_alphanumeric() {
                    let before = folded.len();
                    folded.push(n);
                    origin.extend(std::iter::repeat_n((at, end), folded.len() - before));
                } else if !folded.ends_with(' ') {
                    folded.push(' ');
                    origin.push((at, end));
                }
            }
        }
        if !folded.ends_with(' ') {
            folded.push(' ');
            origin.push((text.len(), text.len()));
        }
        Self { folded, origin }
    }

    /// Where `quote` occurs (folded, on word boundaries), as the original's own words; `None`
    /// for a quote with no letters or digits, or one that is not there.
    fn find<'t>(&self, quote: &str, original: &'t str) -> Option<&'t str> {
        let needle = Self::of(quote).folded;
        if needle.trim().is_empty() {
            return None;
        }
        let at = self.folded.find(&needle)?;
        // Skip the boundary spaces on both sides.
        let start = self.origin.get(at + 1)?.0;
        let end = self.origin.get(at + needle.len() - 2)?.1;
        original.get(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_found_folded_and_returned_verbatim() {
        let answer = "Security Groups are STATEFUL; NACLs — stateless (per subnet).";
        let text = Normalised::of(answer);
        assert_eq!(
            text.find("security groups are stateful", answer),
            Some("Security Groups are STATEFUL")
        );
        assert_eq!(text.find("NACLs: stateless", answer), Some("NACLs — stateless"));
        assert_eq!(text.find("  per subnet ", answer), Some("per subnet"));
        assert_eq!(text.find("ate", answer), None, "whole words only");
        assert_eq!(text.find("stateful NACLs are", answer), None);
        assert_eq!(text.find("...", answer), None);
        assert_eq!(text.find("", answer), None);
    }

    #[test]
    fn unicode_lookalikes_fold_but_stay_verbatim() {
        let answer = "ｋ８ｓ pods restart";
        let text = Normalised::of(answer);
        assert_eq!(text.find("k8s pods", answer), Some("ｋ８ｓ pods"));
    }
}
