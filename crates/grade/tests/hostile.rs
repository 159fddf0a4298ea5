//! The hostile-answer corpus (tests/data/hostile_answers.jsonl plus generated answers) through
//! the keyword grader: no panic, every score in 0..=1, one verdict per key point, and no prompt
//! injection ever scores more than the same answer without it.

use cuecard_core::{Card, KeyPoint};
use cuecard_grade::KeywordGrader;

mod corpus {
    include!("../../../tests/data/hostile.rs");
}

/// A handful of bundled cards of different shapes: the first, a comparison (points with
/// subjects), the one with the most points, and the last.
fn cards() -> Vec<Card> {
    let all = cuecard_sheet::bundled().cards;
    let with_subjects = all
        .iter()
        .find(|c| c.key_points.iter().any(|p| p.subject.is_some()))
        .expect("the bundled sheet has a comparison card");
    let most = all.iter().max_by_key(|c| c.key_points.len()).expect("cards");
    vec![
        all[0].clone(),
        with_subjects.clone(),
        most.clone(),
        all[all.len() - 1].clone(),
    ]
}

fn answer_of(points: &[KeyPoint]) -> String {
    points
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(". ")
}

#[test]
fn the_corpus_is_as_large_as_promised() {
    let all = corpus::all();
    assert!(all.len() >= 200, "only {} hostile answers", all.len());
    assert!(all.iter().any(|h| h.answer.chars().count() >= 4_000));
    for class in [
        "injection",
        "mention",
        "markdown",
        "sql",
        "control",
        "bidi",
        "zalgo",
        "emoji",
        "script",
    ] {
        assert!(all.iter().any(|h| h.class == class), "no {class} answers");
    }
}

#[test]
fn every_hostile_answer_gets_a_score_in_range_and_a_verdict_per_point() {
    let grader = KeywordGrader::new();
    for card in cards() {
        for hostile in corpus::all() {
            let grade = grader.grade_card(&card, &hostile.answer);
            assert!(
                (0.0..=1.0).contains(&grade.score),
                "{} answer scored {} on {:?}: {:?}",
                hostile.class,
                grade.score,
                card.question,
                hostile.answer.chars().take(80).collect::<String>()
            );
            assert_eq!(grade.points.len(), card.key_points.len());
        }
    }
}

#[test]
fn an_injection_never_scores_more_than_the_answer_without_it() {
    let grader = KeywordGrader::new();
    let mut compared = 0;
    for card in cards() {
        let points = &card.key_points;
        // A full answer, half an answer, and one that says nothing right: an injection must
        // not lift any of them.
        let honest = [
            answer_of(points),
            answer_of(&points[..points.len().div_ceil(2)]),
            "I am not sure, something about servers.".to_owned(),
        ];
        for base in &honest {
            let clean = grader.grade_card(&card, base).score;
            for injection in corpus::injections() {
                for injected in [
                    format!("{base} {injection}"),
                    format!("{injection}\n{base}"),
                    format!("{base}\n\n{injection}\n\n{base}"),
                ] {
                    let score = grader.grade_card(&card, &injected).score;
                    assert!(
                        score <= clean + 1e-9,
                        "injection lifted {clean} to {score} on {:?}:\n{injected}",
                        card.question
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 1_000, "only {compared} comparisons");
}

#[test]
fn arbitrary_key_points_from_the_corpus_do_not_break_grading() {
    // Key points come from uploaded sheets: hostile text can be on that side too.
    let grader = KeywordGrader::new();
    let corpus = corpus::all();
    for pair in corpus.windows(2) {
        let points = [
            KeyPoint::new(pair[0].answer.as_str()),
            KeyPoint::about(pair[1].answer.as_str(), pair[0].answer.as_str()),
        ];
        let grade = grader.grade(&pair[1].answer, &points, &pair[1].answer, None);
        assert!((0.0..=1.0).contains(&grade.score), "{}", grade.score);
    }
}
