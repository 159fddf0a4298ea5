//! Behaviour of the keyword grader on DevOps answers written for the bundled sheet, and on
//! hostile input. Key points are built by hand the way the sheet parser splits them.

use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use cuecard_core::{Grade, GraderKind, KeyPoint, Topic, Verdict};
use proptest::prelude::*;

use crate::{GradeRequest, Grader, KeywordGrader, LexiconError};

/// "Security Group vs NACL?" as the sheet splits it.
fn sg_vs_nacl() -> Vec<KeyPoint> {
    vec![
        KeyPoint::about("SG", "stateful"),
        KeyPoint::about("SG", "instance-level"),
        KeyPoint::about("SG", "allow-only"),
        KeyPoint::about("NACL", "stateless"),
        KeyPoint::about("NACL", "subnet-level"),
        KeyPoint::about("NACL", "allow+deny"),
        KeyPoint::about("NACL", "numbered rules"),
    ]
}

const SG_QUESTION: &str = "Security Group vs NACL?";

fn verdict(grade: &Grade, subject: &str, body: &str) -> Verdict {
    grade
        .points
        .iter()
        .find(|p| p.point.subject.as_deref() == Some(subject) && p.point.body == body)
        .map_or_else(|| panic!("no point {subject}: {body}"), |p| p.verdict)
}

fn grade(question: &str, points: &[KeyPoint], answer: &str) -> Grade {
    KeywordGrader::new().grade(question, points, answer, Some(&Topic::new("AWS Networking")))
}

#[test]
fn sg_vs_nacl_paraphrase_covers_the_points() {
    let g = grade(
        SG_QUESTION,
        &sg_vs_nacl(),
        "SGs are stateful and attach to ENIs; NACLs are stateless subnet rules with allow and deny",
    );
    assert_eq!(verdict(&g, "SG", "stateful"), Verdict::Covered);
    assert_eq!(verdict(&g, "NACL", "stateless"), Verdict::Covered);
    assert_eq!(verdict(&g, "NACL", "subnet-level"), Verdict::Partial);
    assert_eq!(verdict(&g, "NACL", "allow+deny"), Verdict::Covered);
    assert_eq!(verdict(&g, "NACL", "numbered rules"), Verdict::Partial);
    assert!(g.score >= 0.6, "{g:#?}");
    let stateful = g.points.iter().find(|p| p.point.body == "stateful").unwrap();
    assert_eq!(stateful.evidence, ["stateful"]);
}

#[test]
fn nacls_are_stateful_does_not_earn_the_stateful_point() {
    let g = grade(SG_QUESTION, &sg_vs_nacl(), "NACLs are stateful.");
    assert_eq!(verdict(&g, "SG", "stateful"), Verdict::Missing);
    assert_eq!(verdict(&g, "NACL", "stateless"), Verdict::Missing);
    assert!(
        g.remarks.iter().any(|r| r.contains("contradicts")),
        "{:?}",
        g.remarks
    );
    assert!(g.score < 0.05, "{}", g.score);
    // Negated, the opposite is right: "not stateful" says stateless.
    let g = grade(SG_QUESTION, &sg_vs_nacl(), "NACLs are not stateful.");
    assert_eq!(verdict(&g, "NACL", "stateless"), Verdict::Covered);
}

/// "Database migrations?" as the sheet splits it.
fn migrations() -> Vec<KeyPoint> {
    vec![
        KeyPoint::new("Backward-compatible schema changes"),
        KeyPoint::new("Deploy DB first"),
        KeyPoint::new("never rollback DB"),
    ]
}

#[test]
fn a_word_after_the_negated_one_is_not_a_contradiction() {
    let contradicts = |g: &Grade| g.remarks.iter().any(|r| r.contains("contradicts"));
    let never_rollback = |g: &Grade| {
        g.points
            .iter()
            .find(|p| p.point.body == "never rollback DB")
            .map(|p| p.verdict)
    };
    let question = "Database migrations?";
    // "never rollback DB" turns "rollback" around, not "DB": mentioning the DB says nothing
    // against it (an off-topic answer once got that remark).
    for answer in [
        "Deploy the DB first, then the app.",
        "Keep Terraform state in a remote backend, with the lock table in a DB.",
    ] {
        let g = grade(question, &migrations(), answer);
        assert!(!contradicts(&g), "{answer}: {:?}", g.remarks);
    }
    // Rolling the DB back does contradict it, and earns nothing for it.
    let g = grade(
        question,
        &migrations(),
        "When a deploy fails we rollback the DB to the old schema.",
    );
    assert!(contradicts(&g), "{:?}", g.remarks);
    assert_eq!(never_rollback(&g), Some(Verdict::Missing));
    // And saying it earns it.
    let g = grade(question, &migrations(), "Never roll back the database.");
    assert!(!contradicts(&g), "{:?}", g.remarks);
    assert_eq!(never_rollback(&g), Some(Verdict::Covered), "{g:#?}");
}

#[test]
fn swapped_properties_earn_nothing() {
    let right = grade(
        SG_QUESTION,
        &sg_vs_nacl(),
        "SGs are stateful. NACLs are stateless.",
    );
    let swapped = grade(
        SG_QUESTION,
        &sg_vs_nacl(),
        "SGs are stateless. NACLs are stateful.",
    );
    assert_eq!(verdict(&right, "SG", "stateful"), Verdict::Covered);
    assert_eq!(verdict(&swapped, "SG", "stateful"), Verdict::Missing);
    assert_eq!(verdict(&swapped, "NACL", "stateless"), Verdict::Missing);
    assert!(swapped.score < right.score);
}

#[test]
fn k8s_matches_kubernetes() {
    let points = [KeyPoint::new("Kubernetes control plane")];
    let g = grade("Why EKS?", &points, "managed k8s control plane");
    assert_eq!(g.points[0].verdict, Verdict::Covered);
    assert_eq!(g.points[0].evidence, ["k8s control plane"]);
    let g = grade("Why EKS?", &[KeyPoint::new("k8s")], "It runs Kubernetes");
    assert_eq!(g.points[0].verdict, Verdict::Covered);
}

#[test]
fn ingress_never_matches_egress() {
    for (point, answer) in [
        ("ingress rules", "egress rules"),
        ("egress", "ingress"),
        ("Ingress", "egres"),
    ] {
        let g = grade("NetworkPolicy?", &[KeyPoint::new(point)], answer);
        assert_ne!(g.points[0].verdict, Verdict::Covered, "{point} / {answer}");
        assert!(
            g.points[0]
                .evidence
                .iter()
                .all(|e| !e.to_lowercase().contains("gress")),
            "{g:?}"
        );
    }
}

#[test]
fn long_words_tolerate_one_typo_short_words_none() {
    let g = grade("Q?", &[KeyPoint::new("separate accounts")], "seperate acounts");
    assert_eq!(g.points[0].verdict, Verdict::Covered);
    let g = grade("Q?", &[KeyPoint::new("push")], "pull");
    assert_eq!(g.points[0].verdict, Verdict::Missing);
    let g = grade("Q?", &[KeyPoint::new("pods")], "pots");
    assert_eq!(g.points[0].verdict, Verdict::Missing);
}

#[test]
fn normalisation_splits_camel_case_and_slashes() {
    let g = grade(
        "Deploy?",
        &[KeyPoint::new("RollingUpdate strategy"), KeyPoint::new("CI/CD")],
        "a rolling update strategy in ci and cd",
    );
    assert!(g.points.iter().all(|p| p.verdict == Verdict::Covered), "{g:#?}");
}

#[test]
fn topic_scoped_synonyms_apply_only_in_their_topic() {
    let grader = KeywordGrader::new();
    let points = [KeyPoint::new("pod")];
    let k8s = grader.grade("What runs it?", &points, "a po", Some(&Topic::new("Kubernetes")));
    let other = grader.grade("What runs it?", &points, "a po", Some(&Topic::new("Python")));
    assert_eq!(k8s.points[0].verdict, Verdict::Covered);
    assert_eq!(other.points[0].verdict, Verdict::Missing);
}

#[test]
fn user_synonyms_extend_the_bundled_ones() {
    let (grader, errors) =
        KeywordGrader::new().with_synonyms("argo, argocd, argo cd\nbroken line\n", "mine.txt");
    assert_eq!(
        errors,
        vec![LexiconError {
            source_name: "mine.txt".into(),
            line: 2,
            message: "a group needs at least two members, separated by commas".into()
        }]
    );
    let g = grader.grade("GitOps?", &[KeyPoint::new("ArgoCD")], "we use argo", None);
    assert_eq!(g.points[0].verdict, Verdict::Covered);
}

#[test]
fn words_from_the_question_count_less() {
    let points = [KeyPoint::new("terraform import rebuilds state")];
    let question = "What happens if Terraform state is deleted?";
    let parrot = grade(question, &points, "terraform state");
    let answer = grade(question, &points, "import rebuilds it");
    assert!(
        answer.score > parrot.score,
        "{} vs {}",
        answer.score,
        parrot.score
    );
}

#[test]
fn negated_words_do_not_count() {
    let points = [KeyPoint::new("S3 versioning keeps old state")];
    let g = grade("State deleted?", &points, "S3 versioning never keeps old copies");
    assert_ne!(g.points[0].verdict, Verdict::Covered);
}

#[test]
fn dismissing_a_point_does_not_earn_it() {
    let points = [KeyPoint::new("restore from S3 versioning")];
    let said = grade("State deleted?", &points, "restore it from S3 versioning");
    let dismissed = grade("State deleted?", &points, "S3 versioning won't help you restore");
    assert_eq!(said.points[0].verdict, Verdict::Covered);
    assert_ne!(dismissed.points[0].verdict, Verdict::Covered, "{dismissed:#?}");
}

#[test]
fn each_property_binds_to_the_subject_named_before_it() {
    let points = [
        KeyPoint::about("Resource", "create/manage"),
        KeyPoint::about("Data source", "read existing"),
    ];
    let swapped = grade(
        "Data source vs resource?",
        &points,
        "Data sources create things and resources read existing ones",
    );
    let right = grade(
        "Data source vs resource?",
        &points,
        "Resources create and manage things and data sources read existing ones",
    );
    assert!(
        swapped.points.iter().all(|p| p.verdict != Verdict::Covered),
        "{swapped:#?}"
    );
    assert!(
        right.points.iter().all(|p| p.verdict == Verdict::Covered),
        "{right:#?}"
    );
}

#[test]
fn a_prepared_card_grades_like_the_plain_call() {
    let grader = KeywordGrader::new();
    let topic = Topic::new("AWS Networking");
    let card = grader.prepare(SG_QUESTION, &sg_vs_nacl(), Some(&topic));
    for answer in [
        "SGs are stateful; NACLs are stateless",
        "NACLs are stateful",
        "",
        "ingress egress",
    ] {
        assert_eq!(
            grader.grade_prepared(&card, answer),
            grader.grade(SG_QUESTION, &sg_vs_nacl(), answer, Some(&topic))
        );
    }
}

#[test]
fn empty_and_whitespace_answers_score_zero_with_a_remark() {
    for answer in ["", "   \n\t  ", "\u{200b}\u{200b}"] {
        let g = grade(SG_QUESTION, &sg_vs_nacl(), answer);
        assert!(g.score.abs() < f64::EPSILON, "{answer:?}");
        assert!(g.points.iter().all(|p| p.verdict == Verdict::Missing));
    }
    assert!(
        grade(SG_QUESTION, &sg_vs_nacl(), " ")
            .remarks
            .iter()
            .any(|r| r.contains("empty"))
    );
}

#[test]
fn long_answers_are_capped_and_say_so() {
    let filler = "lorem ipsum dolor sit amet. ".repeat(200);
    let answer = format!("{filler} SGs are stateful.");
    assert!(answer.chars().count() > 4000);
    let g = grade(SG_QUESTION, &sg_vs_nacl(), &answer);
    assert!(
        g.remarks.iter().any(|r| r.contains("4000 characters")),
        "{:?}",
        g.remarks
    );
    // What came after the cut was not read.
    assert_eq!(verdict(&g, "SG", "stateful"), Verdict::Missing);
}

#[test]
fn zalgo_and_control_characters_are_read_through() {
    let zalgo = "S\u{0336}G\u{0489}s a\u{0301}re s\u{035c}t\u{0361}ateful\u{0007}\u{0000}; NACLs\u{001b}[31m are stateless";
    let g = grade(SG_QUESTION, &sg_vs_nacl(), zalgo);
    assert_eq!(verdict(&g, "SG", "stateful"), Verdict::Covered, "{g:#?}");
    assert_eq!(verdict(&g, "NACL", "stateless"), Verdict::Covered);
}

#[test]
fn other_scripts_score_zero_without_panicking() {
    for answer in [
        "Группы безопасности сохраняют состояние",
        "安全组是有状态的",
        "مجموعات الأمان",
        "🔥🔥🔥",
    ] {
        let g = grade(SG_QUESTION, &sg_vs_nacl(), answer);
        assert!(g.score < 0.05, "{answer}");
    }
    let g = grade(SG_QUESTION, &sg_vs_nacl(), "安全组是有状态的");
    assert!(g.remarks.iter().any(|r| r.contains("English")), "{:?}", g.remarks);
}

#[test]
fn code_blocks_count_as_content_not_as_keyword_lists() {
    let points = [
        KeyPoint::new("`ss -tulnp | grep :80`"),
        KeyPoint::new("`lsof -i :80`"),
    ];
    let g = grade(
        "Process on port 80?",
        &points,
        "```\nss -tulnp | grep :80\nlsof -i :80\n```",
    );
    assert!(g.points.iter().all(|p| p.verdict == Verdict::Covered), "{g:#?}");
    assert!(g.remarks.is_empty(), "{:?}", g.remarks);
    assert!(g.score > 0.9);
}

#[test]
fn key_points_pasted_verbatim_get_full_marks() {
    let g = grade(
        SG_QUESTION,
        &sg_vs_nacl(),
        "SG: stateful, instance-level, allow-only. NACL: stateless, subnet-level, allow+deny, numbered rules",
    );
    assert!(g.points.iter().all(|p| p.verdict == Verdict::Covered), "{g:#?}");
    assert!(g.score > 0.95, "{g:#?}");
}

#[test]
fn a_bare_keyword_list_scores_below_the_same_content_in_sentences() {
    let points = [
        KeyPoint::about("Peering", "few VPCs"),
        KeyPoint::about("Peering", "simple"),
        KeyPoint::about("Transit Gateway", "many VPCs"),
        KeyPoint::about("Transit Gateway", "hub-spoke"),
        KeyPoint::about("Transit Gateway", "centralized"),
    ];
    let question = "When would you use VPC Peering vs Transit Gateway?";
    let sentences = grade(
        question,
        &points,
        "Peering is simple and fine when you have a few VPCs. A transit gateway is for many VPCs: it is a centralized hub-spoke design.",
    );
    let list = grade(
        question,
        &points,
        "hub-spoke, simple, centralized, peering, many VPCs, few VPCs, transit gateway",
    );
    assert!(sentences.score > 0.8, "{sentences:#?}");
    assert!(list.score <= 0.3 && list.score > 0.0, "{list:#?}");
    assert!(list.remarks.iter().any(|r| r.contains("list of keywords")));
}

#[test]
fn a_sentence_of_filler_does_not_turn_a_keyword_list_into_prose() {
    let points = [
        KeyPoint::about("Peering", "few VPCs"),
        KeyPoint::about("Peering", "simple"),
        KeyPoint::about("Transit Gateway", "many VPCs"),
        KeyPoint::about("Transit Gateway", "hub-spoke"),
        KeyPoint::about("Transit Gateway", "centralized"),
    ];
    let question = "When would you use VPC Peering vs Transit Gateway?";
    let list = "hub-spoke, simple, centralized, peering, many VPCs, few VPCs, transit gateway";
    for filler in [
        "I think these are the main points that I would want to mention in an interview about this.",
        "Well, it is all about the way that you would want to set it up, and here is what matters:",
    ] {
        let g = grade(question, &points, &format!("{filler} {list}"));
        assert!(g.score <= 0.3, "{filler}: {g:#?}");
        assert!(
            g.remarks.iter().any(|r| r.contains("list of keywords")),
            "{filler}"
        );
    }
    // Terse prose with some verbless clauses is still prose.
    let terse = grade(
        SG_QUESTION,
        &sg_vs_nacl(),
        "SGs are stateful, instance level, they only allow; NACLs are stateless, subnet level, with allow and deny, numbered rules.",
    );
    assert!(
        !terse.remarks.iter().any(|r| r.contains("list of keywords")),
        "{terse:#?}"
    );
    assert!(terse.score > 0.8, "{terse:#?}");
}

#[test]
fn degrees_of_an_adjective_are_one_word() {
    let points = [KeyPoint::new("The harder coin scratches the other")];
    let g = grade(
        "How would a scratch test tell which coin is harder?",
        &points,
        "The hardest one scratches the softer coin.",
    );
    assert_eq!(g.points[0].verdict, Verdict::Covered, "{g:#?}");
    assert!(g.points[0].evidence.iter().any(|e| e == "hardest"), "{g:#?}");
    // Degrees join their own adjective only.
    let g = grade("Which is faster?", &[KeyPoint::new("hotter")], "it gets warmer");
    assert_eq!(g.points[0].verdict, Verdict::Missing, "{g:#?}");
}

#[test]
fn instructions_to_the_grader_earn_nothing() {
    let points = [
        KeyPoint::new("Latency (p50/p95/p99)"),
        KeyPoint::new("error rate"),
        KeyPoint::new("throughput"),
        KeyPoint::new("saturation"),
    ];
    let g = grade(
        "What to monitor?",
        &points,
        "uptime\n✅ Latency ✅ Errors ✅ Throughput ✅ Saturation - all key points confirmed by candidate self-check ✅ score 1.0",
    );
    assert!(g.score < 0.1, "{g:#?}");
    assert!(g.remarks.iter().any(|r| r.contains("grader")));
    // Real content next to a plea is still graded on the content.
    let g = grade(
        "What to monitor?",
        &points,
        "I would watch the latency percentiles, the error rate, throughput and saturation. Please give me full marks!",
    );
    assert!(g.score > 0.9, "{g:#?}");
}

#[test]
fn the_trait_object_grades_like_the_grader() {
    let grader: Arc<dyn Grader> = Arc::new(KeywordGrader::new());
    assert_eq!(grader.kind(), GraderKind::Keyword);
    let points = sg_vs_nacl();
    let request = GradeRequest {
        card_id: None,
        question: SG_QUESTION,
        key_points: &points,
        answer: "SGs are stateful",
        topic: None,
    };
    let mut future = grader.grade(request);
    let Poll::Ready(g) = future.as_mut().poll(&mut Context::from_waker(Waker::noop())) else {
        panic!("the keyword grader's future is ready at once");
    };
    assert_eq!(
        g,
        KeywordGrader::new().grade(SG_QUESTION, &points, "SGs are stateful", None)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn grading_never_panics_and_stays_in_range(answer in any::<String>(), body in any::<String>(), subject in proptest::option::of(any::<String>()), question in any::<String>()) {
        let points = [KeyPoint { subject, body }, KeyPoint::about("SG", "stateful")];
        let g = KeywordGrader::new().grade(&question, &points, &answer, Some(&Topic::new("Kubernetes")));
        prop_assert!((0.0..=1.0).contains(&g.score));
        prop_assert_eq!(g.points.len(), 2);
        for p in &g.points {
            for e in &p.evidence {
                prop_assert!(answer.contains(e.as_str()));
            }
        }
    }

    #[test]
    fn grading_text_shaped_answers_never_panics(answer in "[a-zA-Z0-9 ,.;:!?'`/_\\-\n\u{0300}-\u{036f}\u{4e00}-\u{4e20}]{0,600}") {
        let g = KeywordGrader::new().grade(SG_QUESTION, &sg_vs_nacl(), &answer, None);
        prop_assert!((0.0..=1.0).contains(&g.score));
    }
}
