//! Grading speed: grades per second (single-threaded) and p99 latency per answer on the `SemEval`
//! 2013 training answers, beside the plain Python keyword-coverage reference
//! (`benches/keyword_coverage.py`) on the same file.
//!
//! The answers are read from `../shared/asag/semeval2013/scientsbank_train.jsonl` next to the
//! workspace (or `CUECARD_BENCH_DATA`); without that file the benchmark says so and grades
//! generated answers instead, so it always runs. Each reference is graded as one key point (the
//! grade crate does not depend on the sheet's splitter).

use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use cuecard_core::KeyPoint;
use cuecard_grade::{KeywordGrader, PreparedCard};

struct Sample {
    question: String,
    points: Vec<KeyPoint>,
    answer: String,
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
                points: vec![KeyPoint::new(v.get("reference")?.as_str()?)],
                answer: v.get("answer")?.as_str()?.to_owned(),
            })
        })
        .collect();
    (!samples.is_empty()).then_some(samples)
}

/// Answers of SemEval-like length built from a small vocabulary, for machines without the data.
fn generated() -> Vec<Sample> {
    let words = [
        "the",
        "water",
        "evaporated",
        "leaving",
        "salt",
        "because",
        "stateful",
        "security",
        "groups",
        "subnet",
        "rules",
        "allow",
        "deny",
        "terminal",
        "connected",
        "battery",
        "gap",
        "circuit",
        "closed",
        "path",
        "is",
        "not",
        "and",
        "kubernetes",
        "pods",
        "replicas",
        "rolling",
        "update",
    ];
    (0..2000usize)
        .map(|i| {
            let pick = |n: usize, seed: usize| -> String {
                (0..n)
                    .map(|k| words[(seed * 31 + k * 17 + k * k) % words.len()])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            Sample {
                question: pick(12, i + 7),
                points: vec![KeyPoint::new(pick(8, i + 3))],
                answer: pick(6 + i % 20, i),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let path = data_file();
    let (samples, from_file) = if let Some(samples) = load(&path) {
        (samples, true)
    } else {
        eprintln!("{} not found: grading generated answers instead", path.display());
        (generated(), false)
    };
    let grader = KeywordGrader::new();

    let mut next = 0usize;
    c.bench_function("keyword grade, one answer", |b| {
        b.iter(|| {
            let s = &samples[next % samples.len()];
            next += 1;
            black_box(grader.grade(&s.question, &s.points, &s.answer, None))
        });
    });

    // The coach prepares a card once and grades many answers to it.
    let mut prepared: HashMap<&str, PreparedCard> = HashMap::new();
    for s in &samples {
        prepared
            .entry(&s.question)
            .or_insert_with(|| grader.prepare(&s.question, &s.points, None));
    }
    c.bench_function("keyword grade, one answer, prepared card", |b| {
        b.iter(|| {
            let s = &samples[next % samples.len()];
            next += 1;
            black_box(grader.grade_prepared(&prepared[s.question.as_str()], &s.answer))
        });
    });

    // Latency distribution over the whole set: criterion reports means, the issue asks for p99.
    let cold = latency(&samples, |s| {
        black_box(grader.grade(&s.question, &s.points, &s.answer, None));
    });
    cold.print("keyword grader, card read every time", samples.len());
    let warm = latency(&samples, |s| {
        black_box(grader.grade_prepared(&prepared[s.question.as_str()], &s.answer));
    });
    warm.print("keyword grader, prepared card", samples.len());
    let per_second = cold.per_second;

    if !from_file {
        println!("python reference skipped: it reads the same data file, which is missing");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/keyword_coverage.py");
    match Command::new("python3").arg(&script).arg(&path).output() {
        Ok(out) if out.status.success() => {
            let reference: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            let python = reference
                .get("grades_per_second")
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(0.0);
            let python_p99 = reference
                .get("p99_us")
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(0.0);
            println!(
                "python keyword coverage: {python:.0} grades/s, p99 {python_p99:.2} us; rust/python speed ratio {:.1}x (prepared card: {:.1}x)",
                per_second / python.max(f64::MIN_POSITIVE),
                warm.per_second / python.max(f64::MIN_POSITIVE)
            );
        }
        Ok(out) => println!(
            "python reference failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(error) => println!("python reference skipped: cannot run python3 ({error})"),
    }
}

struct Latency {
    per_second: f64,
    mean_us: f64,
    p99_us: f64,
}

impl Latency {
    fn print(&self, what: &str, answers: usize) {
        println!(
            "{what}: {answers} answers, {:.0} grades/s single-threaded, mean {:.2} us, p99 {:.2} us",
            self.per_second, self.mean_us, self.p99_us
        );
    }
}

/// Times each call separately, after a warm-up pass.
fn latency(samples: &[Sample], mut grade: impl FnMut(&Sample)) -> Latency {
    for s in samples.iter().take(500) {
        grade(s);
    }
    let mut times = Vec::with_capacity(samples.len());
    let start = Instant::now();
    for s in samples {
        let t0 = Instant::now();
        grade(s);
        times.push(t0.elapsed().as_secs_f64());
    }
    let total = start.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    Latency {
        per_second: samples.len() as f64 / total,
        mean_us: total / samples.len() as f64 * 1e6,
        p99_us: times[(times.len() * 99 / 100).min(times.len() - 1)] * 1e6,
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
