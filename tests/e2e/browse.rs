//! Looking things up in the sheet from the terminal: lookup, topics, ask, show, index.

use crate::util::Cuecard;

fn top_titles(cuecard: &Cuecard, query: &str) -> Vec<String> {
    let hits = cuecard.ok(&["lookup", query, "--limit", "3", "--json"]).json();
    assert_eq!(hits["query"], query);
    hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{} / {}",
                h["subtopic"].as_str().unwrap_or("-"),
                h["title"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn the_lookups_users_make_find_the_right_material_in_the_top_three() {
    let cuecard = Cuecard::new();
    let canary = top_titles(&cuecard, "route 53 canary");
    assert!(canary.iter().any(|t| t.contains("CANARY")), "{canary:?}");
    let pending = top_titles(&cuecard, "kubernets pod pending");
    assert!(pending.iter().any(|t| t.contains("Pending")), "{pending:?}");
    let for_each = top_titles(&cuecard, "for_each");
    assert!(
        for_each.iter().any(|t| t.contains("count and for_each")),
        "{for_each:?}"
    );
}

#[test]
fn lookup_json_has_the_documented_fields() {
    let cuecard = Cuecard::new();
    let out = cuecard
        .ok(&["lookup", "state", "locking", "--json", "--limit", "1"])
        .json();
    let hit = &out["hits"][0];
    for field in [
        "rank",
        "kind",
        "id",
        "topic",
        "topic_slug",
        "subtopic",
        "title",
        "snippet",
        "highlights",
        "score",
        "line",
    ] {
        assert!(hit.get(field).is_some(), "missing {field}: {hit}");
    }
    assert_eq!(hit["kind"], "card");
    assert_eq!(hit["line"], 31);
    let snippet = hit["snippet"].as_str().unwrap();
    let [start, end] = [0, 1].map(|i| usize::try_from(hit["highlights"][0][i].as_u64().unwrap()).unwrap());
    assert!(["state", "locking"].contains(&snippet[start..end].to_lowercase().as_str()));
}

#[test]
fn lookup_in_text_names_where_each_hit_is() {
    let cuecard = Cuecard::new();
    let out = cuecard.ok(&["lookup", "security", "group", "nacl"]).stdout;
    assert!(
        out.starts_with("1. Security Group vs NACL?\n   AWS NETWORKING › Security · card "),
        "{out}"
    );
    let none = cuecard.ok(&["lookup", "xylophone"]).stdout;
    assert!(none.contains("Nothing matches \"xylophone\""), "{none}");
}

#[test]
fn topics_lists_every_section_with_questions() {
    let cuecard = Cuecard::new();
    let topics = cuecard.ok(&["topics", "--json"]).json();
    let topics = topics.as_array().unwrap();
    assert_eq!(topics.len(), 11);
    assert_eq!(
        topics.iter().map(|t| t["cards"].as_u64().unwrap()).sum::<u64>(),
        69
    );
    assert_eq!(topics[0]["name"], "TERRAFORM");
    assert_eq!(topics[0]["slug"], "terraform");
    let with_notes = cuecard.ok(&["topics", "--all", "--json"]).json();
    assert!(
        with_notes.as_array().unwrap().len() > 11,
        "sections with notes only appear with --all"
    );
    let text = cuecard.ok(&["topics"]).stdout;
    assert!(text.contains("69 questions in 11 topics"), "{text}");
}

#[test]
fn ask_draws_from_the_topic_and_show_reveals_the_key_points() {
    let cuecard = Cuecard::new();
    let asked = cuecard.ok(&["ask", "--topic", "linux", "--json"]).json();
    assert_eq!(asked["topic_slug"], "linux");
    assert!(asked.get("answer").is_none(), "ask keeps the answer hidden");
    let id = asked["id"].as_str().unwrap();
    let shown = cuecard.ok(&["show", id, "--json"]).json();
    assert_eq!(shown["question"], asked["question"]);
    assert!(!shown["key_points"].as_array().unwrap().is_empty());
    // Ids are accepted in any case and with stray spaces.
    let upper = format!(" {} ", id.to_uppercase());
    assert_eq!(cuecard.ok(&["show", &upper, "--json"]).json()["id"], id);
}

#[test]
fn ask_with_a_seed_repeats_itself() {
    let cuecard = Cuecard::new();
    let first = cuecard.ok(&["ask", "--seed", "42", "--json"]).json();
    let again = cuecard.ok(&["ask", "--seed", "42", "--json"]).json();
    assert_eq!(first["id"], again["id"]);
}

#[test]
fn show_splits_comparison_points_by_subject() {
    let cuecard = Cuecard::new();
    let hits = cuecard
        .ok(&["lookup", "Security Group vs NACL", "--json", "--limit", "1"])
        .json();
    let id = hits["hits"][0]["id"].as_str().unwrap().to_owned();
    let text = cuecard.ok(&["show", &id]).stdout;
    assert!(text.contains("  1. SG: stateful\n"), "{text}");
    assert!(text.contains("  4. NACL: stateless\n"), "{text}");
}

#[test]
fn bad_requests_get_a_message_that_says_what_to_do() {
    let cuecard = Cuecard::new();
    let unknown = cuecard.run(&["show", "000000000000"]);
    assert!(!unknown.success);
    assert!(
        unknown
            .stderr
            .contains("no card or note has the id \"000000000000\""),
        "{}",
        unknown.stderr
    );
    assert!(unknown.stderr.contains("cuecard lookup"), "{}", unknown.stderr);

    let topic = cuecard.run(&["ask", "--topic", "cooking"]);
    assert!(!topic.success);
    assert!(
        topic
            .stderr
            .contains("no topic matches \"cooking\"; the topics are: terraform"),
        "{}",
        topic.stderr
    );

    let limit = cuecard.run(&["lookup", "x", "--limit", "0"]);
    assert!(!limit.success);
    assert!(limit.stderr.contains("--limit"), "{}", limit.stderr);
}

#[test]
fn another_sheet_replaces_the_bundled_one() {
    let cuecard = Cuecard::new();
    let sheet = cuecard.write(
        "mine.md",
        "## Databases\n\n| Question | Key Points |\n|---|---|\n| What is MVCC? | snapshots, no read locks |\n".as_bytes(),
    );
    let sheet = sheet.to_str().unwrap();
    let topics = cuecard.ok(&["--sheet", sheet, "topics", "--json"]).json();
    assert_eq!(topics.as_array().unwrap().len(), 1);
    assert_eq!(topics[0]["name"], "Databases");
    let hits = cuecard
        .ok(&["lookup", "snapshot", "--sheet", sheet, "--json"])
        .json();
    assert_eq!(hits["hits"][0]["title"], "What is MVCC?");
    // Both sheets together.
    let bundled = crate::util::bundled_sheet_path();
    let both = cuecard
        .ok(&[
            "topics",
            "--json",
            "--sheet",
            sheet,
            "--sheet",
            bundled.to_str().unwrap(),
        ])
        .json();
    assert_eq!(both.as_array().unwrap().len(), 12);
}

#[test]
fn a_broken_sheet_given_to_any_command_is_explained() {
    let cuecard = Cuecard::new();
    let sheet = cuecard.write(
        "broken.md",
        b"## T\n\n| Question | Key Points |\n|---|---|\n| Why? |\n",
    );
    let run = cuecard.run(&["lookup", "why", "--sheet", sheet.to_str().unwrap()]);
    assert!(!run.success);
    assert!(
        run.stderr
            .contains("broken.md:5: error: this row has no Key Points cell"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("cuecard check-sheet"), "{}", run.stderr);
    let missing = cuecard.run(&["topics", "--sheet", "/nonexistent/sheet.md"]);
    assert!(!missing.success);
    assert!(
        missing.stderr.contains("cannot read /nonexistent/sheet.md"),
        "{}",
        missing.stderr
    );
}

#[test]
fn the_index_is_built_once_and_reused() {
    let cuecard = Cuecard::new();
    let first = cuecard.ok(&["index"]).stdout;
    assert!(first.starts_with("built index of 69 questions"), "{first}");
    let second = cuecard.ok(&["index"]).stdout;
    assert!(
        second.starts_with("up to date: index of 69 questions"),
        "{second}"
    );
    assert!(cuecard.data_dir().join("index").is_dir());
}
