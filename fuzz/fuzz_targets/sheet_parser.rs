//! The sheet parser on arbitrary bytes: a sheet is uploaded by anyone with the admin role, so
//! `parse_bytes` must never panic, and every refusal must point at a line that exists.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match cuecard_sheet::parse_bytes(bytes, "fuzz.md") {
        Ok(sheet) => {
            for card in &sheet.cards {
                assert!(!card.question.trim().is_empty(), "a card with an empty question loaded");
                assert!(!card.key_points.is_empty(), "a card with no key points loaded");
            }
        }
        Err(errors) => {
            assert!(!errors.problems.is_empty(), "a refusal without a reason");
            // Line breaks as any reader counts them (pulldown-cmark also ends lines at a lone CR),
            // so this bound holds however the parser numbers lines.
            let breaks = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count();
            for problem in &errors.problems {
                assert!(
                    (1..=breaks + 1).contains(&problem.line),
                    "problem at line {} of a {}-line file: {}",
                    problem.line,
                    breaks + 1,
                    problem.message
                );
                assert!(!problem.message.is_empty());
            }
        }
    }
});
