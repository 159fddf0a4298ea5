//! Building the index, and finding an already built one.

use std::fs;
use std::path::{Path, PathBuf};

use cuecard_core::{Card, Note};
use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexWriter, ReloadPolicy, TantivyDocument};

use crate::search::TopicCount;
use crate::{CardIndex, Fields, IndexError, schema};

/// Bumped when the schema or the way documents are written changes, so old indexes are rebuilt.
const FORMAT: u32 = 2;
/// The file, inside an index directory, that records what the index holds. Written last: an
/// index directory without it is incomplete.
const META_FILE: &str = "cuecard-index.json";
/// Indexing memory. tantivy needs at least 15 MB per thread; one thread is plenty for sheets.
const WRITER_MEMORY: usize = 50_000_000;

/// What opening found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildOutcome {
    /// An index of this content was already there.
    Reused,
    /// The index was built now.
    Built,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    format: u32,
    fingerprint: String,
    cards: usize,
    notes: usize,
    topics: Vec<TopicCount>,
}

/// A hash of the cards and notes themselves (not of the sheet files), so that a parser that
/// reads the same sheet differently also gets a fresh index.
#[must_use]
pub fn content_fingerprint(cards: &[Card], notes: &[Note]) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&FORMAT.to_le_bytes());
    // Serialising plain data structures cannot fail.
    hasher.update(&serde_json::to_vec(cards).unwrap_or_default());
    hasher.update(&serde_json::to_vec(notes).unwrap_or_default());
    hasher.finalize().to_hex()[..16].to_owned()
}

fn tantivy_error(path: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy {
        path: path.display().to_string(),
        source,
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn count_topics(cards: &[Card], notes: &[Note]) -> Vec<TopicCount> {
    let mut topics: Vec<TopicCount> = Vec::new();
    let mut entry = |topic: &cuecard_core::Topic| -> usize {
        if let Some(i) = topics.iter().position(|t| t.topic.slug() == topic.slug()) {
            i
        } else {
            topics.push(TopicCount {
                topic: topic.clone(),
                cards: 0,
                notes: 0,
            });
            topics.len() - 1
        }
    };
    let mut card_counts = Vec::new();
    for card in cards {
        card_counts.push(entry(&card.topic));
    }
    let mut note_counts = Vec::new();
    for note in notes {
        note_counts.push(entry(&note.topic));
    }
    for i in card_counts {
        topics[i].cards += 1;
    }
    for i in note_counts {
        topics[i].notes += 1;
    }
    topics
}

fn write_documents(
    index: &Index,
    fields: Fields,
    cards: &[Card],
    notes: &[Note],
    path: &Path,
) -> Result<(), IndexError> {
    let mut writer: IndexWriter = index
        .writer_with_num_threads(1, WRITER_MEMORY)
        .map_err(tantivy_error(path))?;
    for card in cards {
        let mut doc = TantivyDocument::new();
        doc.add_text(fields.kind, "card");
        doc.add_text(fields.id, card.id.as_str());
        doc.add_text(fields.topic, card.topic.slug());
        doc.add_text(fields.title, &card.question);
        doc.add_text(fields.key_points, &card.answer);
        if let Some(subtopic) = &card.subtopic {
            doc.add_text(fields.body, subtopic);
        }
        doc.add_text(fields.words, &card.question);
        doc.add_text(fields.words, &card.answer);
        doc.add_text(fields.record, serde_json::to_string(card).unwrap_or_default());
        writer.add_document(doc).map_err(tantivy_error(path))?;
    }
    for note in notes {
        let mut doc = TantivyDocument::new();
        doc.add_text(fields.kind, "note");
        doc.add_text(fields.id, note.id.as_str());
        doc.add_text(fields.topic, note.topic.slug());
        doc.add_text(fields.title, &note.title);
        doc.add_text(fields.body, &note.body);
        doc.add_text(fields.words, &note.title);
        doc.add_text(fields.words, &note.body);
        doc.add_text(fields.record, serde_json::to_string(note).unwrap_or_default());
        writer.add_document(doc).map_err(tantivy_error(path))?;
    }
    writer.commit().map_err(tantivy_error(path))?;
    writer.wait_merging_threads().map_err(tantivy_error(path))?;
    Ok(())
}

fn reader(index: &Index, path: &Path) -> Result<tantivy::IndexReader, IndexError> {
    // The index never changes once built: no reload thread.
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(tantivy_error(path))
}

pub(crate) fn in_ram(cards: &[Card], notes: &[Note]) -> Result<CardIndex, IndexError> {
    let (schema, fields) = schema();
    let index = Index::create_in_ram(schema);
    let path = PathBuf::from("memory");
    write_documents(&index, fields, cards, notes, &path)?;
    Ok(CardIndex {
        reader: reader(&index, &path)?,
        index,
        fields,
        topics: count_topics(cards, notes),
        location: path,
    })
}

fn open_built(path: &Path) -> Result<CardIndex, IndexError> {
    let damaged = |reason: String| IndexError::Damaged {
        path: path.display().to_string(),
        reason,
    };
    let meta = fs::read(path.join(META_FILE)).map_err(|e| damaged(e.to_string()))?;
    let meta: Meta = serde_json::from_slice(&meta).map_err(|e| damaged(e.to_string()))?;
    let index = Index::open_in_dir(path).map_err(tantivy_error(path))?;
    let (_, fields) = schema();
    Ok(CardIndex {
        reader: reader(&index, path)?,
        index,
        fields,
        topics: meta.topics,
        location: path.to_owned(),
    })
}

pub(crate) fn open_or_build(
    dir: &Path,
    cards: &[Card],
    notes: &[Note],
) -> Result<(CardIndex, BuildOutcome), IndexError> {
    let fingerprint = content_fingerprint(cards, notes);
    let target = dir.join(&fingerprint);
    if target.join(META_FILE).is_file() {
        return Ok((open_built(&target)?, BuildOutcome::Reused));
    }
    if target.exists() {
        // Indexes arrive whole by rename, meta file included, so one without it was damaged
        // after the fact (a user's cleanup, a full disk): rebuild rather than trust it.
        fs::remove_dir_all(&target).map_err(io_error(&target))?;
    }
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    let staging = tempfile::Builder::new()
        .prefix(".building-")
        .tempdir_in(dir)
        .map_err(io_error(dir))?;
    let (schema, fields) = schema();
    let index = Index::create_in_dir(staging.path(), schema).map_err(tantivy_error(staging.path()))?;
    write_documents(&index, fields, cards, notes, staging.path())?;
    drop(index);
    let meta = Meta {
        format: FORMAT,
        fingerprint: fingerprint.clone(),
        cards: cards.len(),
        notes: notes.len(),
        topics: count_topics(cards, notes),
    };
    let meta_path = staging.path().join(META_FILE);
    fs::write(&meta_path, serde_json::to_vec_pretty(&meta).unwrap_or_default())
        .map_err(io_error(&meta_path))?;
    let staged = staging.keep();
    match fs::rename(&staged, &target) {
        Ok(()) => {}
        // Another process built the same content first: use theirs.
        Err(_) if target.join(META_FILE).is_file() => {
            let _ = fs::remove_dir_all(&staged);
        }
        Err(source) => {
            let _ = fs::remove_dir_all(&staged);
            return Err(IndexError::Io {
                path: target.display().to_string(),
                source,
            });
        }
    }
    remove_stale(dir, &fingerprint);
    Ok((open_built(&target)?, BuildOutcome::Built))
}

/// Removes indexes of older content. Best effort: a process still reading one keeps its open
/// files (on Unix), and a failure only leaves disk space behind.
fn remove_stale(dir: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_index = name.len() == keep.len() && name.chars().all(|c| c.is_ascii_hexdigit());
        if is_index && name != keep {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
