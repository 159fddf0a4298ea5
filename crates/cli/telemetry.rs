//! Metrics the binary records itself, around the library crates rather than inside them:
//! grading latency (a [`Grader`] wrapper), LLM fallbacks, and database statement latency (read
//! from the timing sqlx already reports on every statement, so the store needs no changes).
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `cuecard_grading_duration_seconds` | histogram | `grader`: keyword, llm, keyword_fallback |
//! | `cuecard_llm_fallbacks_total` | counter | |
//! | `cuecard_database_query_duration_seconds` | histogram | `statement`: select, insert, update, delete, other |
//! | `cuecard_database_up` | gauge | (1 or 0, as the last readiness probe found it) |
//! | `cuecard_gateway_shards_connected` | gauge | (as the last readiness probe found it) |
//! | `cuecard_build_info` | gauge | `version` |
//!
//! The bot's own metrics (interactions, reconnects, daily drops, sheet uploads) are in
//! `cuecard_discord::metric_names`.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use cuecard_core::GraderKind;
use cuecard_grade::{GradeFuture, GradeRequest, Grader};
use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context as LayerContext;

pub const GRADING_SECONDS: &str = "cuecard_grading_duration_seconds";
pub const LLM_FALLBACKS: &str = "cuecard_llm_fallbacks_total";
pub const DATABASE_SECONDS: &str = "cuecard_database_query_duration_seconds";
pub const DATABASE_UP: &str = "cuecard_database_up";
pub const SHARDS_CONNECTED: &str = "cuecard_gateway_shards_connected";
pub const BUILD_INFO: &str = "cuecard_build_info";

/// Installs the Prometheus recorder and describes every metric; the handle renders /metrics.
pub fn install() -> Result<PrometheusHandle> {
    // Buckets for interactive work: most answers take milliseconds, an LLM grade seconds.
    let buckets = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0,
    ];
    let handle = PrometheusBuilder::new()
        .set_buckets(&buckets)
        .context("configuring the metrics histograms")?
        .install_recorder()
        .context("installing the metrics recorder")?;
    // The recorder keeps every histogram sample until upkeep folds it into the buckets. A
    // scrape does that too, but with nobody scraping (Prometheus down, or a listener set up
    // and never used) the samples of every interaction would pile up: 5 s as `install` would.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    describe_histogram!(
        GRADING_SECONDS,
        Unit::Seconds,
        "Time to grade one answer, by grader"
    );
    describe_counter!(
        LLM_FALLBACKS,
        "Answers graded by keywords because the LLM grader failed"
    );
    describe_histogram!(
        DATABASE_SECONDS,
        Unit::Seconds,
        "Time to run one database statement, by kind of statement"
    );
    describe_gauge!(
        DATABASE_UP,
        "Whether the last readiness probe reached the database"
    );
    describe_gauge!(
        SHARDS_CONNECTED,
        "Gateway shards connected at the last readiness probe"
    );
    describe_gauge!(BUILD_INFO, "Always 1; the version is a label");
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    metrics::counter!(LLM_FALLBACKS).absolute(0);
    cuecard_discord::describe_metrics();
    Ok(handle)
}

/// A grader that times the grader it wraps and counts its fallbacks.
pub struct Metered(pub Arc<dyn Grader>);

impl Grader for Metered {
    fn kind(&self) -> GraderKind {
        self.0.kind()
    }

    fn grade<'a>(&'a self, request: GradeRequest<'a>) -> GradeFuture<'a> {
        Box::pin(async move {
            let started = Instant::now();
            let grade = self.0.grade(request).await;
            let grader = match grade.grader {
                GraderKind::Keyword => "keyword",
                GraderKind::Semantic => "semantic",
                GraderKind::Llm => "llm",
                GraderKind::KeywordFallback => "keyword_fallback",
            };
            metrics::histogram!(GRADING_SECONDS, "grader" => grader).record(started.elapsed().as_secs_f64());
            if grade.grader == GraderKind::KeywordFallback {
                metrics::counter!(LLM_FALLBACKS).increment(1);
            }
            grade
        })
    }
}

/// A tracing layer that turns sqlx's per-statement events (target `sqlx::query`, with
/// `elapsed_secs` and a `summary` starting with the SQL verb) into the database histogram.
/// It gets those events through its own filter, so they never reach the log output unless
/// `RUST_LOG` asks for them.
pub struct StatementTimer;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for StatementTimer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: LayerContext<'_, S>) {
        let mut visit = StatementVisit::default();
        event.record(&mut visit);
        if let Some(seconds) = visit.elapsed {
            metrics::histogram!(DATABASE_SECONDS, "statement" => visit.verb).record(seconds);
        }
    }
}

#[derive(Default)]
struct StatementVisit {
    elapsed: Option<f64>,
    verb: &'static str,
}

impl Visit for StatementVisit {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.elapsed = Some(value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "summary" {
            self.verb = verb(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.verb = verb(format!("{value:?}").trim_matches('"'));
        }
    }
}

/// The kind of statement, as a bounded label.
fn verb(summary: &str) -> &'static str {
    let first = summary
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match first.as_str() {
        "select" | "with" => "select",
        "insert" => "insert",
        "update" => "update",
        "delete" => "delete",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::verb;

    #[test]
    fn statement_labels_are_bounded() {
        assert_eq!(verb("SELECT user_id FROM …"), "select");
        assert_eq!(verb("insert into attempts"), "insert");
        assert_eq!(verb("WITH x AS (…) SELECT"), "select");
        assert_eq!(verb("PRAGMA foo"), "other");
        assert_eq!(verb(""), "other");
    }
}
