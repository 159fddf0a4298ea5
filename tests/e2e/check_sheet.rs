//! `cuecard check-sheet`: what a sheet author sees for a good sheet and for broken ones.

use crate::util::{Cuecard, bundled_sheet_path};

#[test]
fn the_bundled_sheet_passes_with_its_one_warning() {
    let cuecard = Cuecard::new();
    let path = bundled_sheet_path();
    let run = cuecard.ok(&["check-sheet", path.to_str().unwrap()]);
    assert!(
        run.stdout
            .contains(": ok, 69 questions in 11 topics, 52 notes, 1 warning"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("devops-interview.md:564: warning: this row has more cells"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_broken_sheet_lists_every_problem_and_fails() {
    let cuecard = Cuecard::new();
    let sheet = cuecard.write(
        "broken.md",
        b"## Linux\n\n| Question | Key Points |\n|---|---|\n| Disk full? |\n|  | top |\n| Slow? | top |\n| slow? | htop |\n\n```\nQ: Orphan?\n```\n",
    );
    let run = cuecard.run(&["check-sheet", sheet.to_str().unwrap()]);
    assert!(!run.success);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", run.stdout);
    assert!(lines[0].ends_with("broken.md:5: error: this row has no Key Points cell; write the key points after the question, like `| Disk full? | point one, point two |`"), "{}", lines[0]);
    assert!(
        lines[1].contains("broken.md:6: error: the question is empty"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("broken.md:8: error: \"slow?\" is already asked at line 7"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("broken.md:11: error: this `Q:` has no `A:` line"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].ends_with("broken.md: cannot be used, 4 problems to fix"),
        "{}",
        lines[4]
    );
}

#[test]
fn a_file_that_is_not_text_is_refused_clearly() {
    let cuecard = Cuecard::new();
    let latin1 = cuecard.write("latin1.md", b"## Caf\xe9\n");
    let run = cuecard.run(&["check-sheet", latin1.to_str().unwrap()]);
    assert!(!run.success);
    assert!(
        run.stdout
            .contains("latin1.md:1: error: byte 0xE9 is not UTF-8 text; save the file as UTF-8"),
        "{}",
        run.stdout
    );
    let missing = cuecard.run(&["check-sheet", "/no/such/file.md"]);
    assert!(!missing.success);
    assert!(
        missing.stderr.contains("cannot read /no/such/file.md"),
        "{}",
        missing.stderr
    );
}
