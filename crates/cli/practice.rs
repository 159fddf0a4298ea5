//! `cuecard practice` and `cuecard stats`: solo practice in the terminal over the same coach
//! the Discord bot uses, with progress kept in the database.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use cuecard_coach::{AnswerRequest, Answered, Coach, CoachError, Scorecard};
use cuecard_core::{Card, UserId, Verdict};
use cuecard_store::Occasion;
use serde_json::json;

use crate::library::Library;
use crate::term::Style;

/// The one user of the terminal. Discord ids are far larger, so it never collides with one.
const LOCAL_USER: UserId = UserId(0);
/// Longest answer kept, as in Discord's answer box: a longer paste is cut, with a message.
const MAX_ANSWER_CHARS: usize = 4000;
/// Input beyond this is not even buffered: a runaway paste cannot exhaust memory.
const MAX_INPUT_BYTES: usize = 64 * 1024;

/// Practise interview questions: answer in your own words, get point-by-point feedback.
///
/// Type your answer over one or more lines; a blank line sends it. On a line of its own,
/// `hint` reveals a key point (each costs 15% of the score), `skip` moves on and `quit` (or
/// Ctrl-D) stops. Cards you answer come back for review on a spaced-repetition schedule: the
/// ones you answer badly sooner. Due reviews are asked first.
#[derive(Debug, Args)]
pub struct PracticeArgs {
    /// Only questions from this topic (a topic name or the start of one).
    #[arg(long)]
    topic: Option<String>,
    /// Only cards that are due for review; stop when none is left.
    #[arg(long, conflicts_with = "interview")]
    review: bool,
    /// A mock interview of N questions across topics (or the --topic track), then a scorecard.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=50))]
    interview: Option<u16>,
    /// Seed for the random choice of questions, to repeat a session.
    #[arg(long, hide = true)]
    seed: Option<u64>,
}

/// Show your progress: answers, weakest topics, and the review schedule.
#[derive(Debug, Args)]
#[command(after_long_help = "JSON output (--json), one object:
  {\"answers\": number, \"passed\": number, \"average\": number,
   \"topics\": [{\"topic\": slug, \"answers\": number, \"average\": number}],
   \"scheduled\": number, \"due_now\": number, \"next_due\": timestamp|null,
   \"schedule\": [{\"id\": string, \"question\": string, \"topic\": string, \"due\": timestamp,
                 \"reps\": number, \"lapses\": number}]}
  Scores and averages are 0..1; timestamps are RFC 3339; the schedule is soonest first.")]
pub struct StatsArgs {
    /// Print JSON (described below) instead of text.
    #[arg(long)]
    json: bool,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub fn practice(library: &Library, args: &PracticeArgs) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let mut coach = library.coach().await?;
        if let Some(seed) = args.seed {
            coach = coach.with_seed(seed);
        }
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        let mut session = Session {
            coach: &coach,
            input: stdin.lock(),
            out: stdout.lock(),
            style: Style::detect(),
            answered: Vec::new(),
            input_closed: false,
        };
        let result = session.run(args).await;
        let summary = session.summary(&library.database_url()?);
        coach.store().close().await;
        result?;
        summary?;
        Ok(ExitCode::SUCCESS)
    })
}

/// What the user typed at the prompt.
enum Input {
    Answer(String),
    Hint,
    Skip,
    Quit,
}

struct Session<'a, R, W> {
    coach: &'a Coach,
    input: R,
    out: W,
    style: Style,
    answered: Vec<Answered>,
    /// Standard input ended (Ctrl-D, or a closed pipe): finish after what was typed.
    input_closed: bool,
}

use cuecard_coach::until as when;

impl<R: BufRead, W: Write> Session<'_, R, W> {
    async fn run(&mut self, args: &PracticeArgs) -> Result<()> {
        let s = self.style;
        writeln!(
            self.out,
            "{}cuecard practice{}: answer in your own words; a blank line sends your answer.\n\
             On a line of its own: {}hint{} reveals a key point, {}skip{} moves on, {}quit{} (or Ctrl-D) stops.\n",
            s.bold, s.reset, s.bold, s.reset, s.bold, s.reset, s.bold, s.reset
        )?;
        if let Some(count) = args.interview {
            return self.interview(usize::from(count), args.topic.as_deref()).await;
        }
        let mut number = 0;
        while !self.input_closed {
            let Some((card, occasion)) = self.next_card(args).await? else {
                break;
            };
            number += 1;
            if !self.ask(number, &card, occasion).await? {
                break;
            }
        }
        Ok(())
    }

    /// A due review first (in the topic, when one is chosen), else a fresh card unless only
    /// reviews were asked for.
    async fn next_card(&mut self, args: &PracticeArgs) -> Result<Option<(Card, Occasion)>> {
        let due = self.coach.due(LOCAL_USER, 100).await?;
        let due = due
            .into_iter()
            .find(|d| args.topic.as_deref().is_none_or(|t| d.card.topic.matches(t)));
        if let Some(due) = due {
            return Ok(Some((due.card, Occasion::Review)));
        }
        if args.review {
            let schedule = self.coach.schedule(LOCAL_USER).await?;
            let now = self.coach.now();
            match schedule.first() {
                Some(next) => writeln!(
                    self.out,
                    "Nothing is due for review. The next card is due {}.",
                    when(next.state.due, now)
                )?,
                None => writeln!(
                    self.out,
                    "Nothing is due for review: answer some questions first."
                )?,
            }
            return Ok(None);
        }
        let card = self.coach.ask(LOCAL_USER, args.topic.as_deref()).await?;
        Ok(Some((card, Occasion::AdHoc)))
    }

    fn show_question(&mut self, number: usize, card: &Card, review: bool) -> Result<()> {
        let s = self.style;
        writeln!(
            self.out,
            "{}[{number}] {}{}{} · card {}",
            s.dim,
            card.topic.place(card.subtopic.as_deref()),
            if review { " · review" } else { "" },
            s.reset,
            card.id
        )?;
        writeln!(self.out, "{}{}{}", s.bold, card.question, s.reset)?;
        Ok(())
    }

    /// Asks one card until it is answered or skipped. False when the user quit.
    async fn ask(&mut self, number: usize, card: &Card, occasion: Occasion) -> Result<bool> {
        self.show_question(number, card, occasion == Occasion::Review)?;
        let mut hints = 0_u8;
        loop {
            match self.read_input()? {
                Some(Input::Hint) => {
                    let s = self.style;
                    match self.coach.hint(card, hints) {
                        Some(hint) => {
                            hints = hint.number;
                            writeln!(
                                self.out,
                                "{}Hint {}/{}:{} {} {}(your score keeps {:.0}%){}",
                                s.yellow,
                                hint.number,
                                hint.of,
                                s.reset,
                                hint.point,
                                s.dim,
                                hint.score_kept * 100.0,
                                s.reset
                            )?;
                        }
                        None => writeln!(self.out, "No more hints: every key point is shown.")?,
                    }
                }
                Some(Input::Skip) => {
                    writeln!(self.out, "Skipped. The key points were:\n{}\n", card.answer)?;
                    return Ok(true);
                }
                Some(Input::Quit) | None => return Ok(false),
                Some(Input::Answer(answer)) => {
                    self.grade(card, &answer, occasion, hints).await?;
                    return Ok(!self.input_closed);
                }
            }
        }
    }

    async fn grade(&mut self, card: &Card, answer: &str, occasion: Occasion, hints: u8) -> Result<Answered> {
        let request = AnswerRequest {
            occasion,
            hints,
            ..AnswerRequest::ad_hoc(LOCAL_USER, &card.id, answer)
        };
        let answered = match self.coach.answer(request).await {
            Ok(answered) => answered,
            Err(error @ CoachError::Store(_)) => {
                // Say so and keep the session: the next answer may get through.
                writeln!(
                    self.out,
                    "{}Not saved:{} {error}\n",
                    self.style.red, self.style.reset
                )?;
                return Err(error.into());
            }
            Err(error) => return Err(error.into()),
        };
        self.show_feedback(&answered)?;
        self.answered.push(answered.clone());
        Ok(answered)
    }

    fn show_feedback(&mut self, answered: &Answered) -> Result<()> {
        let s = self.style;
        let grade = &answered.grade;
        let colour = if grade.score >= self.coach.policy().pass_mark {
            s.green
        } else {
            s.red
        };
        writeln!(
            self.out,
            "\n{colour}{}Score {:.0}%{} ({})",
            s.bold,
            grade.score * 100.0,
            s.reset,
            cuecard_grade::grader_name(grade.grader)
        )?;
        for point in &grade.points {
            let (mark, colour) = match point.verdict {
                Verdict::Covered => ("✓", s.green),
                Verdict::Partial => ("~", s.yellow),
                Verdict::Missing => ("✗", s.red),
            };
            write!(self.out, "  {colour}{mark}{} {}", s.reset, point.point)?;
            if !point.evidence.is_empty() {
                let quoted: Vec<String> = point.evidence.iter().map(|e| format!("\"{e}\"")).collect();
                write!(self.out, " {}— you said {}{}", s.dim, quoted.join(", "), s.reset)?;
            }
            writeln!(self.out)?;
        }
        for remark in &grade.remarks {
            writeln!(self.out, "  {}note:{} {remark}", s.yellow, s.reset)?;
        }
        if !answered.recorded {
            writeln!(
                self.out,
                "  {}note:{} already answered; the first grade stands",
                s.yellow, s.reset
            )?;
        }
        writeln!(
            self.out,
            "{}Model answer:{} {}",
            s.bold, s.reset, answered.card.answer
        )?;
        writeln!(
            self.out,
            "{}Next review {}.{}\n",
            s.dim,
            when(answered.next_review, self.coach.now()),
            s.reset
        )?;
        Ok(())
    }

    /// Reads one answer (lines until a blank line) or one command. `None` at end of input
    /// with nothing typed.
    fn read_input(&mut self) -> Result<Option<Input>> {
        let mut answer = String::new();
        let mut line = Vec::new();
        loop {
            if answer.is_empty() {
                write!(self.out, "> ")?;
                self.out.flush()?;
            }
            line.clear();
            let read = self
                .input
                .read_until(b'\n', &mut line)
                .context("reading your answer")?;
            if read == 0 {
                self.input_closed = true;
                return Ok((!answer.trim().is_empty()).then(|| Input::Answer(self.capped(answer))));
            }
            // Bytes that are not UTF-8 (a paste from a legacy terminal) become U+FFFD, not an error.
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\n', '\r']);
            if answer.is_empty() {
                match text.trim().to_ascii_lowercase().as_str() {
                    "hint" | ":hint" => return Ok(Some(Input::Hint)),
                    "skip" | ":skip" => return Ok(Some(Input::Skip)),
                    "quit" | "exit" | ":q" | ":quit" => return Ok(Some(Input::Quit)),
                    "" => {
                        writeln!(
                            self.out,
                            "Type your answer, then a blank line to send it (or hint, skip, quit)."
                        )?;
                        continue;
                    }
                    _ => {}
                }
            } else if text.trim().is_empty() {
                return Ok(Some(Input::Answer(self.capped(answer))));
            }
            if answer.len() < MAX_INPUT_BYTES {
                answer.push_str(text);
                answer.push('\n');
            }
        }
    }

    fn capped(&mut self, answer: String) -> String {
        let chars = answer.chars().count();
        if chars <= MAX_ANSWER_CHARS {
            return answer;
        }
        let _ = writeln!(
            self.out,
            "(Your answer has {chars} characters; only the first {MAX_ANSWER_CHARS} are graded.)"
        );
        answer.chars().take(MAX_ANSWER_CHARS).collect()
    }

    async fn interview(&mut self, count: usize, track: Option<&str>) -> Result<()> {
        let plan = self.coach.plan_interview(count, track)?;
        writeln!(self.out, "Mock interview: {} questions.\n", plan.len())?;
        for (number, card) in plan.iter().enumerate() {
            self.show_question(number + 1, card, false)?;
            let mut hints = 0_u8;
            let answer = loop {
                match self.read_input()? {
                    Some(Input::Hint) => {
                        if let Some(hint) = self.coach.hint(card, hints) {
                            hints = hint.number;
                            writeln!(self.out, "Hint {}/{}: {}", hint.number, hint.of, hint.point)?;
                        }
                    }
                    // In an interview a skipped question is an unanswered one, and counts.
                    Some(Input::Skip) => break Some(String::new()),
                    Some(Input::Answer(answer)) => break Some(answer),
                    Some(Input::Quit) | None => break None,
                }
            };
            let Some(answer) = answer else { break };
            self.grade(card, &answer, Occasion::AdHoc, hints).await?;
            if self.input_closed {
                break;
            }
        }
        let scorecard = self.coach.scorecard(&self.answered);
        self.show_scorecard(&scorecard)
    }

    fn show_scorecard(&mut self, card: &Scorecard) -> Result<()> {
        let s = self.style;
        writeln!(
            self.out,
            "{}Scorecard{}: {:.0}% overall",
            s.bold,
            s.reset,
            card.overall * 100.0
        )?;
        for topic in &card.topics {
            writeln!(
                self.out,
                "  {:>4.0}%  {} ({} question{})",
                topic.average * 100.0,
                topic.topic.name(),
                topic.questions,
                if topic.questions == 1 { "" } else { "s" }
            )?;
        }
        if let Some(weakest) = card.topics.first() {
            writeln!(self.out, "Weakest topic: {}", weakest.topic.name())?;
        }
        if !card.weakest_points.is_empty() {
            writeln!(self.out, "Points you missed:")?;
            for weak in &card.weakest_points {
                writeln!(self.out, "  - {} ({})", weak.point, weak.question)?;
            }
        }
        if !card.review_next.is_empty() {
            writeln!(
                self.out,
                "Review next: {} card{} (`cuecard practice --review` when they fall due).",
                card.review_next.len(),
                if card.review_next.len() == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }

    fn summary(&mut self, database: &str) -> Result<()> {
        if self.answered.is_empty() {
            writeln!(self.out, "\nNo answers this time.")?;
            return Ok(());
        }
        let average = self.answered.iter().map(|a| a.grade.score).sum::<f64>() / self.answered.len() as f64;
        writeln!(
            self.out,
            "\n{} answered, average {:.0}%. Progress is saved in {database}; `cuecard stats` shows it.",
            self.answered.len(),
            average * 100.0
        )?;
        Ok(())
    }
}

pub fn stats(library: &Library, args: &StatsArgs) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let coach = library.coach().await?;
        let stats = coach.stats(LOCAL_USER).await?;
        let schedule = coach.schedule(LOCAL_USER).await?;
        let now = coach.now();
        coach.store().close().await;
        if args.json {
            let mut value = serde_json::to_value(&stats)?;
            value["schedule"] = schedule
                .iter()
                .map(|d| {
                    json!({
                        "id": d.card.id, "question": d.card.question, "topic": d.card.topic.slug(),
                        "due": d.state.due.to_string(), "reps": d.state.reps, "lapses": d.state.lapses,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&value)?);
            return Ok(ExitCode::SUCCESS);
        }
        if stats.answers == 0 {
            println!("No answers yet. Start with `cuecard practice`.");
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "{} answers, {} passed, average {:.0}%.",
            stats.answers,
            stats.passed,
            stats.average * 100.0
        );
        println!("By topic, weakest first:");
        for topic in &stats.topics {
            println!(
                "  {:>4.0}%  {} ({} answers)",
                topic.average * 100.0,
                topic.topic,
                topic.answers
            );
        }
        println!(
            "Review schedule: {} cards, {} due now.",
            stats.scheduled, stats.due_now
        );
        for due in schedule.iter().take(10) {
            println!("  {:<12} {}", when(due.state.due, now), due.card.question);
        }
        Ok(ExitCode::SUCCESS)
    })
}
