//! Replacing the sheet while the bot serves: check an uploaded sheet completely, build its index
//! beside the one in use, then swap (`Coach::replace_index`). Nothing is replaced unless every
//! step succeeded, and requests in flight finish on the index they started with.
//!
//! There is one sheet per process, shared by every server it serves, so only the servers an
//! operator lists (`SheetUploads::guilds`) may replace it.

use std::path::PathBuf;
use std::sync::Arc;

use cuecard_coach::Coach;
use cuecard_index::CardIndex;
use cuecard_sheet::Sheet;

/// The largest sheet accepted. The bundled one is about 100 KiB; this leaves room for a big
/// team sheet while keeping a stray upload from eating memory.
pub const MAX_SHEET_BYTES: u32 = 2 * 1024 * 1024;

/// Who may replace the sheet with `/sheet upload`, and where a replacement goes.
#[derive(Debug, Clone, Default)]
pub struct SheetUploads {
    /// Servers whose managers (Manage Server) may replace the sheet. Empty: uploads are off.
    pub guilds: Vec<u64>,
    /// Where to build the new sheet's index (`None`: in memory).
    pub index_dir: Option<PathBuf>,
    /// Where to keep an accepted sheet, so the next start serves it too (`None`: not kept).
    pub save_to: Option<PathBuf>,
}

/// What came of an upload.
#[derive(Debug)]
pub(crate) enum Upload {
    /// The sheet is in use: its cards and topics counted, and the warnings it had.
    Accepted {
        cards: usize,
        topics: usize,
        warnings: Vec<String>,
    },
    /// Nothing changed, for these reasons (one per line, `line N: ...` where there is a line).
    Refused(Vec<String>),
}

/// Checks `bytes` as a sheet: every problem, line-numbered, or the parsed sheet.
pub(crate) fn check(bytes: &[u8], name: &str) -> Result<Sheet, Vec<String>> {
    let sheet = cuecard_sheet::parse_bytes(bytes, name).map_err(|errors| {
        errors
            .problems
            .iter()
            .filter(|p| !p.kind.is_warning())
            .map(|p| format!("line {}: {}", p.line, p.message))
            .collect::<Vec<_>>()
    })?;
    if sheet.cards.is_empty() {
        return Err(vec![
            "no questions found: a sheet needs Question/Key Points tables or Q:/A: blocks under ## topics"
                .to_owned(),
        ]);
    }
    Ok(sheet)
}

/// Checks, indexes and installs a sheet; on any failure the old sheet keeps serving.
pub(crate) async fn install(coach: &Coach, uploads: &SheetUploads, bytes: Vec<u8>, name: &str) -> Upload {
    let sheet = match check(&bytes, name) {
        Ok(sheet) => sheet,
        Err(problems) => return Upload::Refused(problems),
    };
    let warnings: Vec<String> = sheet
        .warnings
        .iter()
        .map(|p| format!("line {}: {}", p.line, p.message))
        .collect();
    let cards = sheet.cards.len();
    let index_dir = uploads.index_dir.clone();
    // Building an index is seconds of CPU and disk: off the async workers, so the bot keeps
    // answering on the old index meanwhile.
    let built = tokio::task::spawn_blocking(move || match index_dir {
        Some(dir) => CardIndex::open_or_build(&dir, &sheet.cards, &sheet.notes).map(|(index, _)| index),
        None => CardIndex::in_ram(&sheet.cards, &sheet.notes),
    })
    .await;
    let index = match built {
        Ok(Ok(index)) => index,
        Ok(Err(error)) => {
            tracing::error!(error = %error, "could not index an uploaded sheet");
            return Upload::Refused(vec![
                "the sheet could not be indexed; the error was logged".to_owned(),
            ]);
        }
        Err(error) => {
            tracing::error!(error = %error, "indexing an uploaded sheet panicked");
            return Upload::Refused(vec![
                "the sheet could not be indexed; the error was logged".to_owned(),
            ]);
        }
    };
    // Keep the sheet before serving it, so a sheet that is served is also the one a restart
    // serves; a failure here leaves everything as it was.
    if let Some(path) = &uploads.save_to
        && let Err(error) = save(path, &bytes)
    {
        tracing::error!(path = %path.display(), error = %error, "could not keep an uploaded sheet");
        return Upload::Refused(vec![
            "the sheet could not be saved on the server; the error was logged".to_owned(),
        ]);
    }
    let topics = index.topics().iter().filter(|t| t.cards > 0).count();
    coach.replace_index(Arc::new(index));
    Upload::Accepted {
        cards,
        topics,
        warnings,
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash never leaves half
/// a sheet for the next start.
fn save(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = path.with_extension("md.partial");
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_listed_with_their_lines() {
        let text = "# Sheet\n\n## Topic\n\n| Question | Key Points |\n|---|---|\n| What? | |\n";
        let problems = check(text.as_bytes(), "up.md").err().unwrap_or_default();
        assert!(!problems.is_empty());
        assert!(problems.iter().all(|p| p.starts_with("line ")), "{problems:?}");
        let problems = check(b"\xff\xfe not text", "up.md").err().unwrap_or_default();
        assert!(!problems.is_empty(), "bytes that are not UTF-8 are refused");
        let problems = check(b"# Only a title\n\nSome prose.\n", "up.md")
            .err()
            .unwrap_or_default();
        assert!(problems[0].contains("no questions"), "{problems:?}");
        assert!(check(cuecard_sheet::BUNDLED_TEXT.as_bytes(), "bundled.md").is_ok());
    }
}
