//! Malformed sheets of every shape (tests/data/hostile_sheets.rs) through `parse_bytes`: no
//! panic, and every refusal located at a line the file has, in the `file:line:` form.

use cuecard_sheet::{Located, MAX_SHEET_BYTES, ProblemKind, parse_bytes};

mod corpus {
    include!("../../../tests/data/hostile_sheets.rs");
}

/// Lines as any reader counts them: pulldown-cmark also ends a line at a lone CR.
fn line_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() + 1
}

#[test]
fn there_are_at_least_thirty_malformed_sheets() {
    assert!(corpus::sheets().len() >= 30, "{}", corpus::sheets().len());
}

#[test]
fn every_malformed_sheet_is_refused_or_loaded_without_panic_and_located() {
    let mut refused = 0;
    for (name, bytes) in corpus::sheets() {
        match parse_bytes(&bytes, &name) {
            Ok(sheet) => {
                for card in &sheet.cards {
                    assert!(!card.question.trim().is_empty(), "{name}: empty question loaded");
                    assert!(
                        !card.key_points.is_empty(),
                        "{name}: card without key points loaded"
                    );
                }
                for warning in &sheet.warnings {
                    assert!(
                        (1..=line_count(&bytes)).contains(&warning.line),
                        "{name}: {warning:?}"
                    );
                }
            }
            Err(errors) => {
                refused += 1;
                assert_eq!(errors.file, name);
                assert!(
                    errors.problems.iter().any(|p| !p.kind.is_warning()),
                    "{name}: refused for warnings only"
                );
                for problem in &errors.problems {
                    assert!(
                        (1..=line_count(&bytes)).contains(&problem.line),
                        "{name}: line {} of {}: {}",
                        problem.line,
                        line_count(&bytes),
                        problem.message
                    );
                    let located = Located { file: &name, problem }.to_string();
                    assert!(
                        located.starts_with(&format!("{name}:{}: ", problem.line)),
                        "{located}"
                    );
                    assert!(
                        problem.message.len() > 10,
                        "{name}: a message that says nothing: {located}"
                    );
                }
            }
        }
    }
    // Most of the corpus is unusable; a parser that accepted it all would be broken differently.
    assert!(refused >= 25, "only {refused} sheets refused");
}

#[test]
fn specific_malformations_get_their_own_kind_and_line() {
    let sheets = corpus::sheets();
    let problem = |name: &str| {
        let (_, bytes) = sheets.iter().find(|(n, _)| n == name).expect(name);
        parse_bytes(bytes, name).expect_err(name).problems[0].clone()
    };
    assert_eq!(problem("utf16-le.md").kind, ProblemKind::NotUtf8);
    let bad = problem("invalid-utf8-line-5.md");
    assert_eq!((bad.kind, bad.line), (ProblemKind::NotUtf8, 5));
    assert_eq!(problem("nul-in-cell.md").kind, ProblemKind::ControlCharacter);
    assert_eq!(problem("nul-in-cell.md").line, 5);
    assert_eq!(problem("question-too-long.md").kind, ProblemKind::QuestionTooLong);
    assert_eq!(
        problem("key-points-too-long.md").kind,
        ProblemKind::KeyPointsTooLong
    );
}

#[test]
fn a_sheet_past_the_size_limit_is_refused_before_parsing() {
    let bytes = vec![b'a'; MAX_SHEET_BYTES + 1];
    let errors = parse_bytes(&bytes, "huge.md").unwrap_err();
    assert_eq!(errors.problems[0].kind, ProblemKind::TooLarge);
    assert_eq!(errors.problems[0].line, 1);
}
