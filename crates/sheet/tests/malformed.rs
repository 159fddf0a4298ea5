//! Sheets that are broken in every way we could think of: each gets a located, actionable
//! message, and none panics.

use cuecard_sheet::{ProblemKind, parse, parse_bytes};
use proptest::prelude::*;

const HEAD: &str = "## Linux\n\n| Question | Key Points |\n|---|---|\n";

/// (what, sheet, kind, line, words the message must contain)
fn cases() -> Vec<(&'static str, String, ProblemKind, usize, &'static str)> {
    use ProblemKind as K;
    vec![
        ("empty file", String::new(), K::NoCards, 1, "no questions found"),
        (
            "only prose",
            "# Notes\n\nJust some text.\n".into(),
            K::NoCards,
            1,
            "| Question | Key Points |",
        ),
        (
            "missing key points cell",
            format!("{HEAD}| Disk full? |\n"),
            K::MissingCell,
            5,
            "no Key Points cell",
        ),
        (
            "missing cell without trailing pipe",
            format!("{HEAD}| Disk full? | `df -h` |\n| Slow?\n"),
            K::MissingCell,
            6,
            "no Key Points cell",
        ),
        (
            "empty key points cell",
            format!("{HEAD}| Disk full? |   |\n"),
            K::EmptyKeyPoints,
            5,
            "are empty",
        ),
        (
            "empty question cell",
            format!("{HEAD}|  | `df -h` |\n"),
            K::EmptyQuestion,
            5,
            "question is empty",
        ),
        (
            "question of bold markers only",
            format!("{HEAD}| **** | `df -h` |\n"),
            K::EmptyQuestion,
            5,
            "question is empty",
        ),
        (
            "key points of punctuation only",
            format!("{HEAD}| Disk full? | - , ; |\n"),
            K::NoKeyPoints,
            5,
            "no key points could be read",
        ),
        (
            "duplicate question",
            format!("{HEAD}| Disk full? | `df -h` |\n| Slow? | top |\n| disk  FULL? | du |\n"),
            K::DuplicateQuestion,
            7,
            "already asked at line 5",
        ),
        (
            "duplicate across table and Q/A block",
            format!("{HEAD}| Disk full? | `df -h` |\n\n```\nQ: Disk full?\nA: du\n```\n"),
            K::DuplicateQuestion,
            8,
            "already asked at line 5",
        ),
        (
            "Q without A",
            "## T\n\n```\nQ: What is a pod?\n\nQ: Next?\nA: yes\n```\n".into(),
            K::QuestionWithoutAnswer,
            4,
            "no `A:` line",
        ),
        (
            "Q without A at end of block",
            "## T\n\n```\nQ: What is a pod?\n```\n".into(),
            K::QuestionWithoutAnswer,
            4,
            "no `A:` line",
        ),
        (
            "A without Q",
            "## T\n\n```\nQ: One?\nA: yes\n\nA: orphan\n```\n".into(),
            K::AnswerWithoutQuestion,
            7,
            "no `Q:` line",
        ),
        (
            "second A for one Q",
            "## T\n\n```\nQ: One?\nA: yes\nA: again\n```\n".into(),
            K::AnswerWithoutQuestion,
            6,
            "no `Q:` line",
        ),
        (
            "empty Q",
            "## T\n\n```\nQ:\nA: yes\n```\n".into(),
            K::EmptyQuestion,
            4,
            "question is empty",
        ),
        (
            "empty A",
            "## T\n\n```\nQ: One?\nA:\n```\n".into(),
            K::EmptyKeyPoints,
            4,
            "are empty",
        ),
        (
            "question too long",
            format!("{HEAD}| {}? | yes |\n", "why ".repeat(80)),
            K::QuestionTooLong,
            5,
            "under 256",
        ),
        (
            "key points too long",
            format!("{HEAD}| Why? | {} |\n", "because, ".repeat(150)),
            K::KeyPointsTooLong,
            5,
            "under 1024",
        ),
        (
            "empty section heading",
            "##\n\n| Question | Key Points |\n|---|---|\n| Why? | yes |\n".into(),
            K::EmptyHeading,
            1,
            "has no name",
        ),
        (
            "NUL byte",
            format!("{HEAD}| Disk\0 full? | `df -h` |\n"),
            K::ControlCharacter,
            5,
            "U+0000",
        ),
        (
            "escape character",
            format!("## Linux\n\u{1b}[31mred\n{HEAD}"),
            K::ControlCharacter,
            2,
            "U+001B",
        ),
    ]
}

#[test]
fn each_broken_sheet_gets_its_message_at_its_line() {
    let cases = cases();
    assert!(cases.len() >= 20);
    for (what, sheet, kind, line, words) in cases {
        let errors = parse(&sheet).expect_err(what);
        let problem = errors
            .problems
            .iter()
            .find(|p| p.kind == kind)
            .unwrap_or_else(|| panic!("{what}: expected {kind:?}, got {:?}", errors.problems));
        assert_eq!(problem.line, line, "{what}: {problem:?}");
        assert!(
            problem.message.contains(words),
            "{what}: {:?} lacks {words:?}",
            problem.message
        );
        let shown = errors.to_string();
        assert!(
            shown.contains(&format!("<sheet>:{line}: error: ")),
            "{what}: {shown}"
        );
    }
}

#[test]
fn bytes_that_are_not_utf8_are_located() {
    let mut bytes = b"## Linux\n\nfine line\n".to_vec();
    bytes.extend_from_slice(b"caf\xe9 in Latin-1\n");
    let errors = parse_bytes(&bytes, "old.md").unwrap_err();
    assert_eq!(errors.problems[0].kind, ProblemKind::NotUtf8);
    assert_eq!(errors.problems[0].line, 4);
    assert!(
        errors
            .to_string()
            .starts_with("old.md cannot be used: 1 problem to fix\nold.md:4: error: byte 0xE9")
    );

    let utf16 = [0xff, 0xfe, b'#', 0];
    let errors = parse_bytes(&utf16, "wide.md").unwrap_err();
    assert!(errors.problems[0].message.contains("UTF-16"));
}

#[test]
fn a_byte_order_mark_is_not_a_problem() {
    let sheet = parse_bytes(format!("\u{feff}{HEAD}| Why? | yes |\n").as_bytes(), "bom.md").unwrap();
    assert_eq!(sheet.cards.len(), 1);
}

#[test]
fn all_problems_are_reported_at_once_in_line_order() {
    let sheet = format!("{HEAD}| Disk full? |\n|  | x |\n| Fine? | yes |\n| Fine? | again |\n");
    let errors = parse(&sheet).unwrap_err();
    let lines: Vec<_> = errors.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [5, 6, 8]);
    assert!(errors.to_string().contains("3 problems to fix"));
}

#[test]
fn warnings_do_not_stop_a_sheet() {
    let sheet = parse(&format!(
        "## T\n\n| Question | Notes |\n|---|---|\n| a | b |\n\n| Question | Answer |\n|---|---|\n\n{HEAD}| Port? | `ss | grep :80` |\n"
    ))
    .unwrap();
    let kinds: Vec<_> = sheet.warnings.iter().map(|w| (w.kind.clone(), w.line)).collect();
    assert_eq!(
        kinds,
        [
            (ProblemKind::UnrecognisedQuestionTable, 3),
            (ProblemKind::EmptyTable, 7),
            (ProblemKind::ExtraCells, 14)
        ]
    );
    assert_eq!(sheet.cards.len(), 1);
    assert_eq!(sheet.cards[0].answer, "`ss | grep :80`");
}

#[test]
fn cards_before_any_section_go_to_general() {
    let sheet = parse("| Question | Answer |\n|---|---|\n| Why? | Because |\n").unwrap();
    assert_eq!(sheet.cards[0].topic.name(), "General");
}

#[test]
fn an_escaped_pipe_is_a_pipe() {
    let sheet = parse(&format!("{HEAD}| Port? | `ss \\| grep :80` |\n")).unwrap();
    assert!(sheet.warnings.is_empty());
    assert_eq!(sheet.cards[0].answer, "`ss | grep :80`");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics_on_any_text(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn parse_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_bytes(&bytes, "fuzz.md");
    }

    /// Markdown-shaped noise reaches deeper into the parser than random text does.
    #[test]
    fn parse_never_panics_on_sheet_shaped_text(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("## "), Just("### "), Just("| Question | Key Points |\n"), Just("|---|---|\n"),
                Just("| "), Just(" |"), Just("\n"), Just("```\n"), Just("Q: "), Just("A: "), Just("**"),
                Just("`"), Just("1) "), Just("2) "), Just(", "), Just(". "), Just(": "), Just("("), Just(")"),
                Just("â†’"), Just("âŒ"), Just("ð"), Just("> "), Just("- "), Just("\\|"), Just("word"),
            ],
            0..60,
        )
    ) {
        let text: String = parts.concat();
        if let Ok(sheet) = parse(&text) {
            prop_assert!(!sheet.cards.is_empty());
            for card in &sheet.cards {
                prop_assert!(!card.question.trim().is_empty());
                prop_assert!(!card.key_points.is_empty());
            }
        }
    }
}
