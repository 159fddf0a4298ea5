//! The mock interview: questions across topics, then a scorecard.

use cuecard_core::{Card, CardId, KeyPoint, Topic, Verdict};
use serde::Serialize;

use crate::{Answered, Coach, CoachError};

/// One topic of a scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicScore {
    /// The topic.
    pub topic: Topic,
    /// Questions asked on it.
    pub questions: usize,
    /// Mean score.
    pub average: f64,
}

/// A key point the candidate missed, with its question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeakPoint {
    /// The question.
    pub question: String,
    /// The point missed.
    pub point: KeyPoint,
}

/// How a mock interview went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// Mean score over all questions.
    pub overall: f64,
    /// Per topic, weakest first.
    pub topics: Vec<TopicScore>,
    /// Points missed, from the weakest answers first (at most ten).
    pub weakest_points: Vec<WeakPoint>,
    /// Cards to review next, weakest first (those below the pass mark).
    pub review_next: Vec<CardId>,
}

/// At most this many missed points on a scorecard: a list longer than that is not read.
const MAX_WEAK_POINTS: usize = 10;

impl Coach {
    /// Picks `count` different questions for a mock interview, spread across topics in turn (or
    /// all from the topics `track` selects).
    pub fn plan_interview(&self, count: usize, track: Option<&str>) -> Result<Vec<Card>, CoachError> {
        let topics: Vec<String> = match track {
            Some(track) => vec![track.to_owned()],
            None => self
                .index()
                .topics()
                .iter()
                .filter(|t| t.cards > 0)
                .map(|t| t.topic.slug().to_owned())
                .collect(),
        };
        if topics.is_empty() {
            return Err(CoachError::NoCards(String::new()));
        }
        let mut chosen: Vec<Card> = Vec::with_capacity(count);
        let mut rng = self.rng.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut exhausted = vec![false; topics.len()];
        let mut turn = rand::RngExt::random_range(&mut *rng, 0..topics.len());
        while chosen.len() < count && exhausted.iter().any(|e| !e) {
            let slot = turn % topics.len();
            turn += 1;
            if exhausted[slot] {
                continue;
            }
            let asked: Vec<CardId> = chosen.iter().map(|c| c.id.clone()).collect();
            match self.index().draw(Some(&topics[slot]), &asked, &mut *rng)? {
                Some(card) if !asked.contains(&card.id) => chosen.push(card),
                _ => exhausted[slot] = true,
            }
        }
        if chosen.is_empty() {
            return Err(CoachError::NoCards(
                track.map(|t| format!(" in \"{t}\"")).unwrap_or_default(),
            ));
        }
        Ok(chosen)
    }

    /// The scorecard of a finished interview.
    pub fn scorecard(&self, answers: &[Answered]) -> Scorecard {
        let mut topics: Vec<TopicScore> = Vec::new();
        for answered in answers {
            let score = answered.grade.score;
            match topics.iter_mut().find(|t| t.topic == answered.card.topic) {
                Some(t) => {
                    t.average += score;
                    t.questions += 1;
                }
                None => topics.push(TopicScore {
                    topic: answered.card.topic.clone(),
                    questions: 1,
                    average: score,
                }),
            }
        }
        for t in &mut topics {
            t.average /= t.questions as f64;
        }
        topics.sort_by(|a, b| a.average.total_cmp(&b.average));
        let mut by_score: Vec<&Answered> = answers.iter().collect();
        by_score.sort_by(|a, b| a.grade.score.total_cmp(&b.grade.score));
        let weakest_points = by_score
            .iter()
            .flat_map(|a| {
                a.grade
                    .points
                    .iter()
                    .filter(|p| p.verdict == Verdict::Missing)
                    .map(|p| WeakPoint {
                        question: a.card.question.clone(),
                        point: p.point.clone(),
                    })
            })
            .take(MAX_WEAK_POINTS)
            .collect();
        let review_next = by_score
            .iter()
            .filter(|a| a.grade.score < self.policy.pass_mark)
            .map(|a| a.card.id.clone())
            .collect();
        let overall = if answers.is_empty() {
            0.0
        } else {
            answers.iter().map(|a| a.grade.score).sum::<f64>() / answers.len() as f64
        };
        Scorecard {
            overall,
            topics,
            weakest_points,
            review_next,
        }
    }
}
