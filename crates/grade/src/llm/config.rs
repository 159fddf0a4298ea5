//! Where the LLM endpoint is and how long to wait for it: one typed struct, read from the
//! environment, checked at start with errors that name the variable (and never echo the key).

use std::fmt;
use std::time::Duration;

use reqwest::Url;

/// The endpoint's base URL (OpenAI-compatible, e.g. `http://127.0.0.1:8080/v1`). Unset: no LLM.
pub const ENV_URL: &str = "CUECARD_LLM_URL";
/// The model name sent with each request.
pub const ENV_MODEL: &str = "CUECARD_LLM_MODEL";
/// The API key, sent as a bearer token. Read from the environment only.
pub const ENV_API_KEY: &str = "CUECARD_LLM_API_KEY";
/// The whole-grade time budget in seconds (default 15).
pub const ENV_TIMEOUT_SECS: &str = "CUECARD_LLM_TIMEOUT_SECS";

/// The default whole-grade time budget: long enough for a local model on a laptop, short enough
/// that a user waiting in Discord gets the keyword grade while still paying attention.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// A reachable server accepts a connection in milliseconds; waiting longer only delays the
/// fallback (and leaves time for the one retry).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// An API key. Its `Debug` output is redacted and it has no `Display`, so it cannot reach a log
/// line, an error message or a panic by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// How to reach an OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, a
/// llama.cpp server, LM Studio) and how patient to be with it.
///
/// ```
/// use std::time::Duration;
/// use cuecard_grade::llm::LlmConfig;
///
/// let config = LlmConfig::new("http://127.0.0.1:11434/v1", "qwen2.5:7b")?
///     .with_timeout(Duration::from_secs(20));
/// assert_eq!(config.chat_url().as_str(), "http://127.0.0.1:11434/v1/chat/completions");
/// # Ok::<(), cuecard_grade::llm::LlmConfigError>(())
/// ```
#[derive(Clone)]
pub struct LlmConfig {
    /// The base URL, ending in `/v1` (or wherever `/chat/completions` lives).
    pub base_url: Url,
    /// The model name.
    pub model: String,
    /// The bearer token, if the endpoint needs one.
    pub api_key: Option<ApiKey>,
    /// How long to wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// How long one grade may take in all, retry included; then the keyword grade is used.
    pub timeout: Duration,
    /// The most tokens a reply may have; the request asks for less when the card has few points.
    pub max_tokens: u32,
    /// The sampling seed, for servers that honour one (OpenAI, Ollama, vLLM, llama.cpp).
    pub seed: u64,
    /// Consecutive failures after which the grader stops calling the endpoint for a while.
    pub breaker_threshold: u32,
    /// How long the grader stops calling the endpoint after `breaker_threshold` failures.
    pub breaker_cooldown: Duration,
    /// How many validated grades the in-memory cache keeps.
    pub cache_capacity: usize,
}

/// A setting that cannot be used. Names the variable; never contains the API key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LlmConfigError {
    /// The URL does not parse, or is not http(s).
    #[error("{variable}: \"{value}\" is not an http(s) URL")]
    BadUrl {
        /// The variable (or argument) that held it.
        variable: &'static str,
        /// What it held, with any user:password part removed.
        value: String,
    },
    /// A URL was given but no model.
    #[error("{ENV_URL} is set, so {ENV_MODEL} must name the model to use")]
    NoModel,
    /// The timeout is not a positive number of seconds (at most 600).
    #[error("{ENV_TIMEOUT_SECS}: \"{0}\" is not a number of seconds between 0 and 600")]
    BadTimeout(String),
}

impl fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &redacted_url(self.base_url.as_str()))
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_tokens", &self.max_tokens)
            .field("seed", &self.seed)
            .field("breaker_threshold", &self.breaker_threshold)
            .field("breaker_cooldown", &self.breaker_cooldown)
            .field("cache_capacity", &self.cache_capacity)
            .finish()
    }
}

impl LlmConfig {
    /// A configuration with the defaults: 2 s to connect, 15 s per grade, up to 1024 reply
    /// tokens, circuit breaker after 3 failures for 30 s, 4096 cached grades.
    pub fn new(base_url: &str, model: impl Into<String>) -> Result<Self, LlmConfigError> {
        let model = model.into();
        if model.trim().is_empty() {
            return Err(LlmConfigError::NoModel);
        }
        Ok(Self {
            base_url: parse_base_url(base_url, ENV_URL)?,
            model,
            api_key: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_tokens: 1024,
            seed: 42,
            breaker_threshold: 3,
            breaker_cooldown: Duration::from_secs(30),
            cache_capacity: 4096,
        })
    }

    /// The configuration from `CUECARD_LLM_URL`, `CUECARD_LLM_MODEL`, `CUECARD_LLM_API_KEY`
    /// and `CUECARD_LLM_TIMEOUT_SECS`; `None` when `CUECARD_LLM_URL` is unset or empty
    /// (keyword grading only).
    pub fn from_env() -> Result<Option<Self>, LlmConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) with the variables looked up by `var` (for tests, or a
    /// config file layered over the environment).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, LlmConfigError> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let Some(url) = set(ENV_URL) else {
            return Ok(None);
        };
        let model = set(ENV_MODEL).ok_or(LlmConfigError::NoModel)?;
        let mut config = Self::new(url.trim(), model.trim())?;
        config.api_key = set(ENV_API_KEY).map(|k| ApiKey::new(k.trim()));
        if let Some(text) = set(ENV_TIMEOUT_SECS) {
            config.timeout = parse_timeout(&text)?;
        }
        Ok(Some(config))
    }

    /// The same configuration with another whole-grade time budget.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same configuration with an API key.
    #[must_use]
    pub fn with_api_key(mut self, key: ApiKey) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Where requests go: the base URL plus `/chat/completions`, unless it already ends so.
    #[must_use]
    pub fn chat_url(&self) -> Url {
        let base = self.base_url.as_str().trim_end_matches('/');
        let full = if base.ends_with("/chat/completions") {
            base.to_owned()
        } else {
            format!("{base}/chat/completions")
        };
        Url::parse(&full).unwrap_or_else(|_| self.base_url.clone())
    }
}

/// Parses a base URL; a bare `http://host:port` gets the conventional `/v1`.
fn parse_base_url(text: &str, variable: &'static str) -> Result<Url, LlmConfigError> {
    let bad = || LlmConfigError::BadUrl {
        variable,
        value: redacted_url(text),
    };
    let mut url = Url::parse(text).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    if url.path() == "/" || url.path().is_empty() {
        url.set_path("/v1");
    }
    Ok(url)
}

fn parse_timeout(text: &str) -> Result<Duration, LlmConfigError> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| LlmConfigError::BadTimeout(text.to_owned()))?;
    if !(seconds > 0.0 && seconds <= 600.0) {
        return Err(LlmConfigError::BadTimeout(text.to_owned()));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// A URL as it may be shown: credentials someone put in it (`https://user:key@host`) removed.
pub(crate) fn redacted_url(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut url) => {
            if !url.username().is_empty() || url.password().is_some() {
                let _ = url.set_username("");
                let _ = url.set_password(None);
            }
            url.to_string()
        }
        // Not a URL: show it only if it cannot hide a `user:secret@` part.
        Err(_) if !text.contains('@') => text.to_owned(),
        Err(_) => "<unparsable URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn unset_url_means_no_llm() {
        assert_eq!(LlmConfig::from_lookup(lookup(&[])).map(|c| c.is_none()), Ok(true));
        assert_eq!(
            LlmConfig::from_lookup(lookup(&[(ENV_URL, "  "), (ENV_MODEL, "m")])).map(|c| c.is_none()),
            Ok(true)
        );
    }

    #[test]
    fn reads_every_variable() -> Result<(), LlmConfigError> {
        let config = LlmConfig::from_lookup(lookup(&[
            (ENV_URL, "http://127.0.0.1:8080"),
            (ENV_MODEL, "smol"),
            (ENV_API_KEY, "sk-secret-123"),
            (ENV_TIMEOUT_SECS, "2.5"),
        ]))?
        .ok_or(LlmConfigError::NoModel)?;
        assert_eq!(
            config.chat_url().as_str(),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(config.model, "smol");
        assert_eq!(config.timeout, Duration::from_millis(2500));
        assert_eq!(config.api_key, Some(ApiKey::new("sk-secret-123")));
        Ok(())
    }

    #[test]
    fn the_key_never_shows_in_debug_or_errors() {
        let config = LlmConfig::new("https://user:pw-secret@api.example.com/v1", "m")
            .map(|c| c.with_api_key(ApiKey::new("sk-secret-123")));
        let text = format!("{config:?}");
        assert!(!text.contains("sk-secret-123"), "{text}");
        assert!(!text.contains("pw-secret"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
        let error = LlmConfig::from_lookup(lookup(&[
            (ENV_URL, "ftp://user:pw-secret@host"),
            (ENV_MODEL, "m"),
            (ENV_API_KEY, "sk-secret-123"),
        ]));
        let text = format!(
            "{error:?} {}",
            error.as_ref().err().map(ToString::to_string).unwrap_or_default()
        );
        assert!(error.is_err());
        assert!(
            !text.contains("pw-secret") && !text.contains("sk-secret-123"),
            "{text}"
        );
    }

    #[test]
    fn bad_settings_name_their_variable() {
        let no_model = LlmConfig::from_lookup(lookup(&[(ENV_URL, "http://h/v1")]));
        assert_eq!(no_model.err(), Some(LlmConfigError::NoModel));
        for bad in ["0", "-1", "abc", "601", "NaN"] {
            let error = LlmConfig::from_lookup(lookup(&[
                (ENV_URL, "http://h/v1"),
                (ENV_MODEL, "m"),
                (ENV_TIMEOUT_SECS, bad),
            ]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
            assert!(error.contains(ENV_TIMEOUT_SECS), "{bad}: {error}");
        }
        let error = LlmConfig::new("not a url", "m")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains(ENV_URL), "{error}");
    }

    #[test]
    fn chat_url_keeps_a_full_path() -> Result<(), LlmConfigError> {
        let config = LlmConfig::new("http://h:1/v1/chat/completions", "m")?;
        assert_eq!(config.chat_url().as_str(), "http://h:1/v1/chat/completions");
        let config = LlmConfig::new("http://h:1/api/v1/", "m")?;
        assert_eq!(config.chat_url().as_str(), "http://h:1/api/v1/chat/completions");
        Ok(())
    }
}
