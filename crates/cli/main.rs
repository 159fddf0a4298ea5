//! The `cuecard` command: practice interview questions from a markdown cheat sheet, look things
//! up in it, and check sheets you write.
//!
//! This is the thin terminal skin over cuecard's library crates: argument parsing (clap), output
//! formatting (text for people, `--json` for scripts) and exit codes. The behaviour lives in the
//! crates under `crates/`.

mod browse;
mod grading;
mod library;
mod logging;
mod practice;
mod serve;
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
    /// directory, e.g. ~/.local/share/cuecard].
    #[arg(long, value_name = "DIR", env = "CUECARD_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,

    /// The database [default: an SQLite file in the data directory]; `postgres://...` for Postgres.
    #[arg(long, value_name = "URL", env = "DATABASE_URL", global = true)]
    database: Option<String>,

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let library = library::Library::new(cli.sheets, cli.data_dir, cli.database, cli.now);
    let result = match cli.command {
        Command::Lookup(args) => browse::lookup(&library, &args),
        Command::Topics(args) => browse::topics(&library, &args),
        Command::Ask(args) => browse::ask(&library, &args),
        Command::Show(args) => browse::show(&library, &args),
        Command::CheckSheet(args) => browse::check_sheet(&args),
        Command::Index(args) => browse::index(&library, &args),
        Command::Serve(args) => serve::serve(&library, &args),
        Command::Practice(args) => practice::practice(&library, &args),
        Command::Stats(args) => practice::stats(&library, &args),
        Command::Grade(args) => grading::run_grade(&library, &args),
        Command::Eval(args) => grading::run_eval(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
