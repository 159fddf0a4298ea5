//! Running the built binary with its own data directory, and reading what it printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A `cuecard` whose index and database live in a fresh temporary directory.
pub struct Cuecard {
    data: tempfile::TempDir,
}

/// What a run printed, and how it ended.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

impl Cuecard {
    pub fn new() -> Self {
        Self {
            data: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = Command::new(env!("CARGO_BIN_EXE_cuecard"))
            .args(args)
            .env("CUECARD_DATA_DIR", self.data.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("the cuecard binary runs");
        Run {
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            success: status.success(),
        }
    }

    /// Runs and insists on success, showing everything printed when it fails.
    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert!(
            run.success,
            "cuecard {args:?} failed:\n{}\n{}",
            run.stdout, run.stderr
        );
        run
    }

    /// Writes a file into the data directory's sibling space and returns its path.
    pub fn write(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.data.path().join(name);
        std::fs::write(&path, contents).expect("write test file");
        path
    }
}

/// The sheet that ships with cuecard, as a file.
pub fn bundled_sheet_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("index/devops-interview.md")
}
