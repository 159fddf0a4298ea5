//! The LLM grader: any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, a
//! llama.cpp server, LM Studio) judges each key point, so that paraphrases the keyword grader's
//! word lists miss still earn credit. It must make grades better, never worse or gameable, and
//! never leave a user without a grade.
//!
//! # How a grade is made
//!
//! 1. The keyword grader grades the answer first (microseconds). That grade is the fallback, the
//!    cross-check and, for an answer that talks to the grader, the ceiling.
//! 2. The prompt (`prompts/grade.md`, versioned) gives the question, the numbered key points and
//!    then the answer, between tags with a random boundary made for this request; the answer is
//!    capped, sentences addressed to the grader are blanked out, and anything that could close
//!    the tag or forge a chat-template token is defused ([`prompt`]).
//! 3. The model must reply with one `{"evidence", "verdict"}` object per key point (structured
//!    output, `json_schema` strict, or llama-cpp-python's `json_object` with a schema when the
//!    server rejects that), at temperature 0 with a fixed seed and a token cap. The reply is
//!    validated here whatever the server claims: a missing point, an extra property (a "score"),
//!    an unknown verdict or a reply cut at the token limit rejects the whole reply.
//! 4. The score is computed in Rust from the verdicts ([`Calibration::score_from_verdicts`]);
//!    the model never gives one.
//!
//! # Defences, layered
//!
//! - **Evidence**: a covered or partial verdict counts only if its quote occurs in the answer
//!   (after folding case, Unicode forms and punctuation); the grade shows the user's own words.
//! - **Injection detector**: [`screen::injection_spans`] finds text addressed to the grader
//!   ("ignore previous instructions", role tags, fake JSON verdicts, "full marks", ...). That text
//!   is removed before the request, and the answer's score is capped at its keyword grade: an
//!   injected answer never scores above what its real content earns.
//! - **Disputes**: where the model says covered (or partial) but the keyword grader finds no
//!   word of that point at all, and the semantic grader (when its model is available, see
//!   [`LlmGrader::with_semantic`]) finds no sentence close to it either, the point is disputed
//!   and does not count. The model can upgrade what the cross-check half-sees; it cannot conjure
//!   a point from nothing.
//! - Keyword lists are capped as the keyword grader caps them.
//!
//! # Never without a grade
//!
//! The whole grade has a time budget (default 15 s; 2 s to connect). A timeout, a 429 or a 5xx
//! is retried once after a random pause, if the budget allows; anything else is not. After a few
//! failures in a row a circuit breaker stops calling the endpoint for a while. On any failure the
//! user gets the keyword grade, labelled [`GraderKind::KeywordFallback`], with the reason in its
//! remarks. Validated verdicts are cached by model, prompt version, card and normalised answer,
//! so the same answer always gets the same grade.
//!
//! ```no_run
//! use std::sync::Arc;
//! use cuecard_grade::{Grader, GradeRequest, KeywordGrader, llm};
//!
//! # async fn run(card: &cuecard_core::Card) -> Result<(), Box<dyn std::error::Error>> {
//! // An LlmGrader when CUECARD_LLM_URL is set, else the keyword grader.
//! let grader: Arc<dyn Grader> = llm::grader_from_env(KeywordGrader::new())?;
//! let grade = grader.grade(GradeRequest::for_card(card, "SGs are stateful")).await;
//! println!("{} ({:?})", grade.score, grade.grader);
//! # Ok(()) }
//! ```

mod breaker;
mod cache;
mod config;
mod judge;
pub mod prompt;
mod reply;
mod transport;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cuecard_core::{Grade, GraderKind, Verdict};
use tokio::time::Instant;

pub use config::{
    ApiKey, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, ENV_API_KEY, ENV_MODEL, ENV_TIMEOUT_SECS, ENV_URL,
    LlmConfig, LlmConfigError,
};
pub use prompt::PROMPT_VERSION;

use self::breaker::Breaker;
use self::cache::VerdictCache;
use self::judge::KeywordView;
use self::reply::ModelVerdict;
use self::transport::{CallError, Format};
use crate::{Calibration, GradeFuture, GradeRequest, Grader, KeywordGrader, SemanticGrader, screen};

/// A retry is only worth making with at least this much of the budget left.
const MIN_RETRY_BUDGET: Duration = Duration::from_millis(500);

/// The LLM grader could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LlmError {
    /// A setting is wrong.
    #[error(transparent)]
    Config(#[from] LlmConfigError),
    /// The HTTP client could not be set up (the TLS roots could not be loaded).
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// Grades answers with an LLM endpoint, checked by and falling back to a [`KeywordGrader`].
/// See the [module documentation](self) for what it defends against.
///
/// Cheap to share: one per process, behind an `Arc<dyn Grader>`. Needs a Tokio runtime.
#[derive(Debug)]
pub struct LlmGrader {
    config: LlmConfig,
    keyword: KeywordGrader,
    /// The same grader with "partial" at any trace of a point, for the dispute check.
    cross_check: KeywordGrader,
    http: reqwest::Client,
    breaker: Breaker,
    cache: VerdictCache,
    /// Set once the server rejected `json_schema` and took `json_object`: no need to ask twice.
    json_object_only: AtomicBool,
    /// The semantic tier, when configured: a point it finds is not disputed, so a paraphrase
    /// the keyword lists miss can stand.
    semantic: Option<SemanticGrader>,
}

impl LlmGrader {
    /// A grader for the endpoint in `config`, using `keyword` for cross-checks and fallbacks.
    pub fn new(config: LlmConfig, keyword: KeywordGrader) -> Result<Self, LlmError> {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("cuecard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LlmError::Client(e.without_url().to_string()))?;
        let cross_check = keyword.clone().with_calibration(Calibration {
            partial_at: f64::MIN_POSITIVE,
            ..keyword.calibration().clone()
        });
        Ok(Self {
            breaker: Breaker::new(config.breaker_threshold, config.breaker_cooldown),
            cache: VerdictCache::new(config.cache_capacity),
            config,
            keyword,
            cross_check,
            http,
            json_object_only: AtomicBool::new(false),
            semantic: None,
        })
    }

    /// The same grader cross-checking with `semantic` as well as keywords: a verdict stands if
    /// either finds the point. Without its model, the semantic grader adds nothing (keywords
    /// alone cross-check, as before).
    #[must_use]
    pub fn with_semantic(mut self, semantic: SemanticGrader) -> Self {
        self.semantic = Some(semantic);
        self
    }

    /// The configuration in use.
    #[must_use]
    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// How many validated grades are cached.
    #[must_use]
    pub fn cached(&self) -> usize {
        self.cache.len()
    }

    /// Grades one answer: the LLM grade, or the keyword grade labelled as a fallback with the
    /// reason. Never fails, never takes much longer than the configured timeout.
    pub async fn grade_request(&self, request: GradeRequest<'_>) -> Grade {
        let assessment = self.keyword.assess(
            request.question,
            request.key_points,
            request.answer,
            request.topic,
        );
        // Nothing for a model to judge: the keyword grade is the whole truth, and says so.
        if request.key_points.is_empty() || request.answer.trim().is_empty() {
            return assessment.grade;
        }
        let calibration = self.keyword.calibration();
        let mut remarks = Vec::new();
        let (capped, was_cut) = screen::cap(request.answer, calibration.max_answer_chars);
        if was_cut {
            remarks.push(format!(
                "Your answer was cut at {} characters; only that much was graded.",
                calibration.max_answer_chars
            ));
        }
        let injected = screen::injection_spans(capped);
        let graded_text = if injected.is_empty() {
            capped.to_owned()
        } else {
            screen::blank(capped, &injected)
        };

        let key = cache::key(&self.config.model, &request);
        let verdicts = if let Some(verdicts) = self.cache.get(&key) {
            verdicts
        } else {
            if let Err(wait) = self.breaker.allow() {
                let reason = format!(
                    "the LLM grader is paused after {} failures in a row; it tries again in {} s",
                    self.config.breaker_threshold,
                    wait.as_secs().max(1)
                );
                return fallback(assessment.grade, &reason);
            }
            match self.ask(&request, &graded_text).await {
                Ok(verdicts) => {
                    self.breaker.success();
                    self.cache.insert(key, verdicts.clone());
                    verdicts
                }
                Err(error) => {
                    self.breaker.failure();
                    return fallback(assessment.grade, &error.to_string());
                }
            }
        };

        let mut found_anything: Vec<bool> = self
            .cross_check
            .assess(request.question, request.key_points, &graded_text, request.topic)
            .grade
            .points
            .iter()
            .map(|p| p.verdict != Verdict::Missing)
            .collect();
        if let Some(found) = self
            .semantic
            .as_ref()
            .and_then(|s| crate::semantic::points_found(s, &request))
        {
            for (f, s) in found_anything.iter_mut().zip(found) {
                *f |= s;
            }
        }
        let view = KeywordView {
            assessment: &assessment,
            found_anything: &found_anything,
        };
        judge::judge(
            request.key_points,
            &verdicts,
            &graded_text,
            &view,
            calibration,
            !injected.is_empty(),
            remarks,
        )
    }

    /// Asks the endpoint, within the time budget: one retry on a transient failure, one switch
    /// to `json_object` when `json_schema` is refused.
    async fn ask(
        &self,
        request: &GradeRequest<'_>,
        graded_text: &str,
    ) -> Result<Vec<ModelVerdict>, CallError> {
        let deadline = Instant::now() + self.config.timeout;
        let points = request.key_points.len();
        let boundary = prompt::boundary();
        let prompt = prompt::render(request.question, request.key_points, graded_text, &boundary)
            .map_err(|_| CallError::Transport("the prompt template failed to render".into()))?;
        let mut format = if self.json_object_only.load(Ordering::Relaxed) {
            Format::JsonObject
        } else {
            Format::JsonSchema
        };
        let mut retried = false;
        let mut switched = false;
        loop {
            let body = transport::body(&self.config, &prompt, points, format);
            let error = match transport::exchange(&self.http, &self.config, &body, points, deadline).await {
                Ok(verdicts) => {
                    if switched {
                        self.json_object_only.store(true, Ordering::Relaxed);
                    }
                    return Ok(verdicts);
                }
                Err(error) => error,
            };
            if format == Format::JsonSchema && !switched && error.may_be_format_rejection() {
                format = Format::JsonObject;
                switched = true;
                continue;
            }
            if retried || !error.is_transient() {
                return Err(error);
            }
            let pause = match &error {
                CallError::RateLimited {
                    retry_after: Some(after),
                } => (*after).max(jitter()),
                _ => jitter(),
            };
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining < pause + MIN_RETRY_BUDGET {
                return Err(error);
            }
            tokio::time::sleep(pause).await;
            retried = true;
        }
    }
}

impl Grader for LlmGrader {
    fn kind(&self) -> GraderKind {
        GraderKind::Llm
    }

    fn grade<'a>(&'a self, request: GradeRequest<'a>) -> GradeFuture<'a> {
        Box::pin(self.grade_request(request))
    }
}

/// The grader the environment asks for: an [`LlmGrader`] when `CUECARD_LLM_URL` is set (see
/// [`LlmConfig::from_env`]), else `keyword` itself.
pub fn grader_from_env(keyword: KeywordGrader) -> Result<Arc<dyn Grader>, LlmError> {
    grader_from_config(LlmConfig::from_env()?, keyword)
}

/// [`grader_from_env`] with the configuration already read.
pub fn grader_from_config(
    config: Option<LlmConfig>,
    keyword: KeywordGrader,
) -> Result<Arc<dyn Grader>, LlmError> {
    Ok(match config {
        Some(config) => Arc::new(LlmGrader::new(config, keyword)?),
        None => Arc::new(keyword),
    })
}

/// The keyword grade, labelled as a fallback, the reason first among its remarks.
fn fallback(mut grade: Grade, reason: &str) -> Grade {
    grade.grader = GraderKind::KeywordFallback;
    grade.remarks.insert(
        0,
        format!("The LLM grader could not grade this ({reason}); this is the keyword grade."),
    );
    grade
}

/// A random pause before the retry (100 to 400 ms), so that many clients who failed together do
/// not all come back together.
fn jitter() -> Duration {
    Duration::from_millis(rand::random_range(100..=400))
}

/// reqwest is built without a default TLS crypto provider (see the workspace Cargo.toml); this
/// installs ring's as the process default unless one is installed already.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may win the race; either way a provider is installed after this.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
