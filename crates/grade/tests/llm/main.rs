//! The LLM grader against endpoints that misbehave in every way the issue lists (`scripted`),
//! against answers that try to talk their way to a better grade (`injection`), and against a real
//! llama.cpp server when one is installed (`real_server`). All offline.

mod injection;
mod real_server;
mod scripted;

use std::time::{Duration, Instant};

use cuecard_core::{Grade, KeyPoint};
use cuecard_grade::{GradeRequest, Grader, KeywordGrader, LlmConfig, LlmGrader};
use serde_json::{Value, json};
use wiremock::ResponseTemplate;

/// The question every scripted test asks.
pub const QUESTION: &str = "What is the difference between a security group and a NACL?";

/// Its key points: two bound to a subject, one plain.
pub fn key_points() -> Vec<KeyPoint> {
    vec![
        KeyPoint::about("SG", "stateful"),
        KeyPoint::about("NACL", "stateless"),
        KeyPoint::new("NACLs apply at the subnet level"),
    ]
}

/// A configuration for a server at `base` (a wiremock or llama.cpp URI).
///
/// # Panics
/// When `base` is not a URL: a broken test, not a finding.
pub fn config(base: &str, timeout: Duration) -> LlmConfig {
    match LlmConfig::new(&format!("{base}/v1"), "test-model") {
        Ok(config) => config.with_timeout(timeout),
        Err(error) => panic!("test config: {error}"),
    }
}

/// A grader for `config`.
///
/// # Panics
/// When the HTTP client cannot be built.
pub fn grader(config: LlmConfig) -> LlmGrader {
    match LlmGrader::new(config, KeywordGrader::new()) {
        Ok(grader) => grader,
        Err(error) => panic!("test grader: {error}"),
    }
}

/// Grades `answer` through the `Grader` trait (as the coach does), timing it.
pub async fn grade(grader: &dyn Grader, answer: &str) -> (Grade, Duration) {
    let points = key_points();
    let request = GradeRequest {
        card_id: None,
        question: QUESTION,
        key_points: &points,
        answer,
        topic: None,
    };
    let started = Instant::now();
    let grade = grader.grade(request).await;
    (grade, started.elapsed())
}

/// The keyword grade of `answer`, for comparison.
pub fn keyword_grade(answer: &str) -> Grade {
    KeywordGrader::new().grade(QUESTION, &key_points(), answer, None)
}

/// A chat-completions response whose message content is `content`.
pub fn completion(content: &str, finish_reason: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [{
            "index": 0,
            "finish_reason": finish_reason,
            "message": { "role": "assistant", "content": content },
        }],
    }))
}

/// A completion with these (verdict, evidence) pairs as kp1, kp2, ...
pub fn verdicts(points: &[(&str, &str)]) -> ResponseTemplate {
    let object: serde_json::Map<String, Value> = points
        .iter()
        .enumerate()
        .map(|(i, (verdict, evidence))| {
            (
                format!("kp{}", i + 1),
                json!({ "evidence": evidence, "verdict": verdict }),
            )
        })
        .collect();
    completion(&Value::Object(object).to_string(), "stop")
}

/// The first remark of a fallback grade (its reason), or "" when there is none.
pub fn reason(grade: &Grade) -> &str {
    grade.remarks.first().map_or("", String::as_str)
}
