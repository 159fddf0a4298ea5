//! One chat-completions exchange under a deadline: the request body (temperature 0, a seed, a
//! token cap, structured output), the HTTP call, and what went wrong, sorted into what is worth
//! one retry (timeouts, 429, 5xx) and what is not.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::config::LlmConfig;
use super::prompt::Prompt;
use super::reply::{self, ModelVerdict, ReplyError};

/// How the reply's shape is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// OpenAI's `{"type": "json_schema", "json_schema": {"strict": true, ...}}`: OpenAI, Ollama,
    /// vLLM, llama.cpp's own server, LM Studio.
    JsonSchema,
    /// `{"type": "json_object", "schema": ...}`: what llama-cpp-python's server takes instead.
    JsonObject,
}

/// Why an exchange failed. The texts are for users: short, and free of the reply, the answer
/// and anything secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CallError {
    #[error("the endpoint did not answer in time")]
    Timeout,
    #[error("cannot connect to the endpoint")]
    Connect,
    #[error("the endpoint is rate limiting (HTTP 429)")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the endpoint failed (HTTP {0})")]
    Server(u16),
    #[error("the endpoint refused the request (HTTP {0})")]
    Refused(u16),
    #[error("the request failed: {0}")]
    Transport(String),
    #[error("{0}")]
    Reply(#[from] ReplyError),
}

impl CallError {
    /// Worth one more try: the endpoint may be fine a moment later.
    pub(crate) fn is_transient(&self) -> bool {
        matches!(self, Self::Timeout | Self::RateLimited { .. } | Self::Server(_))
    }

    /// The server did not understand the `response_format` (llama-cpp-python answers 422 to
    /// `json_schema`; others 400).
    pub(crate) fn may_be_format_rejection(&self) -> bool {
        matches!(self, Self::Refused(400 | 422))
    }
}

/// The request body. `temperature` is always sent because Ollama's `/v1` defaults to 1.0.
pub(crate) fn body(config: &LlmConfig, prompt: &Prompt, points: usize, format: Format) -> Value {
    let schema = reply::schema(points);
    let response_format = match format {
        Format::JsonSchema => json!({
            "type": "json_schema",
            "json_schema": { "name": "key_point_verdicts", "strict": true, "schema": schema },
        }),
        Format::JsonObject => json!({ "type": "json_object", "schema": schema }),
    };
    json!({
        "model": config.model,
        "messages": [
            { "role": "system", "content": prompt.system },
            { "role": "user", "content": prompt.user },
        ],
        "temperature": 0,
        "seed": config.seed,
        "max_tokens": max_tokens(config, points),
        "stream": false,
        "response_format": response_format,
    })
}

/// Enough tokens for every point's verdict and a short quote, and no more: a model that rambles
/// is cut off (and fails) instead of using up the time budget.
fn max_tokens(config: &LlmConfig, points: usize) -> u32 {
    let wanted = 64u32.saturating_add(u32::try_from(points).unwrap_or(u32::MAX).saturating_mul(96));
    wanted.min(config.max_tokens)
}

/// Sends one request and reads one reply, giving up at `deadline`.
pub(crate) async fn exchange(
    http: &reqwest::Client,
    config: &LlmConfig,
    body: &Value,
    points: usize,
    deadline: Instant,
) -> Result<Vec<ModelVerdict>, CallError> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    if remaining.is_zero() {
        return Err(CallError::Timeout);
    }
    let mut request = http.post(config.chat_url()).timeout(remaining).json(body);
    if let Some(key) = &config.api_key {
        // bearer_auth marks the header sensitive, so reqwest and hyper never print it.
        request = request.bearer_auth(key.expose());
    }
    // The outer timeout also covers reading the body, whatever the client's own timers do.
    let response = tokio::time::timeout_at(deadline, request.send())
        .await
        .map_err(|_| CallError::Timeout)?
        .map_err(classify)?;
    let status = response.status();
    if !status.is_success() {
        return Err(status_error(status, response.headers()));
    }
    let bytes = tokio::time::timeout_at(deadline, response.bytes())
        .await
        .map_err(|_| CallError::Timeout)?
        .map_err(classify)?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| ReplyError::NotJson)?;
    Ok(reply::parse(&value, points)?)
}

fn status_error(status: StatusCode, headers: &reqwest::header::HeaderMap) -> CallError {
    match status.as_u16() {
        429 => CallError::RateLimited {
            retry_after: headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0 && *s < 3600.0)
                .map(Duration::from_secs_f64),
        },
        code @ 500..=599 => CallError::Server(code),
        code => CallError::Refused(code),
    }
}

/// Sorts a reqwest error. Its text is not used: it can contain the URL.
fn classify(error: reqwest::Error) -> CallError {
    if error.is_timeout() {
        CallError::Timeout
    } else if error.is_connect() {
        CallError::Connect
    } else if error.is_decode() || error.is_body() {
        CallError::Reply(ReplyError::NotJson)
    } else {
        CallError::Transport(error.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_pins_sampling_and_never_mentions_a_score() -> Result<(), String> {
        let config = LlmConfig::new("http://h/v1", "m").map_err(|e| e.to_string())?;
        let prompt = Prompt {
            system: "s".into(),
            user: "u".into(),
        };
        let strict = body(&config, &prompt, 2, Format::JsonSchema);
        assert_eq!(strict["temperature"], json!(0));
        assert_eq!(strict["seed"], json!(42));
        assert_eq!(strict["max_tokens"], json!(64 + 2 * 96));
        assert_eq!(strict["response_format"]["type"], "json_schema");
        assert_eq!(strict["response_format"]["json_schema"]["strict"], json!(true));
        let loose = body(&config, &prompt, 2, Format::JsonObject);
        assert_eq!(loose["response_format"]["type"], "json_object");
        assert_eq!(
            loose["response_format"]["schema"]["required"],
            json!(["kp1", "kp2"])
        );
        assert_eq!(
            body(&config, &prompt, 100, Format::JsonObject)["max_tokens"],
            json!(1024)
        );
        Ok(())
    }

    #[test]
    fn only_timeouts_rate_limits_and_server_errors_are_retried() {
        assert!(CallError::Timeout.is_transient());
        assert!(CallError::RateLimited { retry_after: None }.is_transient());
        assert!(CallError::Server(503).is_transient());
        assert!(!CallError::Connect.is_transient());
        assert!(!CallError::Refused(401).is_transient());
        assert!(!CallError::Reply(ReplyError::NotJson).is_transient());
    }
}
