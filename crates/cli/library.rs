//! Which sheets to use, where cuecard keeps its files, and opening the search index over them.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use cuecard_index::CardIndex;
use cuecard_sheet::Sheet;

/// The sheets a command works on, the data directory and the database.
#[derive(Clone)]
pub struct Library {
    sheets: Vec<PathBuf>,
    data_dir: Option<PathBuf>,
    database: Option<String>,
    now: Option<jiff::Timestamp>,
    /// The grader `coach` uses; `None`: the one the environment asks for.
    grader: Option<std::sync::Arc<dyn cuecard_grade::Grader>>,
}

impl Library {
    pub fn new(
        sheets: Vec<PathBuf>,
        data_dir: Option<PathBuf>,
        database: Option<String>,
        now: Option<jiff::Timestamp>,
    ) -> Self {
        Self {
            sheets,
            data_dir,
            database,
            now,
            grader: None,
        }
    }

    /// The same library with its coach grading through `grader` (the bot's configured and
    /// metered grader).
    #[must_use]
    pub fn with_grader(mut self, grader: std::sync::Arc<dyn cuecard_grade::Grader>) -> Self {
        self.grader = Some(grader);
        self
    }

    /// The same library over other sheets (the bot's uploaded sheet).
    #[must_use]
    pub fn with_sheets(mut self, sheets: Vec<PathBuf>) -> Self {
        self.sheets = sheets;
        self
    }

    /// The database URL: as configured, else an SQLite file in the data directory.
    pub fn database_url(&self) -> Result<String> {
        if let Some(url) = &self.database {
            return Ok(url.clone());
        }
        let dir = self.data_dir();
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
        Ok(format!("sqlite://{}", dir.join("cuecard.db").display()))
    }

    /// A coach over the sheets, the database and the keyword grader.
    pub async fn coach(&self) -> Result<cuecard_coach::Coach> {
        use std::sync::Arc;
        let index = self.index()?;
        let url = self.database_url()?;
        let store = cuecard_store::Store::open(&url)
            .await
            .context("opening the database")?;
        let clock: Arc<dyn cuecard_coach::Clock> = match (self.now, std::env::var_os("CUECARD_CLOCK_FILE")) {
            (Some(at), _) => Arc::new(cuecard_coach::ManualClock::new(at)),
            (None, Some(path)) => Arc::new(FileClock::new(PathBuf::from(path))),
            (None, None) => Arc::new(cuecard_coach::SystemClock),
        };
        let coach = cuecard_coach::Coach::new(
            Arc::new(index),
            match &self.grader {
                Some(grader) => Arc::clone(grader),
                None => cuecard_grade::llm::grader_from_env(cuecard_grade::KeywordGrader::new())
                    .context("configuring the LLM grader")?,
            },
            store,
            clock,
            cuecard_coach::Policy::default(),
        )?;
        Ok(coach)
    }

    /// The data directory: as configured, else the platform's (`~/.local/share/cuecard` on
    /// Linux), else `.cuecard` here when the platform has none (no home directory).
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        directories::ProjectDirs::from("", "", "cuecard")
            .map_or_else(|| PathBuf::from(".cuecard"), |dirs| dirs.data_dir().to_owned())
    }

    /// Every sheet, parsed: the bundled one unless sheets were named.
    pub fn load(&self) -> Result<Vec<(String, Sheet)>> {
        if self.sheets.is_empty() {
            return Ok(vec![(
                cuecard_sheet::BUNDLED_NAME.to_owned(),
                cuecard_sheet::bundled(),
            )]);
        }
        let mut sheets = Vec::with_capacity(self.sheets.len());
        for path in &self.sheets {
            let sheet = cuecard_sheet::load(path).map_err(|error| {
                anyhow::anyhow!(
                    "{error}\n(run `cuecard check-sheet {}` for details)",
                    path.display()
                )
            })?;
            sheets.push((path.display().to_string(), sheet));
        }
        Ok(sheets)
    }

    /// The search index over every sheet, built on first use and when a sheet changes.
    pub fn index(&self) -> Result<CardIndex> {
        let sheets = self.load()?;
        let (cards, notes) = merge(&sheets)?;
        let dir = self.data_dir().join("index");
        let (index, _) = CardIndex::open_or_build(&dir, &cards, &notes)
            .with_context(|| format!("opening the search index in {}", dir.display()))?;
        Ok(index)
    }
}

/// A clock that reads the time from a file on every call: how end-to-end tests move a running
/// bot through days (`CUECARD_CLOCK_FILE`). The system clock only until the file has been read
/// once.
struct FileClock {
    path: PathBuf,
    /// The last time read from the file.
    last: std::sync::Mutex<Option<jiff::Timestamp>>,
}

impl FileClock {
    fn new(path: PathBuf) -> Self {
        Self {
            path,
            last: std::sync::Mutex::new(None),
        }
    }
}

impl cuecard_coach::Clock for FileClock {
    fn now(&self) -> jiff::Timestamp {
        let read = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|text| text.trim().parse().ok());
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A test moves the clock by rewriting the file, which is empty for a moment between
        // truncate and write. Falling back to the system clock then made the scheduler see
        // the real date for one tick and post a daily drop for it (seen as a stray
        // "Daily question · <today>" in daily::drops_and_recaps_due_while_the_gateway_
        // reconnects_are_posted_once, about one run in ten): a torn read keeps the last time.
        if let Some(now) = read {
            *last = Some(now);
        }
        last.unwrap_or_else(jiff::Timestamp::now)
    }
}

/// All cards and notes of several sheets. The same question in two sheets is an error, since a
/// card id must name one card.
pub fn merge(sheets: &[(String, Sheet)]) -> Result<(Vec<cuecard_core::Card>, Vec<cuecard_core::Note>)> {
    let mut cards: Vec<cuecard_core::Card> = Vec::new();
    let mut origin: std::collections::HashMap<cuecard_core::CardId, (usize, usize)> =
        std::collections::HashMap::new();
    let mut notes = Vec::new();
    for (sheet_index, (name, sheet)) in sheets.iter().enumerate() {
        for card in &sheet.cards {
            if let Some(&(other, line)) = origin.get(&card.id) {
                bail!(
                    "{name}:{}: the question \"{}\" is also in {}:{line}; remove it from one sheet",
                    card.line,
                    card.question,
                    sheets[other].0
                );
            }
            origin.insert(card.id.clone(), (sheet_index, card.line));
            cards.push(card.clone());
        }
        notes.extend(sheet.notes.iter().cloned());
    }
    Ok((cards, notes))
}

/// Reads a sheet for `check-sheet`, keeping warnings.
pub fn check(path: &Path) -> std::result::Result<Sheet, cuecard_sheet::LoadError> {
    cuecard_sheet::load(path)
}
