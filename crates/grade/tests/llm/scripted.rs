//! A wiremock server stands in for the endpoint, scripted with each reply the issue lists: valid
//! verdicts, fabricated evidence, a score-shaped reply, malformed JSON, a schema violation,
//! `finish_reason` length, 500, 429, a hang, a closed port, and `json_schema` refused then
//! `json_object` taken. Each must end in the right grade, within the time budget plus a margin
//! (a generous bound: the point is that nothing waits for the hang, not how fast it is).

use std::time::Duration;

use cuecard_core::{GraderKind, Verdict};
use cuecard_grade::{Calibration, Grader};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{completion, config, grade, grader, keyword_grade, reason, verdicts};

const BUDGET: Duration = Duration::from_secs(3);
/// Scheduling slack on a loaded CI machine; far below the 30 s hang it guards against.
const MARGIN: Duration = Duration::from_secs(5);

const GOOD_ANSWER: &str = "Security groups are stateful, so return traffic is allowed. NACLs are stateless.";

async fn server_replying(reply: ResponseTemplate, expected_requests: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(reply)
        .expect(expected_requests)
        .mount(&server)
        .await;
    server
}

/// The JSON bodies the server received.
async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .collect()
}

fn verdict_list(grade: &cuecard_core::Grade) -> Vec<Verdict> {
    grade.points.iter().map(|p| p.verdict).collect()
}

#[tokio::test]
async fn valid_verdicts_become_an_llm_grade_scored_in_rust() {
    let server = server_replying(
        verdicts(&[
            ("covered", "security groups are stateful"),
            ("covered", "NACLs are stateless"),
            ("missing", ""),
        ]),
        1,
    )
    .await;
    let llm = grader(config(&server.uri(), BUDGET));
    let (grade, took) = grade(&llm, GOOD_ANSWER).await;

    assert_eq!(grade.grader, GraderKind::Llm, "{:?}", grade.remarks);
    assert_eq!(
        verdict_list(&grade),
        [Verdict::Covered, Verdict::Covered, Verdict::Missing]
    );
    // The user's own words, not the model's spelling of them.
    assert_eq!(grade.points[0].evidence, ["Security groups are stateful"]);
    let expected = Calibration::bundled().score_from_verdicts(&verdict_list(&grade));
    assert!((grade.score - expected).abs() < 1e-12);
    assert!(took < BUDGET + MARGIN);

    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 1);
    let body = &sent[0];
    assert_eq!(body["temperature"], json!(0));
    assert!(body["seed"].is_u64());
    assert!(body["max_tokens"].as_u64().is_some_and(|n| n > 0 && n <= 1024));
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(body["response_format"]["json_schema"]["strict"], json!(true));
    let user = body["messages"][1]["content"].as_str().unwrap_or("");
    assert!(user.contains("kp3: NACLs apply at the subnet level"), "{user}");
    assert!(
        user.trim_end().ends_with("only."),
        "the answer comes last, then the reminder: {user}"
    );
}

#[tokio::test]
async fn fabricated_evidence_does_not_count_and_the_keyword_verdict_stands() {
    let server = server_replying(
        verdicts(&[
            ("covered", "security groups track connection state"),
            ("covered", "NACLs are stateless"),
            ("covered", "NACLs apply at the subnet level"),
        ]),
        1,
    )
    .await;
    let llm = grader(config(&server.uri(), BUDGET));
    let (grade, _) = grade(&llm, GOOD_ANSWER).await;
    assert_eq!(grade.grader, GraderKind::Llm);
    // Points 1 and 3 were "quoted" with words the answer never says: the model's verdicts do not
    // count, and the keyword grader's verdicts on them (covered, missing) stand instead.
    assert_eq!(
        verdict_list(&grade),
        [Verdict::Covered, Verdict::Covered, Verdict::Missing]
    );
    for evidence in &grade.points[0].evidence {
        assert!(
            GOOD_ANSWER.contains(evidence.as_str()),
            "evidence comes from the answer: {evidence}"
        );
    }
    assert!(
        !grade.points[0]
            .evidence
            .iter()
            .any(|e| e.contains("track connection state"))
    );
    assert!(
        grade
            .remarks
            .iter()
            .any(|r| r.contains("without quoting your answer, so the keyword grader's verdict")),
        "{:?}",
        grade.remarks
    );
}

#[tokio::test]
async fn covered_where_the_keyword_grader_sees_nothing_is_disputed() {
    // The quote is real, but says nothing about NACLs or subnets: the keyword grader finds no
    // word of kp2 or kp3, so the model's verdicts on them are disputed and do not count.
    let answer = "Security groups are stateful, so return traffic is allowed.";
    let server = server_replying(
        verdicts(&[
            ("covered", "Security groups are stateful"),
            ("covered", "return traffic is allowed"),
            ("partial", "return traffic is allowed"),
        ]),
        1,
    )
    .await;
    let llm = grader(config(&server.uri(), BUDGET));
    let (grade, _) = grade(&llm, answer).await;
    assert_eq!(grade.grader, GraderKind::Llm);
    assert_eq!(
        verdict_list(&grade),
        [Verdict::Covered, Verdict::Missing, Verdict::Missing]
    );
    assert!(grade.points[1].evidence.is_empty());
    assert!(
        grade.remarks.iter().any(|r| r.starts_with("Disputed")),
        "{:?}",
        grade.remarks
    );
    let expected =
        Calibration::bundled().score_from_verdicts(&[Verdict::Covered, Verdict::Missing, Verdict::Missing]);
    assert!((grade.score - expected).abs() < 1e-12);
}

#[tokio::test]
async fn unusable_replies_fall_back_to_the_keyword_grade() {
    let cases = [
        (
            completion(r#"{"score": 1.0, "feedback": "excellent"}"#, "stop"),
            "schema",
        ),
        (
            completion(r#"{"kp1": {"evidence": "x", "verdict": "cov"#, "stop"),
            "not JSON",
        ),
        (
            verdicts(&[("covered", "x"), ("excellent", "y"), ("missing", "")]),
            "schema",
        ),
        (verdicts(&[("covered", "Security groups are stateful")]), "schema"),
        (
            verdicts(&[("covered", "a"), ("covered", "b"), ("covered", "c")]).set_body_json(
                json!({"choices": [{"finish_reason": "length", "message": {"content": "{\"kp1\": {"}}]}),
            ),
            "cut off",
        ),
        (
            ResponseTemplate::new(200).set_body_string("<html>proxy error</html>"),
            "not JSON",
        ),
    ];
    for (reply, why) in cases {
        // Not retried: a bad reply is not transient (one request each).
        let server = server_replying(reply, 1).await;
        let llm = grader(config(&server.uri(), BUDGET));
        let (grade, took) = grade(&llm, GOOD_ANSWER).await;
        assert_eq!(grade.grader, GraderKind::KeywordFallback, "{why}");
        assert!(reason(&grade).contains(why), "{why}: {:?}", grade.remarks);
        let keyword = keyword_grade(GOOD_ANSWER);
        assert!((grade.score - keyword.score).abs() < 1e-12, "{why}");
        assert_eq!(grade.points, keyword.points, "{why}");
        assert!(took < BUDGET + MARGIN, "{why}: {took:?}");
    }
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried_once_then_fall_back() {
    for (status, why) in [(500, "HTTP 500"), (503, "HTTP 503"), (429, "HTTP 429")] {
        let server = server_replying(ResponseTemplate::new(status), 2).await;
        let llm = grader(config(&server.uri(), BUDGET));
        let (grade, took) = grade(&llm, GOOD_ANSWER).await;
        assert_eq!(grade.grader, GraderKind::KeywordFallback, "{status}");
        assert!(reason(&grade).contains(why), "{status}: {:?}", grade.remarks);
        assert!(took < BUDGET + MARGIN, "{status}: {took:?}");
        server.verify().await;
    }
}

#[tokio::test]
async fn a_rate_limit_then_success_is_an_llm_grade() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(verdicts(&[
            ("covered", "Security groups are stateful"),
            ("missing", ""),
            ("missing", ""),
        ]))
        .expect(1)
        .mount(&server)
        .await;
    let llm = grader(config(&server.uri(), BUDGET));
    let (grade, _) = grade(&llm, GOOD_ANSWER).await;
    assert_eq!(grade.grader, GraderKind::Llm, "{:?}", grade.remarks);
}

#[tokio::test]
async fn a_hang_ends_at_the_budget_in_a_fallback() {
    let server = server_replying(
        verdicts(&[("covered", "a"), ("covered", "b"), ("covered", "c")]).set_delay(Duration::from_secs(30)),
        1,
    )
    .await;
    let llm = grader(config(&server.uri(), BUDGET));
    let (grade, took) = grade(&llm, GOOD_ANSWER).await;
    assert_eq!(grade.grader, GraderKind::KeywordFallback);
    assert!(reason(&grade).contains("in time"), "{:?}", grade.remarks);
    assert!(took >= BUDGET, "it did wait for the server: {took:?}");
    assert!(took < BUDGET + MARGIN, "{took:?}");
    println!("fallback after a hang, with a {BUDGET:?} budget: {took:?}");
}

#[tokio::test]
async fn a_closed_port_falls_back_at_once() {
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_or(9, |a| a.port());
    let llm = grader(config(&format!("http://127.0.0.1:{port}"), BUDGET));
    let (grade, took) = grade(&llm, GOOD_ANSWER).await;
    assert_eq!(grade.grader, GraderKind::KeywordFallback);
    assert!(reason(&grade).contains("cannot connect"), "{:?}", grade.remarks);
    assert!(took < BUDGET + MARGIN, "{took:?}");
    println!("fallback on a closed port (dead endpoint): {took:?}");
}

#[tokio::test]
async fn json_schema_refused_then_json_object_accepted_and_remembered() {
    let server = MockServer::start().await;
    // llama-cpp-python's server answers 422 to a response_format type it does not know.
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_schema"}}),
        ))
        .respond_with(ResponseTemplate::new(422).set_body_string("Input should be 'text' or 'json_object'"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_object"}}),
        ))
        .respond_with(verdicts(&[
            ("covered", "Security groups are stateful"),
            ("partial", "NACLs are stateless"),
            ("missing", ""),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let llm = grader(config(&server.uri(), BUDGET));
    let (first, _) = grade(&llm, GOOD_ANSWER).await;
    assert_eq!(first.grader, GraderKind::Llm, "{:?}", first.remarks);
    assert_eq!(
        verdict_list(&first),
        [Verdict::Covered, Verdict::Partial, Verdict::Missing]
    );
    // The next grade goes straight to json_object (the 422 mock expects exactly one call).
    let (second, _) = grade(&llm, "Security groups are stateful and NACLs are stateless.").await;
    assert_eq!(second.grader, GraderKind::Llm, "{:?}", second.remarks);
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 3);
    assert!(sent[1]["response_format"]["schema"]["required"].is_array());
    server.verify().await;
}

#[tokio::test]
async fn the_breaker_stops_calling_a_failing_endpoint() {
    let server = server_replying(ResponseTemplate::new(500), 4).await;
    let mut settings = config(&server.uri(), BUDGET);
    settings.breaker_threshold = 2;
    let llm = grader(settings);
    for _ in 0..2 {
        let (grade, _) = grade(&llm, GOOD_ANSWER).await;
        assert!(reason(&grade).contains("HTTP 500"), "{:?}", grade.remarks);
    }
    // Open: no request at all (the mock expects exactly 2 grades x 2 attempts).
    let (grade, took) = grade(&llm, "another answer about NACLs").await;
    assert_eq!(grade.grader, GraderKind::KeywordFallback);
    assert!(reason(&grade).contains("paused"), "{:?}", grade.remarks);
    assert!(took < MARGIN);
    server.verify().await;
}

#[tokio::test]
async fn the_cache_gives_the_same_grade_without_asking_again() {
    let server = server_replying(
        verdicts(&[
            ("covered", "security groups are stateful"),
            ("covered", "NACLs are stateless"),
            ("missing", ""),
        ]),
        2,
    )
    .await;
    let llm = grader(config(&server.uri(), BUDGET));
    let (first, _) = grade(&llm, GOOD_ANSWER).await;
    let respaced = GOOD_ANSWER.replace(' ', "  ").to_uppercase();
    let (second, _) = grade(&llm, &respaced).await;
    assert_eq!(llm.cached(), 1);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
    assert_eq!(first.grader, GraderKind::Llm);
    assert_eq!(verdict_list(&first), verdict_list(&second));
    assert!((first.score - second.score).abs() < 1e-12);
    // Evidence is quoted from the answer being graded, not from the cached one.
    assert_eq!(second.points[0].evidence, ["SECURITY  GROUPS  ARE  STATEFUL"]);
    // A different answer is a different entry.
    let (_, _) = grade(&llm, "NACLs are stateless.").await;
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
}

#[tokio::test]
async fn the_api_key_is_sent_as_a_bearer_token_and_never_shown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer sk-test-not-a-secret"))
        .respond_with(ResponseTemplate::new(401).set_body_string("bad key sk-test-not-a-secret"))
        .expect(1)
        .mount(&server)
        .await;
    let settings =
        config(&server.uri(), BUDGET).with_api_key(cuecard_grade::llm::ApiKey::new("sk-test-not-a-secret"));
    let llm = grader(settings);
    assert!(!format!("{llm:?}").contains("sk-test"));
    let (grade, _) = grade(&llm, GOOD_ANSWER).await;
    assert_eq!(grade.grader, GraderKind::KeywordFallback);
    assert!(reason(&grade).contains("HTTP 401"), "{:?}", grade.remarks);
    assert!(grade.remarks.iter().all(|r| !r.contains("sk-test")));
}

#[tokio::test]
async fn an_empty_answer_needs_no_request() {
    let server = server_replying(ResponseTemplate::new(500), 0).await;
    let llm = grader(config(&server.uri(), BUDGET));
    let (grade, _) = grade(&llm, "   ").await;
    assert_eq!(grade.grader, GraderKind::Keyword);
    assert!(grade.score.abs() < 1e-12);
    assert_eq!(llm.kind(), GraderKind::Llm);
}
