//! Feedback a person wants after answering: what they got (in their own words), what they missed
//! (the key point itself), anything odd about how the answer was read, and the model key points,
//! also on a pass, so every attempt teaches something.

use std::fmt::Write as _;

use cuecard_core::{Grade, GraderKind, Verdict};

/// Plain-text feedback for a grade, a few lines, suitable for a terminal or a Discord embed.
///
/// ```
/// use cuecard_core::KeyPoint;
/// use cuecard_grade::{KeywordGrader, feedback};
///
/// let grade = KeywordGrader::new().grade("Why?", &[KeyPoint::new("state locking")], "it locks state", None);
/// assert!(feedback(&grade).contains("Got: state locking"));
/// ```
#[must_use]
pub fn feedback(grade: &Grade) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Score: {:.0}% ({})",
        grade.score * 100.0,
        grader_name(grade.grader)
    );
    for point in &grade.points {
        let (mark, label) = match point.verdict {
            Verdict::Covered => ("+", "Got"),
            Verdict::Partial => ("~", "Partly"),
            Verdict::Missing => ("-", "Missed"),
        };
        let _ = write!(out, "{mark} {label}: {}", point.point);
        if !point.evidence.is_empty() {
            let quoted: Vec<String> = point.evidence.iter().map(|e| format!("\"{e}\"")).collect();
            let _ = write!(out, " (you said {})", quoted.join(", "));
        }
        out.push('\n');
    }
    for remark in &grade.remarks {
        let _ = writeln!(out, "Note: {remark}");
    }
    if !grade.points.is_empty() {
        out.push_str("Model answer:\n");
        for point in &grade.points {
            let _ = writeln!(out, "  - {}", point.point);
        }
    }
    out
}

/// How a grader is named to users.
#[must_use]
pub fn grader_name(kind: GraderKind) -> &'static str {
    match kind {
        GraderKind::Keyword => "keyword grader",
        GraderKind::Semantic => "semantic grader",
        GraderKind::Llm => "LLM grader",
        GraderKind::KeywordFallback => "keyword grader, because the LLM grader failed",
    }
}

#[cfg(test)]
mod tests {
    use cuecard_core::{KeyPoint, PointGrade};

    use super::*;

    #[test]
    fn feedback_lists_got_missed_remarks_and_the_model_answer() {
        let grade = Grade {
            score: 0.5,
            points: vec![
                PointGrade {
                    point: KeyPoint::about("SG", "stateful"),
                    verdict: Verdict::Covered,
                    evidence: vec!["SGs are stateful".into()],
                },
                PointGrade {
                    point: KeyPoint::about("NACL", "stateless"),
                    verdict: Verdict::Missing,
                    evidence: vec![],
                },
            ],
            grader: GraderKind::KeywordFallback,
            remarks: vec!["The answer is short.".into()],
        };
        let text = feedback(&grade);
        assert_eq!(
            text,
            "Score: 50% (keyword grader, because the LLM grader failed)\n\
             + Got: SG: stateful (you said \"SGs are stateful\")\n\
             - Missed: NACL: stateless\n\
             Note: The answer is short.\n\
             Model answer:\n  - SG: stateful\n  - NACL: stateless\n"
        );
    }
}
