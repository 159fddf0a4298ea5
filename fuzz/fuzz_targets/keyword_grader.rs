//! The keyword grader on arbitrary answers and arbitrary key points.
//!
//! Input format (plain UTF-8, so seeds stay readable): without a U+001E RECORD SEPARATOR the
//! whole input is an answer, graded against a few cards of the bundled sheet; with one, the text
//! before it is key points (one per line, `subject<U+001F>body` for a point with a subject, and
//! the same text also through the splitter) and the text after it is the answer.

#![no_main]

use std::sync::OnceLock;

use cuecard_core::{Card, KeyPoint};
use cuecard_grade::KeywordGrader;
use libfuzzer_sys::fuzz_target;

const RECORD: char = '\u{1e}';
const UNIT: char = '\u{1f}';

fn cards() -> &'static [Card] {
    static CARDS: OnceLock<Vec<Card>> = OnceLock::new();
    CARDS.get_or_init(|| cuecard_sheet::bundled().cards)
}

fn check(grader: &KeywordGrader, question: &str, points: &[KeyPoint], answer: &str) {
    let grade = grader.grade(question, points, answer, None);
    assert!(
        (0.0..=1.0).contains(&grade.score),
        "score {} out of 0..=1 for {answer:?}",
        grade.score
    );
    assert_eq!(grade.points.len(), points.len(), "one verdict per key point");
}

fuzz_target!(|text: &str| {
    // A fresh grader per input would hide bugs in its card cache; one per process finds them.
    thread_local!(static GRADER: KeywordGrader = KeywordGrader::new());
    GRADER.with(|grader| match text.split_once(RECORD) {
        None => {
            let cards = cards();
            // The first card, and one picked by the input, so the fuzzer can reach every card.
            for card in [&cards[0], &cards[text.len() % cards.len()]] {
                let grade = grader.grade_card(card, text);
                assert!((0.0..=1.0).contains(&grade.score), "score {} for {text:?}", grade.score);
            }
        }
        Some((points, answer)) => {
            let listed: Vec<KeyPoint> = points
                .lines()
                .map(|line| match line.split_once(UNIT) {
                    Some((subject, body)) => KeyPoint::about(subject, body),
                    None => KeyPoint::new(line),
                })
                .collect();
            check(grader, "What is it?", &listed, answer);
            check(grader, points, &cuecard_sheet::split_key_points(points), answer);
        }
    });
});
