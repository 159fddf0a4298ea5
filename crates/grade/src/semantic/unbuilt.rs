//! Stands in for the model when cuecard is built without the `semantic` feature: loading says
//! so, and the semantic grader falls back to keywords as it does when the files are missing.

use std::path::{Path, PathBuf};

use super::{Embedding, SemanticError};

/// Never loaded: see the module documentation.
#[derive(Debug)]
pub(crate) struct Embedder {
    pub dir: PathBuf,
}

// The same methods as the real `Embedder`, so the grader's code is the same in both builds.
#[allow(clippy::unused_self)]
impl Embedder {
    pub fn load(_dir: &Path) -> Result<Self, SemanticError> {
        Err(SemanticError::NotBuilt)
    }

    pub fn dimension(&self) -> usize {
        0
    }

    pub fn embed(&self, _texts: &[&str]) -> Result<Vec<Embedding>, SemanticError> {
        Err(SemanticError::NotBuilt)
    }
}
