//! Logs on stderr: human-readable lines, or JSON lines (`--log-format json`) for log shippers;
//! filtered by `log.filter` / `RUST_LOG` (default: info for cuecard, warnings for libraries).
//!
//! Whatever a library might print at any level, the configured secrets never reach the output:
//! the writer replaces them with `***` (a last line of defence; cuecard itself never logs them).

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use tracing_subscriber::Layer;
use tracing_subscriber::filter::{EnvFilter, LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;

const DEFAULT_FILTER: &str = "info,serenity=warn,poise=warn,tantivy=warn,sqlx=warn";

/// Installs the log subscriber once; later calls do nothing. `secrets` are scrubbed from every
/// line.
pub fn init(format: LogFormat, filter: Option<&str>, secrets: Vec<String>) {
    let filter = filter
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER));
    let writer = Scrubbed(Arc::new(secrets));
    let output = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .with_filter(filter)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(writer)
            .with_filter(filter)
            .boxed(),
    };
    // sqlx reports every statement's duration at debug level; the timer takes those events for
    // the database histogram whatever the log filter says.
    let statements = crate::telemetry::StatementTimer.with_filter(
        Targets::new()
            .with_target("sqlx::query", LevelFilter::DEBUG)
            .with_default(LevelFilter::OFF),
    );
    let _ = tracing_subscriber::registry()
        .with(output)
        .with(statements)
        .try_init();
}

/// Stderr, with secrets replaced. The formatter hands over each event whole, so a secret is
/// never split across two writes.
#[derive(Clone)]
struct Scrubbed(Arc<Vec<String>>);

struct ScrubbedWriter(Arc<Vec<String>>);

impl<'a> MakeWriter<'a> for Scrubbed {
    type Writer = ScrubbedWriter;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbedWriter(Arc::clone(&self.0))
    }
}

impl Write for ScrubbedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut stderr = std::io::stderr().lock();
        if self.0.is_empty() {
            stderr.write_all(buf)?;
        } else {
            stderr.write_all(scrub(&String::from_utf8_lossy(buf), &self.0).as_bytes())?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

fn scrub(line: &str, secrets: &[String]) -> String {
    let mut line = line.to_owned();
    for secret in secrets {
        if line.contains(secret.as_str()) {
            line = line.replace(secret.as_str(), "***");
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn secrets_are_replaced() {
        let secrets = vec!["tok.en.value".to_owned()];
        assert_eq!(
            scrub("Authorization: Bot tok.en.value\n", &secrets),
            "Authorization: Bot ***\n"
        );
        assert_eq!(scrub("nothing here", &secrets), "nothing here");
    }
}
