//! The bundled DevOps sheet: every question on it is a card, nothing is lost or garbled, and card
//! ids survive edits elsewhere in the sheet.

use std::collections::BTreeMap;

use cuecard_sheet::{BUNDLED_TEXT, bundled, parse};

/// Counts questions by reading the raw lines, independently of the parser: rows of tables whose
/// header is Question | Key Points (or Answer), and `Q:` lines.
fn questions_by_raw_lines(text: &str) -> usize {
    let mut count = 0;
    let mut in_question_table = false;
    for line in text.lines() {
        let cells: Vec<String> = line.split('|').map(|c| c.trim().to_lowercase()).collect();
        if cells.len() >= 3 && cells[1] == "question" && matches!(cells[2].as_str(), "key points" | "answer")
        {
            in_question_table = true;
        } else if in_question_table && line.starts_with('|') {
            if !line.starts_with("|-") {
                count += 1;
            }
        } else {
            in_question_table = false;
        }
        if line.starts_with("Q: ") {
            count += 1;
        }
    }
    count
}

#[test]
fn every_question_of_the_sheet_is_a_card() {
    let sheet = bundled();
    assert_eq!(sheet.cards.len(), questions_by_raw_lines(BUNDLED_TEXT));
    assert_eq!(sheet.cards.len(), 69);
    let gotchas = sheet
        .cards
        .iter()
        .filter(|c| c.subtopic.as_deref() == Some("Gotcha Questions"))
        .count();
    assert_eq!(gotchas, 4);
}

#[test]
fn every_section_with_questions_is_a_topic() {
    let sheet = bundled();
    let mut topics: BTreeMap<&str, usize> = BTreeMap::new();
    for card in &sheet.cards {
        *topics.entry(card.topic.name()).or_default() += 1;
    }
    let expected = [
        ("TERRAFORM", 14),
        ("AWS NETWORKING", 10),
        ("AWS COMPUTE", 7),
        ("CI/CD & DEPLOYMENTS", 3),
        ("KUBERNETES", 7),
        ("MULTI-CLUSTER KUBERNETES BOOTSTRAP PIPELINE", 4),
        ("LINUX", 4),
        ("MONITORING & OBSERVABILITY", 5),
        ("RELIABILITY & INCIDENT MANAGEMENT", 4),
        ("SECURITY", 6),
        ("PYTHON FOR DEVOPS", 5),
    ];
    assert_eq!(topics, expected.into_iter().collect::<BTreeMap<_, _>>());
}

#[test]
fn nothing_is_left_garbled() {
    let sheet = bundled();
    // Lead characters of UTF-8 read as Windows-1252; the sheet has no real accented letters.
    let garbled = |text: &str| text.contains(['â', 'ð', 'Ã', 'Â', 'Å', '\u{fffd}']);
    for card in &sheet.cards {
        assert!(!garbled(&card.question) && !garbled(&card.answer), "{card:?}");
        assert!(
            card.key_points.iter().all(|p| !garbled(&p.to_string())),
            "{card:?}"
        );
        assert!(!garbled(card.topic.name()));
    }
    for note in &sheet.notes {
        assert!(!garbled(&note.body) && !garbled(&note.title), "{note:?}");
    }
    let all_notes: String = sheet.notes.iter().map(|n| n.body.as_str()).collect();
    for repaired in [
        "❌ NOT for canary",
        "✅ Production canary",
        "5% → 25%",
        "≤ stable version",
    ] {
        assert!(all_notes.contains(repaired), "{repaired}");
    }
    assert_eq!(
        sheet.title.as_deref(),
        Some("Senior DevOps/Cloud Engineer - Interview Cheat Sheet")
    );
}

#[test]
fn the_rest_of_the_sheet_is_kept_as_notes() {
    let sheet = bundled();
    let find = |needle: &str| sheet.notes.iter().find(|n| n.body.contains(needle));
    let common_issues = find("CrashLoopBackOff").expect("Common Issues table");
    assert_eq!(common_issues.topic.name(), "KUBERNETES");
    assert!(
        find("kubectl rollout undo deployment/myapp").is_some(),
        "command blocks"
    );
    assert!(
        find("Route 53 has DNS caching").is_some(),
        "quoted interview answers"
    );
    assert!(
        find("def main(env: str, dry_run: bool = False)").is_some(),
        "the Python skeleton"
    );
    assert!(
        find("Database bottleneck | Read replicas, caching, sharding").is_some(),
        "other tables"
    );
    let canary = sheet
        .notes
        .iter()
        .find(|n| n.title == "Canary vs Route 53 (Critical)")
        .unwrap();
    assert_eq!(canary.subtopic.as_deref(), Some("2. CANARY DEPLOYMENT"));
}

#[test]
fn a_pipe_inside_inline_code_stays_in_the_answer() {
    let sheet = bundled();
    let card = sheet
        .cards
        .iter()
        .find(|c| c.question == "Process on port 80?")
        .unwrap();
    assert_eq!(card.answer, "`ss -tulnp | grep :80` or `lsof -i :80`");
    assert_eq!(sheet.warnings.len(), 1);
    assert_eq!(sheet.warnings[0].line, card.line);
}

#[test]
fn card_ids_survive_unrelated_edits() {
    let before = bundled();
    let edited = BUNDLED_TEXT
        .replace(
            "| **Cost?** | 2x infrastructure during deployment |",
            "| **Cost?** | 2x infrastructure while both run |",
        )
        .replace(
            "## LINUX\n",
            "## LINUX\n\nA new paragraph that moves every line below it.\n\n",
        )
        .replace(
            "### Gotcha Questions\n```\n",
            "### Gotcha Questions\n```\nQ: A brand new question?\nA: With a new answer\n\n",
        );
    assert_ne!(edited, BUNDLED_TEXT);
    let after = parse(&edited).unwrap();
    assert_eq!(after.cards.len(), before.cards.len() + 1);
    for card in &before.cards {
        let same = after.cards.iter().find(|c| c.question == card.question).unwrap();
        assert_eq!(same.id, card.id, "{}", card.question);
    }
    let cost = after.cards.iter().find(|c| c.question == "Cost?").unwrap();
    assert_eq!(cost.answer, "2x infrastructure while both run");
}

#[test]
fn card_ids_are_unique_and_notes_too() {
    let sheet = bundled();
    let mut ids: Vec<_> = sheet.cards.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), sheet.cards.len());
    let mut note_ids: Vec<_> = sheet.notes.iter().map(|n| n.id.as_str()).collect();
    note_ids.sort_unstable();
    note_ids.dedup();
    assert_eq!(note_ids.len(), sheet.notes.len());
}
