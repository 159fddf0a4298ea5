//! Commands that read the sheet: lookup, topics, ask, show, check-sheet, index.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use cuecard_core::{Card, CardId, Note};
use cuecard_index::{BuildOutcome, CardIndex, Hit, HitItem, Search};
use rand::SeedableRng;
use serde_json::{Value, json};

use crate::library::{self, Library};

/// Search the sheet: questions, key points and every other part of it.
///
/// Words are matched by stem ("rollbacks" finds "rollback"), and words of five letters or more
/// tolerate one typo.
#[derive(Debug, Args)]
#[command(after_long_help = "JSON output (--json), one object:
  {\"query\": string, \"topic\": string|null,
   \"hits\": [{\"rank\": 1, \"kind\": \"card\"|\"note\", \"id\": string, \"topic\": string,
             \"topic_slug\": string, \"subtopic\": string|null, \"title\": string,
             \"snippet\": string, \"highlights\": [[start, end], ...], \"score\": number,
             \"line\": number}]}
  title is the question (cards) or the nearest heading (notes); highlights are byte ranges
  of snippet; line is the line in the sheet. Fields are only ever added, never renamed.")]
pub struct LookupArgs {
    /// What to look for.
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,
    /// Only in this topic (a topic name or the start of one: `aws`, `kubernetes`).
    #[arg(long)]
    topic: Option<String>,
    /// At most this many results.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    limit: u16,
    /// Print JSON (described below) instead of text.
    #[arg(long)]
    json: bool,
}

/// List the sheet's topics with how many questions each has.
#[derive(Debug, Args)]
#[command(after_long_help = "JSON output (--json), an array:
  [{\"name\": string, \"slug\": string, \"cards\": number, \"notes\": number}]")]
pub struct TopicsArgs {
    /// Also list sections that have notes but no questions.
    #[arg(long)]
    all: bool,
    /// Print JSON (described below) instead of text.
    #[arg(long)]
    json: bool,
}

/// Print one random question (its key points stay hidden: see `show`).
#[derive(Debug, Args)]
#[command(after_long_help = "JSON output (--json), one object:
  {\"id\": string, \"topic\": string, \"topic_slug\": string, \"subtopic\": string|null,
   \"question\": string, \"line\": number}")]
pub struct AskArgs {
    /// Only from this topic (a topic name or the start of one).
    #[arg(long)]
    topic: Option<String>,
    /// Seed for the random choice, to get the same question again.
    #[arg(long, hide = true)]
    seed: Option<u64>,
    /// Print JSON (described below) instead of text.
    #[arg(long)]
    json: bool,
}

/// Show a card with its key points, or a note, by id.
#[derive(Debug, Args)]
#[command(after_long_help = "JSON output (--json), for a card:
  {\"kind\": \"card\", \"id\": string, \"topic\": string, \"topic_slug\": string,
   \"subtopic\": string|null, \"question\": string, \"answer\": string,
   \"key_points\": [{\"subject\": string|null, \"body\": string, \"text\": string}], \"line\": number}
  for a note:
  {\"kind\": \"note\", \"id\": string, \"topic\": string, \"topic_slug\": string,
   \"subtopic\": string|null, \"title\": string, \"body\": string, \"line\": number}")]
pub struct ShowArgs {
    /// The id, as `lookup` and `ask` print it.
    id: String,
    /// Print JSON (described below) instead of text.
    #[arg(long)]
    json: bool,
}

/// Check a cheat sheet and say what to fix, line by line. Exits non-zero if it cannot be used.
#[derive(Debug, Args)]
pub struct CheckSheetArgs {
    /// The sheet to check.
    file: PathBuf,
}

/// Build the search index now (it is otherwise built on first use, and when a sheet changes).
#[derive(Debug, Args)]
pub struct IndexArgs {}

/// Bold on a terminal that takes colour; nothing otherwise, so piped output stays plain.
fn emphasis() -> (&'static str, &'static str) {
    let style = crate::term::Style::detect();
    (style.bold, style.reset)
}

fn print_json(value: &Value) -> Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(ExitCode::SUCCESS)
}

fn hit_json(rank: usize, hit: &Hit) -> Value {
    let (kind, line) = match &hit.item {
        HitItem::Card(card) => ("card", card.line),
        HitItem::Note(note) => ("note", note.line),
    };
    json!({
        "rank": rank,
        "kind": kind,
        "id": hit.id(),
        "topic": hit.topic().name(),
        "topic_slug": hit.topic().slug(),
        "subtopic": hit.subtopic(),
        "title": hit.title,
        "snippet": hit.snippet.text,
        "highlights": hit.snippet.highlights.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>(),
        "score": hit.score,
        "line": line,
    })
}

pub fn lookup(library: &Library, args: &LookupArgs) -> Result<ExitCode> {
    let index = library.index()?;
    let query = args.query.join(" ");
    let hits = index.search(
        &query,
        &Search {
            limit: usize::from(args.limit),
            topic: args.topic.clone(),
        },
    )?;
    if args.json {
        return print_json(&json!({
            "query": query,
            "topic": args.topic,
            "hits": hits.iter().enumerate().map(|(i, h)| hit_json(i + 1, h)).collect::<Vec<_>>(),
        }));
    }
    if hits.is_empty() {
        println!("Nothing matches \"{query}\". Try other or fewer words, or see `cuecard topics`.");
        return Ok(ExitCode::SUCCESS);
    }
    let (open, close) = emphasis();
    for (rank, hit) in hits.iter().enumerate() {
        let kind = match hit.item {
            HitItem::Card(_) => "card",
            HitItem::Note(_) => "note",
        };
        println!(
            "{}. {open}{}{close}\n   {} · {kind} {}",
            rank + 1,
            hit.title,
            hit.topic().place(hit.subtopic()),
            hit.id()
        );
        for line in hit
            .snippet
            .marked(open, close)
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            println!("   {line}");
        }
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

pub fn topics(library: &Library, args: &TopicsArgs) -> Result<ExitCode> {
    let index = library.index()?;
    let topics: Vec<_> = index
        .topics()
        .iter()
        .filter(|t| args.all || t.cards > 0)
        .collect();
    if args.json {
        return print_json(&Value::Array(
            topics
                .iter()
                .map(|t| json!({"name": t.topic.name(), "slug": t.topic.slug(), "cards": t.cards, "notes": t.notes}))
                .collect(),
        ));
    }
    let width = topics
        .iter()
        .map(|t| t.topic.name().chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    println!("{:<width$}  {:>5}  {:>5}  FILTER", "TOPIC", "CARDS", "NOTES");
    for t in &topics {
        println!(
            "{:<width$}  {:>5}  {:>5}  {}",
            t.topic.name(),
            t.cards,
            t.notes,
            t.topic.slug()
        );
    }
    let cards: usize = topics.iter().map(|t| t.cards).sum();
    println!(
        "\n{cards} questions in {} topics. Filter with --topic (a name or its start).",
        topics.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn ask(library: &Library, args: &AskArgs) -> Result<ExitCode> {
    let index = library.index()?;
    let mut rng = match args.seed {
        Some(seed) => rand::rngs::StdRng::seed_from_u64(seed),
        None => rand::make_rng(),
    };
    let Some(card) = index.draw(args.topic.as_deref(), &[], &mut rng)? else {
        bail!("the sheet has no questions");
    };
    if args.json {
        return print_json(&json!({
            "id": card.id,
            "topic": card.topic.name(),
            "topic_slug": card.topic.slug(),
            "subtopic": card.subtopic,
            "question": card.question,
            "line": card.line,
        }));
    }
    let (open, close) = emphasis();
    println!("{}", card.topic.place(card.subtopic.as_deref()));
    println!("{open}{}{close}", card.question);
    println!("\n(card {0}: `cuecard show {0}` shows the key points)", card.id);
    Ok(ExitCode::SUCCESS)
}

fn card_json(card: &Card) -> Value {
    json!({
        "kind": "card",
        "id": card.id,
        "topic": card.topic.name(),
        "topic_slug": card.topic.slug(),
        "subtopic": card.subtopic,
        "question": card.question,
        "answer": card.answer,
        "key_points": card.key_points.iter().map(|p| json!({
            "subject": p.subject, "body": p.body, "text": p.to_string()
        })).collect::<Vec<_>>(),
        "line": card.line,
    })
}

fn note_json(note: &Note) -> Value {
    json!({
        "kind": "note",
        "id": note.id,
        "topic": note.topic.name(),
        "topic_slug": note.topic.slug(),
        "subtopic": note.subtopic,
        "title": note.title,
        "body": note.body,
        "line": note.line,
    })
}

pub fn show(library: &Library, args: &ShowArgs) -> Result<ExitCode> {
    let index = library.index()?;
    let id = args.id.trim();
    // Card ids are typed in any case; note ids are as printed.
    let item = match CardId::parse(id) {
        Some(card_id) => index.card(&card_id)?.map(HitItem::Card),
        None => index.by_id(id)?,
    };
    let Some(item) = item else {
        bail!("no card or note has the id \"{id}\"; find ids with `cuecard lookup WORDS` or `cuecard ask`");
    };
    if args.json {
        return print_json(&match &item {
            HitItem::Card(card) => card_json(card),
            HitItem::Note(note) => note_json(note),
        });
    }
    let (open, close) = emphasis();
    match item {
        HitItem::Card(card) => {
            println!("{open}{}{close}", card.question);
            println!(
                "{} · card {} · line {}\n",
                card.topic.place(card.subtopic.as_deref()),
                card.id,
                card.line
            );
            println!("Key points:");
            for (i, point) in card.key_points.iter().enumerate() {
                println!("  {}. {point}", i + 1);
            }
        }
        HitItem::Note(note) => {
            println!("{open}{}{close}", note.title);
            println!(
                "{} · note {} · line {}\n",
                note.topic.place(note.subtopic.as_deref()),
                note.id,
                note.line
            );
            println!("{}", note.body);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn check_sheet(args: &CheckSheetArgs) -> Result<ExitCode> {
    let shown = args.file.display().to_string();
    match library::check(&args.file) {
        Ok(sheet) => {
            for warning in &sheet.warnings {
                println!(
                    "{}",
                    cuecard_sheet::Located {
                        file: &shown,
                        problem: warning
                    }
                );
            }
            let topics: std::collections::BTreeSet<_> = sheet.cards.iter().map(|c| c.topic.slug()).collect();
            println!(
                "{shown}: ok, {} questions in {} topics, {} notes{}",
                sheet.cards.len(),
                topics.len(),
                sheet.notes.len(),
                match sheet.warnings.len() {
                    0 => String::new(),
                    1 => ", 1 warning".to_owned(),
                    n => format!(", {n} warnings"),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(cuecard_sheet::LoadError::Sheet(errors)) => {
            for problem in &errors.problems {
                println!(
                    "{}",
                    cuecard_sheet::Located {
                        file: &shown,
                        problem
                    }
                );
            }
            let count = errors.problems.iter().filter(|p| !p.kind.is_warning()).count();
            println!(
                "{shown}: cannot be used, {count} problem{} to fix",
                if count == 1 { "" } else { "s" }
            );
            Ok(ExitCode::FAILURE)
        }
        Err(error) => Err(error.into()),
    }
}

pub fn index(library: &Library, _args: &IndexArgs) -> Result<ExitCode> {
    let sheets = library.load()?;
    let (cards, notes) = library::merge(&sheets)?;
    let dir = library.data_dir().join("index");
    let (index, outcome) = CardIndex::open_or_build(&dir, &cards, &notes)?;
    let verb = match outcome {
        BuildOutcome::Built => "built",
        BuildOutcome::Reused => "up to date:",
    };
    println!(
        "{verb} index of {} questions and {} notes at {}",
        cards.len(),
        notes.len(),
        index.location().display()
    );
    Ok(ExitCode::SUCCESS)
}
