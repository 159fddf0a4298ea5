//! The `cuecard` command: practice interview questions from a markdown cheat sheet, look things
//! up in it, and check sheets you write.
//!
//! This is the thin terminal skin over cuecard's library crates: argument parsing (clap), output
//! formatting (text for people, `--json` for scripts) and exit codes. The behaviour lives in the
//! crates under `crates/`.

mod browse;
mod config;
mod grading;
mod health;
mod library;
mod logging;
mod practice;
mod serve;
mod telemetry;
mod term;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A study coach for DevOps and cloud interviews, driven by a markdown cheat sheet.
///
/// Without --sheet, cuecard uses its bundled DevOps cheat sheet.
#[derive(Debug, Parser)]
#[command(name = "cuecard", version, propagate_version = true)]
struct Cli {
    /// A cheat sheet to use instead of the bundled one (repeat to combine sheets).
    #[arg(long = "sheet", value_name = "FILE", global = true)]
    sheets: Vec<PathBuf>,

    /// Where cuecard keeps its search index and database [default: the platform's data
    /// directory, e.g. ~/.local/share/cuecard; env: CUECARD_DATA_DIR].
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,

    /// The database [default: an SQLite file in the data directory]; `postgres://...` for
    /// Postgres [env: DATABASE_URL].
    #[arg(long, value_name = "URL", global = true)]
    database: Option<String>,

    /// A TOML configuration file (see cuecard.example.toml); the environment and flags override it.
    #[arg(long, value_name = "FILE", env = "CUECARD_CONFIG", global = true)]
    config: Option<PathBuf>,

    /// Log lines as text (for people) or json (one object per line, for log shippers)
    /// [default: text; env: CUECARD_LOG_FORMAT].
    #[arg(long, value_name = "FORMAT", global = true)]
    log_format: Option<config::LogFormat>,

    /// Pretend it is this instant (RFC 3339), to test review schedules.
    #[arg(long, value_name = "TIME", env = "CUECARD_NOW", global = true, hide = true)]
    now: Option<jiff::Timestamp>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Lookup(browse::LookupArgs),
    Topics(browse::TopicsArgs),
    Ask(browse::AskArgs),
    Show(browse::ShowArgs),
    CheckSheet(browse::CheckSheetArgs),
    Index(browse::IndexArgs),
    Serve(serve::ServeArgs),
    Practice(practice::PracticeArgs),
    Stats(practice::StatsArgs),
    Grade(grading::GradeArgs),
    Eval(grading::EvalArgs),
    Config(config::ConfigArgs),
}

/// Exit status for a configuration that cannot be used (sysexits' EX_CONFIG): the systemd unit
/// does not restart on it, since restarting would not help.
const EXIT_CONFIG: u8 = 78;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut flags = vec![
        (
            "data_dir",
            cli.data_dir.as_ref().map(|d| d.display().to_string()),
            "--data-dir",
        ),
        ("database.url", cli.database.clone(), "--database"),
        (
            "log.format",
            cli.log_format.map(|f| format!("{f:?}")),
            "--log-format",
        ),
    ];
    if let Command::Serve(args) = &cli.command {
        flags.extend(args.config_flags());
    }
    let mut config = match config::Config::load(cli.config.as_deref(), &flags) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if !cli.sheets.is_empty() {
        config.sheets = cli.sheets;
    }
    let library = library::Library::new(
        config.sheets.clone(),
        config.data_dir.clone(),
        config.database_url.as_ref().map(|url| url.expose().to_owned()),
        cli.now,
    );
    // `grader` in the configuration (or CUECARD_GRADER) picks practice's grader too.
    let library = match (&cli.command, config.grader) {
        (Command::Practice(_), Some(_)) => match grading::configured_grader(&config) {
            Ok(grader) => library.with_grader(grader),
            Err(error) => {
                eprintln!("error: {error:#}");
                return ExitCode::FAILURE;
            }
        },
        _ => library,
    };
    let result = match cli.command {
        Command::Lookup(args) => browse::lookup(&library, &args),
        Command::Topics(args) => browse::topics(&library, &args),
        Command::Ask(args) => browse::ask(&library, &args),
        Command::Show(args) => browse::show(&library, &args),
        Command::CheckSheet(args) => browse::check_sheet(&args),
        Command::Index(args) => browse::index(&library, &args),
        Command::Serve(_) => serve::serve(&library, &config),
        Command::Practice(args) => practice::practice(&library, &args),
        Command::Stats(args) => practice::stats(&library, &args),
        Command::Grade(args) => grading::run_grade(&library, &config, &args),
        Command::Eval(args) => grading::run_eval(&config, &args),
        Command::Config(args) => Ok(config::check(&config, &args)),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
