//! The index on disk: built once per content, reused while the content is unchanged, rebuilt
//! when it changes, and safe when two processes start at once.

use cuecard_index::{BuildOutcome, CardIndex, IndexError, Search};

fn sheet(answer: &str) -> cuecard_sheet::Sheet {
    cuecard_sheet::parse(&format!(
        "## Linux\n\n| Question | Key Points |\n|---|---|\n| Disk full? | {answer} |\n"
    ))
    .unwrap()
}

fn index_dirs(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn built_once_then_reused_then_rebuilt_on_change() -> Result<(), IndexError> {
    let dir = tempfile::tempdir().unwrap();
    let first = sheet("`df -h`, `du -sh`");
    let (index, outcome) = CardIndex::open_or_build(dir.path(), &first.cards, &first.notes)?;
    assert_eq!(outcome, BuildOutcome::Built);
    assert_eq!(index.search("du", &Search::default())?.len(), 1);
    drop(index);

    let (_, outcome) = CardIndex::open_or_build(dir.path(), &first.cards, &first.notes)?;
    assert_eq!(outcome, BuildOutcome::Reused);
    let before = index_dirs(dir.path());
    assert_eq!(before.len(), 1, "{before:?}");

    let second = sheet("`df -h`, `ncdu`");
    let (index, outcome) = CardIndex::open_or_build(dir.path(), &second.cards, &second.notes)?;
    assert_eq!(outcome, BuildOutcome::Built);
    assert_eq!(index.search("ncdu", &Search::default())?.len(), 1);
    let after = index_dirs(dir.path());
    assert_eq!(after.len(), 1, "the stale index is removed: {after:?}");
    assert_ne!(before, after);
    Ok(())
}

#[test]
fn two_builders_at_once_both_get_a_whole_index() {
    let dir = tempfile::tempdir().unwrap();
    let content = cuecard_sheet::bundled();
    std::thread::scope(|scope| {
        let builders: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| CardIndex::open_or_build(dir.path(), &content.cards, &content.notes)))
            .collect();
        for builder in builders {
            let (index, _) = builder.join().unwrap().unwrap();
            assert_eq!(index.topics().iter().map(|t| t.cards).sum::<usize>(), 69);
            assert!(!index.search("canary", &Search::default()).unwrap().is_empty());
        }
    });
    assert_eq!(index_dirs(dir.path()).len(), 1);
}

#[test]
fn an_incomplete_index_directory_is_rebuilt_not_trusted() -> Result<(), IndexError> {
    let dir = tempfile::tempdir().unwrap();
    let content = sheet("`df -h`");
    let (index, _) = CardIndex::open_or_build(dir.path(), &content.cards, &content.notes)?;
    let location = index.location().to_owned();
    drop(index);
    std::fs::remove_file(location.join("cuecard-index.json")).unwrap();
    let (index, outcome) = CardIndex::open_or_build(dir.path(), &content.cards, &content.notes)?;
    assert_eq!(outcome, BuildOutcome::Built);
    assert_eq!(index.search("df", &Search::default())?.len(), 1);
    Ok(())
}
