//! The coach's use cases over the bundled sheet, a real SQLite file and a hand-moved clock.

use std::sync::Arc;

use cuecard_coach::{AnswerRequest, Coach, CoachError, ManualClock, Policy};
use cuecard_core::{Card, UserId};
use cuecard_store::{Board, Occasion, Page, Store};
use jiff::{SignedDuration, Timestamp};

struct Setup {
    coach: Coach,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let sheet = cuecard_sheet::bundled();
    let index = cuecard_index::CardIndex::in_ram(&sheet.cards, &sheet.notes).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("coach.db").display()))
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(
        "2026-03-02T09:00:00Z".parse::<Timestamp>().unwrap(),
    ));
    let coach = Coach::new(
        Arc::new(index),
        Arc::new(cuecard_grade::KeywordGrader::new()),
        store,
        clock.clone(),
        Policy::default(),
    )
    .unwrap()
    .with_seed(7);
    Setup {
        coach,
        clock,
        _dir: dir,
    }
}

const ALICE: UserId = UserId(1);
const BOB: UserId = UserId(2);
const WRONG: &str = "I have no idea, sorry";

fn card(question: &str) -> Card {
    cuecard_sheet::bundled()
        .cards
        .into_iter()
        .find(|c| c.question == question)
        .unwrap()
}

#[tokio::test]
async fn ask_avoids_what_the_user_answered_recently() -> Result<(), CoachError> {
    let s = setup().await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        let card = s.coach.ask(ALICE, Some("linux")).await?;
        assert!(!seen.contains(&card.id), "{} asked twice", card.question);
        s.coach
            .answer(AnswerRequest::ad_hoc(ALICE, &card.id, &card.answer))
            .await?;
        seen.push(card.id);
    }
    // All four Linux cards answered: the coach still asks rather than fail.
    assert!(seen.contains(&s.coach.ask(ALICE, Some("linux")).await?.id));
    // Another user is not affected by Alice's history.
    assert!(seen.contains(&s.coach.ask(BOB, Some("linux")).await?.id));
    Ok(())
}

#[tokio::test]
async fn reviews_space_out_with_good_answers_and_close_in_after_a_bad_one() -> Result<(), CoachError> {
    let s = setup().await;
    let card = card("How do you manage Terraform state in a team?");
    let mut gaps = Vec::new();
    for _ in 0..3 {
        let answered = s
            .coach
            .answer(AnswerRequest::ad_hoc(ALICE, &card.id, &card.answer))
            .await?;
        assert!(answered.grade.score > 0.85, "{:?}", answered.grade);
        gaps.push(answered.next_review.duration_since(s.coach.now()));
        s.clock.set(answered.next_review);
        assert_eq!(s.coach.due(ALICE, 10).await?.len(), 1, "due once its time comes");
    }
    assert!(gaps.windows(2).all(|w| w[1] > w[0]), "gaps grow: {gaps:?}");
    let lapse = s
        .coach
        .answer(AnswerRequest::ad_hoc(ALICE, &card.id, WRONG))
        .await?;
    let gap = lapse.next_review.duration_since(s.coach.now());
    assert!(
        gap < gaps[0],
        "a bad answer brings it back sooner: {gap:?} vs {gaps:?}"
    );
    let state = s.coach.store().review_state(ALICE, &card.id).await?.unwrap();
    assert_eq!((state.reps, state.lapses), (4, 1));
    Ok(())
}

#[tokio::test]
async fn the_badly_answered_card_is_due_first() -> Result<(), CoachError> {
    let s = setup().await;
    let good = card("Security Group vs NACL?");
    let bad = card("What's defense in depth?");
    s.coach
        .answer(AnswerRequest::ad_hoc(ALICE, &good.id, &good.answer))
        .await?;
    s.coach
        .answer(AnswerRequest::ad_hoc(ALICE, &bad.id, WRONG))
        .await?;
    assert!(
        s.coach.due(ALICE, 10).await?.is_empty(),
        "nothing is due straight away"
    );
    s.clock.advance(SignedDuration::from_hours(12));
    let due = s.coach.due(ALICE, 10).await?;
    let due: Vec<_> = due.iter().map(|d| &d.card.id).collect();
    assert_eq!(due, [&bad.id]);
    let schedule = s.coach.schedule(ALICE).await?;
    assert_eq!(schedule[0].card.id, bad.id);
    assert_eq!(schedule[1].card.id, good.id);
    Ok(())
}

#[tokio::test]
async fn a_hint_reveals_a_point_and_costs_part_of_the_score() -> Result<(), CoachError> {
    let s = setup().await;
    let card = card("How do you manage Terraform state in a team?");
    let first = s.coach.hint(&card, 0).unwrap();
    assert_eq!(first.point, card.key_points[0]);
    assert_eq!((first.number, first.of), (1, 4));
    assert!((first.score_kept - 0.85).abs() < 1e-9);
    assert_eq!(s.coach.hint(&card, 4), None, "no fifth point to reveal");

    let plain = s
        .coach
        .answer(AnswerRequest::ad_hoc(ALICE, &card.id, &card.answer))
        .await?;
    let helped = s
        .coach
        .answer(AnswerRequest {
            hints: 2,
            ..AnswerRequest::ad_hoc(BOB, &card.id, &card.answer)
        })
        .await?;
    assert!(helped.grade.score < plain.grade.score);
    assert!((helped.grade.score - plain.grade.score * 0.7).abs() < 1e-9);
    assert!(
        helped.grade.remarks.iter().any(|r| r.contains("2 hints taken")),
        "{:?}",
        helped.grade.remarks
    );
    // Every hint there is: the penalty is capped.
    assert!((s.coach.score_kept(200) - 0.4).abs() < 1e-9);
    Ok(())
}

#[tokio::test]
async fn a_repeated_submission_is_recorded_and_scheduled_once() -> Result<(), CoachError> {
    let s = setup().await;
    let card = card("Disk full?");
    let request = AnswerRequest {
        request_key: Some("interaction-1".into()),
        ..AnswerRequest::ad_hoc(ALICE, &card.id, &card.answer)
    };
    let first = s.coach.answer(request.clone()).await?;
    assert!(first.recorded);
    let again = s
        .coach
        .answer(AnswerRequest {
            answer: WRONG,
            ..request
        })
        .await?;
    assert!(!again.recorded);
    assert_eq!(again.grade, first.grade, "the first grade stands");
    assert_eq!(again.next_review, first.next_review);
    let state = s.coach.store().review_state(ALICE, &card.id).await?.unwrap();
    assert_eq!(state.reps, 1);
    Ok(())
}

#[tokio::test]
async fn a_repeat_of_an_answer_recorded_but_never_scheduled_schedules_it() -> Result<(), CoachError> {
    use cuecard_grade::{GradeRequest, Grader};
    let s = setup().await;
    let card = card("Disk full?");
    // What a process killed between the two writes leaves: the attempt, and no review.
    let grade = Grader::grade(
        &cuecard_grade::KeywordGrader::new(),
        GradeRequest::for_card(&card, &card.answer),
    )
    .await;
    s.coach
        .store()
        .record_attempt(&cuecard_store::NewAttempt {
            user: ALICE,
            guild: None,
            card: card.id.clone(),
            topic: card.topic.clone(),
            occasion: Occasion::AdHoc,
            answer: card.answer.clone(),
            grade,
            at: s.coach.now(),
            request_key: Some("interaction-7".into()),
        })
        .await?;
    assert!(s.coach.store().review_state(ALICE, &card.id).await?.is_none());
    s.clock.advance(SignedDuration::from_mins(1));
    let again = s
        .coach
        .answer(AnswerRequest {
            request_key: Some("interaction-7".into()),
            ..AnswerRequest::ad_hoc(ALICE, &card.id, &card.answer)
        })
        .await?;
    assert!(!again.recorded, "not recorded twice");
    let state = s.coach.store().review_state(ALICE, &card.id).await?.unwrap();
    assert_eq!(state.reps, 1);
    assert_eq!(again.next_review, state.due);
    // A further repeat changes nothing.
    s.coach
        .answer(AnswerRequest {
            request_key: Some("interaction-7".into()),
            ..AnswerRequest::ad_hoc(ALICE, &card.id, &card.answer)
        })
        .await?;
    assert_eq!(
        s.coach.store().review_state(ALICE, &card.id).await?.unwrap().reps,
        1
    );
    Ok(())
}

#[tokio::test]
async fn the_interview_scorecard_names_the_weakest_topic() -> Result<(), CoachError> {
    let s = setup().await;
    let plan = s.coach.plan_interview(6, None)?;
    assert_eq!(plan.len(), 6);
    let mut topics: Vec<&str> = plan.iter().map(|c| c.topic.slug()).collect();
    topics.sort_unstable();
    topics.dedup();
    assert_eq!(topics.len(), 6, "six questions from six topics");
    let weak = plan[2].topic.clone();
    let mut answers = Vec::new();
    for card in &plan {
        let text = if card.topic == weak {
            WRONG
        } else {
            card.answer.as_str()
        };
        answers.push(
            s.coach
                .answer(AnswerRequest::ad_hoc(ALICE, &card.id, text))
                .await?,
        );
    }
    let scorecard = s.coach.scorecard(&answers);
    assert_eq!(scorecard.topics[0].topic, weak);
    assert_eq!(scorecard.review_next, [plan[2].id.clone()]);
    assert!(
        scorecard
            .weakest_points
            .iter()
            .all(|w| w.question == plan[2].question)
    );
    assert_eq!(scorecard.weakest_points.len(), plan[2].key_points.len());

    let track = s.coach.plan_interview(10, Some("linux"))?;
    assert_eq!(track.len(), 4, "a track has only so many questions");
    assert!(track.iter().all(|c| c.topic.slug() == "linux"));
    assert!(matches!(
        s.coach.plan_interview(3, Some("cooking")),
        Err(CoachError::Index(_))
    ));
    Ok(())
}

#[tokio::test]
async fn stats_and_leaderboards_reflect_the_answers() -> Result<(), CoachError> {
    let s = setup().await;
    let good = card("Disk full?");
    let bad = card("Least privilege?");
    s.coach
        .answer(AnswerRequest::ad_hoc(ALICE, &good.id, &good.answer))
        .await?;
    s.coach
        .answer(AnswerRequest::ad_hoc(ALICE, &bad.id, WRONG))
        .await?;
    s.coach
        .answer(AnswerRequest::ad_hoc(BOB, &good.id, WRONG))
        .await?;
    let stats = s.coach.stats(ALICE).await?;
    assert_eq!(
        (stats.answers, stats.passed, stats.scheduled, stats.due_now),
        (2, 1, 2, 0)
    );
    assert_eq!(stats.topics[0].topic, "security", "weakest first");
    assert!(stats.next_due.is_some());
    let board = s
        .coach
        .leaderboard(&Board::global(cuecard_core::Period::Week), Page::first(10))
        .await?;
    assert_eq!(
        board.entries.iter().map(|e| e.user).collect::<Vec<_>>(),
        [ALICE, BOB]
    );
    Ok(())
}

#[tokio::test]
async fn unknown_cards_and_topics_are_explained() {
    let s = setup().await;
    let missing = cuecard_core::CardId::parse("000000000000").unwrap();
    let error = s
        .coach
        .answer(AnswerRequest::ad_hoc(ALICE, &missing, "x"))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("no question has the id 000000000000"),
        "{error}"
    );
    let error = s.coach.ask(ALICE, Some("cooking")).await.unwrap_err();
    assert!(
        error.to_string().contains("no topic matches \"cooking\""),
        "{error}"
    );
    let _ = Occasion::Review;
}
