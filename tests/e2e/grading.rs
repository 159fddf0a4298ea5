//! Grading from the terminal with the keyword grader: `grade --card`, `grade --jsonl`, and `eval`
//! (the report, `--json`, and `--fit` writing a calibration file that `grade` and `eval` load).
//! All data is written by the tests; `--grader keyword` keeps them offline whatever the
//! environment says.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::util::{Cuecard, Run};

/// A one-card sheet, so that `ask` names the card to grade.
const SHEET: &str = "## AWS Networking\n\n### Security\n\n| Question | Key Points |\n|---|---|\n| Security Group vs NACL? | SG: stateful, instance-level. NACL: stateless, subnet-level |\n";

/// Graded answers in the `eval` format: two questions, good, partial and wrong answers.
const GRADED: &str = r#"{"qid": "sg", "question": "Security Group vs NACL?", "key_points": "SG: stateful, instance-level. NACL: stateless, subnet-level", "answer": "SGs are stateful and work at the instance level; NACLs are stateless and apply to a subnet.", "score": 1, "max_score": 1, "kind": "strong"}
{"qid": "sg", "question": "Security Group vs NACL?", "key_points": "SG: stateful, instance-level. NACL: stateless, subnet-level", "answer": "Security groups are stateful.", "score": 0.4, "max_score": 1, "kind": "partial"}
{"qid": "sg", "question": "Security Group vs NACL?", "key_points": "SG: stateful, instance-level. NACL: stateless, subnet-level", "answer": "NACLs are stateful.", "score": 0, "max_score": 1, "kind": "wrong"}
{"qid": "sg", "question": "Security Group vs NACL?", "key_points": "SG: stateful, instance-level. NACL: stateless, subnet-level", "answer": "I would use Terraform modules.", "score": 0, "max_score": 1, "kind": "off_topic"}
{"qid": "state", "question": "What happens if Terraform state is deleted?", "reference": "Rebuild it with terraform import, or restore it from S3 versioning.", "answer": "Restore the previous version from the S3 bucket's versioning, or run terraform import for each resource.", "score": 5, "max_score": 5, "kind": "strong"}
{"qid": "state", "question": "What happens if Terraform state is deleted?", "reference": "Rebuild it with terraform import, or restore it from S3 versioning.", "answer": "You can restore it from versioning.", "score": 3, "max_score": 5, "kind": "partial"}
{"qid": "state", "question": "What happens if Terraform state is deleted?", "reference": "Rebuild it with terraform import, or restore it from S3 versioning.", "answer": "Terraform state is deleted.", "score": 0, "max_score": 5, "kind": "wrong"}
{"qid": "state", "question": "What happens if Terraform state is deleted?", "reference": "Rebuild it with terraform import, or restore it from S3 versioning.", "answer": "Kubernetes pods run containers.", "score": 0, "max_score": 5, "kind": "off_topic"}
"#;

/// Runs cuecard with `input` on stdin (the `Cuecard` helper runs without one).
fn run_with_stdin(cuecard: &Cuecard, args: &[&str], input: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cuecard"))
        .args(args)
        .env("CUECARD_DATA_DIR", cuecard.data_dir())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the cuecard binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("cuecard finishes");
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        success: out.status.success(),
    }
}

fn json_lines(run: &Run) -> Vec<serde_json::Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn verdict_of(points: &serde_json::Value, text: &str) -> String {
    points
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["text"] == text)
        .unwrap_or_else(|| panic!("no point {text} in {points}"))["verdict"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn grade_card_prints_feedback_and_json() {
    let cuecard = Cuecard::new();
    let sheet = cuecard.write("sheet.md", SHEET.as_bytes());
    let sheet = sheet.to_str().unwrap();
    let card = cuecard.ok(&["--sheet", sheet, "ask", "--json"]).json();
    let id = card["id"].as_str().unwrap();
    let answer = "SGs are stateful and attach to instances; NACLs are stateless subnet rules.";

    let text = cuecard.ok(&[
        "--sheet", sheet, "grade", "--grader", "keyword", "--card", id, "--answer", answer,
    ]);
    assert!(
        text.stdout.starts_with("Security Group vs NACL?\n"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("stateful"), "{}", text.stdout);

    let grade = cuecard
        .ok(&[
            "--sheet", sheet, "grade", "--grader", "keyword", "--card", id, "--answer", answer, "--json",
        ])
        .json();
    assert_eq!(grade["grader"], "keyword");
    assert!(grade["score"].as_f64().unwrap() > 0.5, "{grade}");
    assert_eq!(verdict_of(&grade["points"], "SG: stateful"), "covered");
    assert_eq!(verdict_of(&grade["points"], "NACL: stateless"), "covered");

    // The wrong subject earns nothing, and the answer is told why.
    let wrong = cuecard
        .ok(&[
            "--sheet",
            sheet,
            "grade",
            "--grader",
            "keyword",
            "--card",
            id,
            "--answer",
            "NACLs are stateful.",
            "--json",
        ])
        .json();
    assert!(wrong["score"].as_f64().unwrap() < 0.1, "{wrong}");
    assert_eq!(verdict_of(&wrong["points"], "SG: stateful"), "missing");
}

#[test]
fn grade_card_refuses_unknown_and_malformed_ids() {
    let cuecard = Cuecard::new();
    let sheet = cuecard.write("sheet.md", SHEET.as_bytes());
    let sheet = sheet.to_str().unwrap();
    let run = cuecard.run(&[
        "--sheet",
        sheet,
        "grade",
        "--grader",
        "keyword",
        "--card",
        "000000000000",
        "--answer",
        "x",
    ]);
    assert!(!run.success);
    assert!(run.stderr.contains("no card has the id"), "{}", run.stderr);
    let run = cuecard.run(&[
        "--sheet", sheet, "grade", "--grader", "keyword", "--card", "nope", "--answer", "x",
    ]);
    assert!(!run.success);
    assert!(run.stderr.contains("is not a card id"), "{}", run.stderr);
}

#[test]
fn grade_jsonl_answers_each_line_in_order() {
    let cuecard = Cuecard::new();
    let input = concat!(
        r#"{"question": "Security Group vs NACL?", "key_points": "SG: stateful. NACL: stateless", "answer": "SGs are stateful, NACLs are stateless"}"#,
        "\n",
        r#"{"question": "Why EKS?", "key_points": ["Kubernetes control plane"], "answer": "a managed k8s control plane"}"#,
        "\n\n",
        r#"{"question": "State deleted?", "reference": "restore from S3 versioning", "answer": "no idea"}"#,
        "\n",
    );
    let run = run_with_stdin(&cuecard, &["grade", "--grader", "keyword", "--jsonl"], input);
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    let lines = json_lines(&run);
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    let score = |i: usize| lines[i]["score"].as_f64().unwrap();
    assert!(score(0) > 0.9, "{}", lines[0]);
    assert_eq!(verdict_of(&lines[0]["points"], "NACL: stateless"), "covered");
    assert_eq!(lines[1]["points"][0]["verdict"], "covered");
    assert_eq!(lines[1]["points"][0]["evidence"][0], "k8s control plane");
    assert!(score(2) < 0.05, "{}", lines[2]);
    for line in &lines {
        assert_eq!(line["grader"], "keyword");
        assert!((0.0..=1.0).contains(&line["score"].as_f64().unwrap()));
    }
}

#[test]
fn grade_jsonl_marks_bad_lines_in_place_and_fails() {
    let cuecard = Cuecard::new();
    let input = concat!(
        "not json\n",
        r#"{"question": "Q?", "answer": "no key points"}"#,
        "\n",
        r#"{"question": "Q?", "key_points": "pods", "answer": "pods"}"#,
        "\n",
    );
    let run = run_with_stdin(&cuecard, &["grade", "--grader", "keyword", "--jsonl"], input);
    assert!(!run.success);
    let lines = json_lines(&run);
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[0]["error"].as_str().unwrap().starts_with("line 1:"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1]["error"].as_str().unwrap().starts_with("line 2:"),
        "{}",
        lines[1]
    );
    assert!(lines[2]["score"].as_f64().unwrap() > 0.9, "{}", lines[2]);
}

#[test]
fn eval_reports_metrics_in_text_and_json() {
    let cuecard = Cuecard::new();
    let data = cuecard.write("graded.jsonl", GRADED.as_bytes());
    let data = data.to_str().unwrap();

    let text = cuecard
        .ok(&["eval", "--grader", "keyword", "--data", data])
        .stdout;
    for needle in [
        "8 answers",
        "Pearson r",
        "Spearman rho",
        "RMSE",
        "accuracy",
        "macro-F1",
        "by kind",
        "off_topic",
    ] {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }

    let json = cuecard
        .ok(&["eval", "--grader", "keyword", "--data", data, "--json"])
        .json();
    let report = &json["report"];
    assert_eq!(report["count"], 8);
    // Strong answers above partial ones above wrong ones: the ranking is right.
    assert!(report["spearman"].as_f64().unwrap() > 0.7, "{report}");
    assert!(report["accuracy"].as_f64().unwrap() >= 0.75, "{report}");
    let groups = report["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert!(json["fitted"].is_null());
}

#[test]
fn eval_refuses_a_record_without_a_grade() {
    let cuecard = Cuecard::new();
    let data = cuecard.write(
        "bad.jsonl",
        br#"{"question": "Q?", "reference": "pods", "answer": "pods"}
"#,
    );
    let run = cuecard.run(&["eval", "--grader", "keyword", "--data", data.to_str().unwrap()]);
    assert!(!run.success);
    assert!(run.stderr.contains("bad.jsonl:1:"), "{}", run.stderr);
}

#[test]
fn eval_fit_writes_a_calibration_that_grade_and_eval_load() {
    let cuecard = Cuecard::new();
    let data = cuecard.write("graded.jsonl", GRADED.as_bytes());
    let data = data.to_str().unwrap();
    let calibration = cuecard.data_dir().join("fitted.json");
    let calibration = calibration.to_str().unwrap();

    let fit = cuecard.ok(&[
        "eval",
        "--grader",
        "keyword",
        "--data",
        data,
        "--fit",
        calibration,
        "--json",
    ]);
    assert!(fit.stderr.contains("wrote"), "{}", fit.stderr);
    let fitted = fit.json()["fitted"].clone();
    assert_eq!(fitted["fitted_on"], "graded.jsonl");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(calibration).expect("the file was written"))
            .expect("the calibration file is JSON");
    assert_eq!(written, fitted);

    // eval with the written file reproduces the fitted report, and grade loads it too.
    let again = cuecard
        .ok(&[
            "eval",
            "--grader",
            "keyword",
            "--data",
            data,
            "--calibration",
            calibration,
            "--json",
        ])
        .json();
    assert_eq!(again["pass_threshold"], fitted["pass_threshold"]);
    assert_eq!(again["report"], fit.json()["report"]);
    let graded = run_with_stdin(
        &cuecard,
        &[
            "grade",
            "--grader",
            "keyword",
            "--jsonl",
            "--calibration",
            calibration,
        ],
        "{\"question\": \"Q?\", \"key_points\": \"pods\", \"answer\": \"pods\"}\n",
    );
    assert!(graded.success, "{}", graded.stderr);
    assert_eq!(json_lines(&graded).len(), 1);

    // A broken calibration file is refused, naming the file.
    let broken = cuecard.write("broken.json", br#"{"flor": 0.1}"#);
    let run = cuecard.run(&[
        "eval",
        "--grader",
        "keyword",
        "--data",
        data,
        "--calibration",
        broken.to_str().unwrap(),
    ]);
    assert!(!run.success);
    assert!(run.stderr.contains("broken.json"), "{}", run.stderr);
}
