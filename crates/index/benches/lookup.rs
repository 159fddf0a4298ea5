//! How fast the sheet becomes searchable and how fast lookups answer.
//!
//! `cargo bench -p cuecard-index --bench lookup` measures, with criterion:
//! - parsing the bundled sheet, and parsing plus building its index (in RAM and on disk);
//! - one lookup on the bundled sheet and on a generated sheet of 100,000 cards.
//!
//! Then it prints lookup latency percentiles (median and p99, which criterion does not report)
//! over a fixed set of queries, side by side with a reference: a plain linear scan that counts
//! query words in every card, which is what a bot without an index would do.
//! `CUECARD_BENCH_CARDS` changes the size of the generated sheet.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use cuecard_index::{CardIndex, Search};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const QUERIES: &[&str] = &[
    "canary rollback",
    "route 53 canary",
    "kubernets pod pending",
    "for_each",
    "state locking",
    "security group nacl",
    "terraform import",
    "alert fatigue",
    "disk full",
    "sticky sessions redis",
];

/// A sheet of `cards` questions over 50 topics, from a vocabulary of DevOps-ish words, so that
/// term statistics look like a big real sheet rather than random strings.
fn generated_sheet(cards: usize) -> String {
    let bundled = cuecard_sheet::bundled();
    let mut vocabulary: Vec<String> = bundled
        .cards
        .iter()
        .flat_map(|c| {
            format!("{} {}", c.question, c.answer)
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|w| w.len() > 2)
        .collect();
    vocabulary.sort();
    vocabulary.dedup();
    let mut rng = StdRng::seed_from_u64(2026);
    let word = |rng: &mut StdRng| vocabulary[rng.random_range(0..vocabulary.len())].clone();
    let mut text = String::with_capacity(cards * 120);
    for topic in 0..50 {
        let _ = write!(text, "## Topic {topic}\n\n| Question | Key Points |\n|---|---|\n");
        for n in (topic..cards).step_by(50) {
            let question: Vec<String> = (0..6).map(|_| word(&mut rng)).collect();
            let points: Vec<String> = (0..4)
                .map(|_| (0..3).map(|_| word(&mut rng)).collect::<Vec<_>>().join(" "))
                .collect();
            let _ = writeln!(
                text,
                "| {} number {n}? | {} |",
                question.join(" "),
                points.join(", ")
            );
        }
        text.push('\n');
    }
    text
}

/// The reference: for every card, count how many query words its text contains.
struct LinearScan {
    texts: Vec<String>,
}

impl LinearScan {
    fn new(sheet: &cuecard_sheet::Sheet) -> Self {
        let texts = sheet
            .cards
            .iter()
            .map(|c| format!("{} {}", c.question, c.answer).to_lowercase())
            .chain(
                sheet
                    .notes
                    .iter()
                    .map(|n| format!("{} {}", n.title, n.body).to_lowercase()),
            )
            .collect();
        Self { texts }
    }

    fn search(&self, query: &str, limit: usize) -> Vec<usize> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let mut scored: Vec<(usize, usize)> = self
            .texts
            .iter()
            .enumerate()
            .map(|(i, t)| (words.iter().filter(|w| t.contains(w.as_str())).count(), i))
            .filter(|&(score, _)| score > 0)
            .collect();
        scored.sort_unstable_by(|a, b| b.cmp(a));
        scored.into_iter().take(limit).map(|(_, i)| i).collect()
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

fn latency(label: &str, rounds: usize, mut run: impl FnMut(&str)) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(rounds * QUERIES.len());
    for _ in 0..rounds {
        for query in QUERIES {
            let start = Instant::now();
            run(query);
            samples.push(start.elapsed());
        }
    }
    let (median, p99) = percentiles(samples);
    println!("{label:<44} median {median:>10.1?}   p99 {p99:>10.1?}");
    (median, p99)
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let bundled = cuecard_sheet::bundled();

    criterion.bench_function("parse bundled sheet", |b| {
        b.iter(|| cuecard_sheet::parse(black_box(cuecard_sheet::BUNDLED_TEXT)).unwrap());
    });
    criterion.bench_function("parse + index bundled sheet (RAM)", |b| {
        b.iter(|| {
            let sheet = cuecard_sheet::parse(black_box(cuecard_sheet::BUNDLED_TEXT)).unwrap();
            CardIndex::in_ram(&sheet.cards, &sheet.notes).unwrap()
        });
    });
    criterion.bench_function("parse + index bundled sheet (disk)", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let sheet = cuecard_sheet::parse(black_box(cuecard_sheet::BUNDLED_TEXT)).unwrap();
                CardIndex::open_or_build(dir.path(), &sheet.cards, &sheet.notes).unwrap();
                dir
            },
            BatchSize::PerIteration,
        );
    });

    let dir = tempfile::tempdir().unwrap();
    let (index, _) = CardIndex::open_or_build(dir.path(), &bundled.cards, &bundled.notes).unwrap();
    let options = Search::default();
    criterion.bench_function("lookup, bundled sheet", |b| {
        b.iter(|| {
            index
                .search(black_box("kubernets pod pending"), &options)
                .unwrap()
        });
    });

    let cards: usize = std::env::var("CUECARD_BENCH_CARDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let text = generated_sheet(cards);
    let started = Instant::now();
    let big = cuecard_sheet::parse(&text).unwrap();
    let parsed = started.elapsed();
    let big_dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (big_index, _) = CardIndex::open_or_build(big_dir.path(), &big.cards, &big.notes).unwrap();
    let built = started.elapsed();
    let big_name = format!("lookup, {cards} cards");
    criterion.bench_function(&big_name, |b| {
        b.iter(|| {
            big_index
                .search(black_box("kubernets pod pending"), &options)
                .unwrap()
        });
    });
    criterion.final_summary();

    println!(
        "\nGenerated sheet: {cards} cards, {} MiB; parse {parsed:.1?}, index build {built:.1?}",
        text.len() >> 20
    );
    println!(
        "\nLookup latency over {} queries (limit 5, snippets included):",
        QUERIES.len()
    );
    let rounds = 300;
    latency("tantivy, bundled sheet", rounds, |q| {
        black_box(index.search(q, &options).unwrap());
    });
    let scan = LinearScan::new(&bundled);
    latency("linear scan (reference), bundled sheet", rounds, |q| {
        black_box(scan.search(q, 5));
    });
    let (_, tantivy_p99) = latency(&format!("tantivy, {cards} cards"), rounds / 3, |q| {
        black_box(big_index.search(q, &options).unwrap());
    });
    let big_scan = LinearScan::new(&big);
    let (_, scan_p99) = latency(&format!("linear scan (reference), {cards} cards"), 3, |q| {
        black_box(big_scan.search(q, 5));
    });
    println!(
        "p99 ratio at {cards} cards: linear scan / tantivy = {:.0}x",
        scan_p99.as_secs_f64() / tantivy_p99.as_secs_f64()
    );
}
