//! `cuecard practice` and `cuecard stats` driven as a person would: answers typed at the
//! prompt, hints, quitting, and the review schedule picked up by the next run.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cuecard_core::Card;

use crate::util::Cuecard;

/// A running `cuecard practice` whose screen is read line by line.
struct Terminal {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Terminal {
    fn start(cuecard: &Cuecard, args: &[&str], now: Option<&str>) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cuecard"));
        command
            .arg("practice")
            .args(args)
            .env("CUECARD_DATA_DIR", cuecard.data_dir())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(now) = now {
            command.env("CUECARD_NOW", now);
        }
        let mut child = command.spawn().expect("cuecard practice starts");
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    fn type_line(&mut self, text: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{text}").unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for a line containing `needle` and returns it.
    fn expect(&mut self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(why) => panic!(
                    "no line containing {needle:?} ({why}); the screen was:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Waits for the next question and returns its card.
    fn question(&mut self) -> Card {
        let header = self.expect(" · card ");
        let id = header.rsplit(" · card ").next().unwrap().trim();
        cuecard_sheet::bundled()
            .cards
            .into_iter()
            .find(|c| c.id.as_str() == id)
            .unwrap()
    }

    fn finish(mut self) -> Vec<String> {
        drop(self.child.stdin.take());
        let status = self.child.wait().unwrap();
        self.seen.extend(self.lines.iter());
        assert!(status.success(), "practice failed:\n{}", self.seen.join("\n"));
        self.seen
    }
}

fn score(line: &str) -> u32 {
    line.split("Score ")
        .nth(1)
        .and_then(|s| s.split('%').next())
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn practice_then_come_back_to_the_badly_answered_card_first() {
    let cuecard = Cuecard::new();
    let mut terminal = Terminal::start(&cuecard, &["--topic", "linux", "--seed", "5"], None);

    let good = terminal.question();
    for line in good.answer.lines() {
        terminal.type_line(line);
    }
    terminal.type_line("");
    let graded = terminal.expect("Score ");
    assert!(score(&graded) >= 85, "{graded}");
    terminal.expect("Next review in ");

    let bad = terminal.question();
    assert_ne!(bad.id, good.id);
    terminal.type_line("hint");
    let hint = terminal.expect("Hint 1/");
    assert!(hint.contains(&bad.key_points[0].to_string()), "{hint}");
    terminal.type_line("honestly no idea");
    terminal.type_line("");
    let graded = terminal.expect("Score ");
    assert!(score(&graded) < 40, "{graded}");
    terminal.expect("1 hint taken");
    terminal.question();
    terminal.type_line("quit");
    let screen = terminal.finish();
    assert!(
        screen.iter().any(|l| l.contains("2 answered")),
        "{}",
        screen.join("\n")
    );

    let stats = cuecard.ok(&["stats", "--json"]).json();
    assert_eq!(stats["answers"], 2);
    assert_eq!(stats["passed"], 1);
    let schedule = stats["schedule"].as_array().unwrap();
    assert_eq!(schedule[0]["id"], bad.id.as_str(), "the bad answer is due first");
    assert_eq!(schedule[1]["id"], good.id.as_str());

    // A day later the bad card is due and asked first; the good one is not due yet.
    let tomorrow = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24))
        .unwrap()
        .to_string();
    let mut terminal = Terminal::start(&cuecard, &["--review"], Some(&tomorrow));
    let first = terminal.question();
    assert_eq!(first.id, bad.id);
    terminal.type_line(&bad.answer.replace('\n', " "));
    terminal.type_line("");
    terminal.expect("Score ");
    let screen = terminal.finish();
    assert!(
        screen.iter().any(|l| l.contains("Nothing is due for review")),
        "the good card is not due yet:\n{}",
        screen.join("\n")
    );
}

#[test]
fn odd_input_at_the_prompt_is_handled_calmly() {
    let cuecard = Cuecard::new();
    // A blank line before any answer, a 10,000-character paste, then Ctrl-D mid-answer.
    let paste = "kubectl describe pod ".repeat(500);
    let mut terminal = Terminal::start(&cuecard, &["--seed", "1"], None);
    terminal.question();
    terminal.type_line("");
    terminal.expect("Type your answer, then a blank line to send it");
    terminal.type_line(&paste);
    terminal.type_line("");
    terminal.expect("only the first 4000 are graded");
    terminal.expect("Score ");
    terminal.question();
    terminal.type_line("an answer cut short by Ctrl-D");
    let screen = terminal.finish();
    assert!(
        screen.iter().any(|l| l.contains("2 answered")),
        "{}",
        screen.join("\n")
    );
    let stats = cuecard.ok(&["stats", "--json"]).json();
    assert_eq!(stats["answers"], 2, "both answers were saved");
}

#[test]
fn a_closed_stdin_ends_practice_without_fuss() {
    let cuecard = Cuecard::new();
    let output = Command::new(env!("CARGO_BIN_EXE_cuecard"))
        .args(["practice", "--interview", "3"])
        .env("CUECARD_DATA_DIR", cuecard.data_dir())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("No answers this time."), "{stdout}");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

#[test]
fn a_mock_interview_ends_with_a_scorecard() {
    let cuecard = Cuecard::new();
    let mut terminal = Terminal::start(&cuecard, &["--interview", "3", "--seed", "2"], None);
    terminal.expect("Mock interview: 3 questions.");
    let first = terminal.question();
    terminal.type_line(&first.answer.replace('\n', " "));
    terminal.type_line("");
    let skipped = terminal.question();
    terminal.type_line("skip");
    let third = terminal.question();
    terminal.type_line(&third.answer.replace('\n', " "));
    terminal.type_line("");
    terminal.expect("Scorecard: ");
    let weakest = terminal.expect("Weakest topic: ");
    let screen = terminal.finish();
    assert!(
        screen.iter().any(|l| l.contains("Points you missed:")),
        "{}",
        screen.join("\n")
    );
    assert!(
        weakest.ends_with(skipped.topic.name()),
        "the skipped question's topic: {weakest}"
    );
}
