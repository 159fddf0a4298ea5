//! The reply: the JSON schema the model is asked to follow, and the validation of what it sent,
//! in Rust, whatever the server claims to have enforced (some ignore `response_format`).

use cuecard_core::Verdict;
use serde_json::{Map, Value, json};

use super::prompt::point_id;

/// Evidence longer than this is not a "short quote": the model is pasting the answer back.
pub(crate) const MAX_EVIDENCE_CHARS: usize = 300;

/// What the model said about one key point, validated for shape (not yet for truth).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModelVerdict {
    pub verdict: Verdict,
    pub evidence: String,
}

/// The JSON schema of a reply for `points` key points: one required property per point, each
/// `{"evidence": string, "verdict": "covered" | "partial" | "missing"}`, nothing else. There is
/// no score anywhere: the score is computed in Rust.
pub(crate) fn schema(points: usize) -> Value {
    let point = json!({
        "type": "object",
        "properties": {
            "evidence": { "type": "string" },
            "verdict": { "type": "string", "enum": ["covered", "partial", "missing"] },
        },
        "required": ["evidence", "verdict"],
        "additionalProperties": false,
    });
    let ids: Vec<String> = (0..points).map(point_id).collect();
    let properties: Map<String, Value> = ids.iter().map(|id| (id.clone(), point.clone())).collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": ids,
        "additionalProperties": false,
    })
}

/// Why a reply was not usable. Never contains the reply itself: it may be long, and it is
/// partly the user's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ReplyError {
    #[error("the reply was cut off at the token limit")]
    Truncated,
    #[error("the model refused to grade")]
    Refused,
    #[error("the reply has no message content")]
    NoContent,
    #[error("the reply is not JSON")]
    NotJson,
    #[error("the reply does not follow the schema: {0}")]
    Schema(String),
}

/// Reads a chat-completions response body into one verdict per key point, in order.
pub(crate) fn parse(body: &Value, points: usize) -> Result<Vec<ModelVerdict>, ReplyError> {
    let choice = body
        .get("choices")
        .and_then(|c| c.get(0))
        .ok_or(ReplyError::NoContent)?;
    // A reply cut at max_tokens may still be valid JSON by luck (a short first point); it is
    // not a finished judgement either way.
    if choice.get("finish_reason").and_then(Value::as_str) == Some("length") {
        return Err(ReplyError::Truncated);
    }
    let message = choice.get("message").ok_or(ReplyError::NoContent)?;
    if message.get("refusal").is_some_and(|r| !r.is_null()) {
        return Err(ReplyError::Refused);
    }
    let content = message
        .get("content")
        .and_then(Value::as_str)
        .ok_or(ReplyError::NoContent)?;
    let value: Value = serde_json::from_str(strip_fence(content)).map_err(|_| ReplyError::NotJson)?;
    validate(&value, points)
}

/// Checks a reply object against [`schema`], strictly: every point, no other property.
pub(crate) fn validate(value: &Value, points: usize) -> Result<Vec<ModelVerdict>, ReplyError> {
    let schema_error = |why: String| Err(ReplyError::Schema(why));
    let Some(object) = value.as_object() else {
        return schema_error("not an object".into());
    };
    if let Some(extra) = object.keys().find(|k| !(0..points).any(|i| point_id(i) == **k)) {
        // A "score", "grade" or "kp99" property means the model is not doing what it was asked
        // (or was talked into something else): nothing in such a reply is trusted.
        return schema_error(format!("unexpected property \"{}\"", clip(extra, 20)));
    }
    let mut verdicts = Vec::with_capacity(points);
    for i in 0..points {
        let id = point_id(i);
        let Some(point) = object.get(&id).and_then(Value::as_object) else {
            return schema_error(format!("{id} is missing or not an object"));
        };
        if point.keys().any(|k| k != "evidence" && k != "verdict") {
            return schema_error(format!("{id} has properties besides evidence and verdict"));
        }
        let verdict = match point.get("verdict").and_then(Value::as_str) {
            Some("covered") => Verdict::Covered,
            Some("partial") => Verdict::Partial,
            Some("missing") => Verdict::Missing,
            _ => return schema_error(format!("{id}.verdict is not covered, partial or missing")),
        };
        let Some(evidence) = point.get("evidence").and_then(Value::as_str) else {
            return schema_error(format!("{id}.evidence is not a string"));
        };
        if evidence.chars().count() > MAX_EVIDENCE_CHARS {
            return schema_error(format!(
                "{id}.evidence is longer than {MAX_EVIDENCE_CHARS} characters"
            ));
        }
        verdicts.push(ModelVerdict {
            verdict,
            evidence: evidence.trim().to_owned(),
        });
    }
    Ok(verdicts)
}

/// Some models wrap JSON in a markdown fence even in JSON mode; the fence is not the content.
fn strip_fence(content: &str) -> &str {
    let trimmed = content.trim();
    let Some(inner) = trimmed.strip_prefix("```") else {
        return trimmed;
    };
    let inner = inner.strip_prefix("json").unwrap_or(inner);
    inner.strip_suffix("```").unwrap_or(inner).trim()
}

fn clip(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(content: &str, finish: &str) -> Value {
        json!({"choices": [{"finish_reason": finish, "message": {"role": "assistant", "content": content}}]})
    }

    #[test]
    fn a_valid_reply_gives_verdicts_in_order() {
        let content = r#"{"kp2": {"evidence": "", "verdict": "missing"}, "kp1": {"evidence": " SGs are stateful ", "verdict": "covered"}}"#;
        let verdicts = parse(&body(content, "stop"), 2);
        assert_eq!(
            verdicts,
            Ok(vec![
                ModelVerdict {
                    verdict: Verdict::Covered,
                    evidence: "SGs are stateful".into()
                },
                ModelVerdict {
                    verdict: Verdict::Missing,
                    evidence: String::new()
                },
            ])
        );
        let fenced = format!("```json\n{content}\n```");
        assert!(parse(&body(&fenced, "stop"), 2).is_ok());
    }

    #[test]
    fn anything_else_is_rejected() {
        let kp = r#""kp1": {"evidence": "x", "verdict": "covered"}"#;
        let cases = [
            (body(r#"{"score": 1.0}"#, "stop"), "score-shaped"),
            (body(&format!("{{{kp}, \"score\": 1}}"), "stop"), "extra score"),
            (
                body(r#"{"kp1": {"evidence": "x", "verdict": "excellent"}}"#, "stop"),
                "bad verdict",
            ),
            (
                body(r#"{"kp1": {"evidence": 3, "verdict": "covered"}}"#, "stop"),
                "bad evidence",
            ),
            (
                body(
                    r#"{"kp1": {"evidence": "x", "verdict": "covered", "score": 1}}"#,
                    "stop",
                ),
                "nested score",
            ),
            (body(&format!("{{{kp}}}"), "length"), "truncated"),
            (body("{not json", "stop"), "malformed"),
            (body(&format!("{{{kp}}}"), "stop"), "one point of two"),
            (json!({"choices": []}), "no choice"),
            (
                json!({"choices": [{"message": {"content": null, "refusal": "no"}}]}),
                "refusal",
            ),
        ];
        for (reply, what) in cases {
            assert!(
                parse(&reply, 2).is_err() || what == "one point of two" && parse(&reply, 1).is_ok(),
                "{what}"
            );
            assert!(parse(&reply, 2).is_err(), "{what}");
        }
        let long = "w ".repeat(MAX_EVIDENCE_CHARS);
        let reply = body(
            &json!({"kp1": {"evidence": long, "verdict": "covered"}}).to_string(),
            "stop",
        );
        assert!(matches!(parse(&reply, 1), Err(ReplyError::Schema(_))));
    }

    #[test]
    fn the_schema_requires_every_point_and_nothing_else() {
        let s = schema(3);
        assert_eq!(s["required"], json!(["kp1", "kp2", "kp3"]));
        assert_eq!(s["additionalProperties"], json!(false));
        assert!(s.to_string().find("score").is_none());
    }
}
