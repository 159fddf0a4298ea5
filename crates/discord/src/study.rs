//! Study sessions: rounds of questions in a thread, everyone answering privately, the key
//! points and the round's scores revealed when time is up or every member has answered, and a
//! scoreboard at the end.
//!
//! A session is driven by one task per session, and everything it needs is in the database
//! (the session, its rounds with their message ids, where it runs and how long rounds last), so
//! after a restart [`resume_all`] picks each open session up: it finishes the current round (or
//! closes it if its time ran out while the bot was down) and says so in the thread.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use cuecard_coach::Coach;
use cuecard_core::{CardId, UserId, Verdict};
use cuecard_store::{Occasion, Round, RoundOutcome, SessionId, SessionState, StudySession};
use jiff::SignedDuration;
use serenity::all::{ChannelId, CreateEmbed, CreateEmbedFooter, CreateMessage, Http};
use tracing::{info, warn};

use crate::render;
use crate::safe::{limits, no_pings, truncate};

/// How often a running round checks whether it is over.
const POLL: Duration = Duration::from_millis(100);

/// Runs one session to its end. Errors are logged and retried: a database outage pauses the
/// session, it does not end it.
pub(crate) async fn drive(coach: Arc<Coach>, http: Arc<Http>, session: SessionId, resumed: bool) {
    let runner = Runner { coach, http, session };
    if resumed {
        runner
            .say("The bot restarted; this session carries on where it was.")
            .await;
    }
    loop {
        match runner.step().await {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                warn!(session = session.0, error = %error, "study session: will retry");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Spawns a runner for every open session: what a restarted bot does first.
pub(crate) async fn resume_all(coach: Arc<Coach>, http: Arc<Http>) -> Result<(), crate::Error> {
    for session in coach.store().open_sessions().await? {
        info!(session = session.id.0, "resuming a study session");
        tokio::spawn(drive(Arc::clone(&coach), Arc::clone(&http), session.id, true));
    }
    Ok(())
}

struct Runner {
    coach: Arc<Coach>,
    http: Arc<Http>,
    session: SessionId,
}

impl Runner {
    async fn thread(&self) -> Result<ChannelId, crate::Error> {
        let place = self
            .coach
            .store()
            .study_place(self.session)
            .await?
            .ok_or("the session has no thread")?;
        Ok(ChannelId::new(place.thread.max(1)))
    }

    async fn say(&self, text: &str) {
        if let Ok(thread) = self.thread().await {
            let message = CreateMessage::new().content(text).allowed_mentions(no_pings());
            if let Err(error) = thread.send_message(&self.http, message).await {
                warn!(error = %error, "study session: could not post");
            }
        }
    }

    /// Moves the session one step: opens, posts, waits out or closes a round, or ends the
    /// session. False when the session is over.
    async fn step(&self) -> Result<bool, crate::Error> {
        let store = self.coach.store();
        let Some(session) = store.study_session(self.session).await? else {
            return Ok(false);
        };
        if session.state != SessionState::Open {
            return Ok(false);
        }
        let place = store
            .study_place(self.session)
            .await?
            .ok_or("the session has no thread")?;
        let thread = ChannelId::new(place.thread.max(1));
        let rounds = store.rounds(self.session).await?;
        match rounds.last() {
            Some(round) if round.closed_at.is_none() => {
                if round.message.is_none() && !self.reconcile(thread, round).await? {
                    self.post_round(thread, &session, round).await?;
                }
                self.wait_round(&session, round, place.round_seconds).await?;
                let closed = store.close_round(round.id, self.coach.now()).await?;
                self.reveal(thread, &session, &closed).await?;
            }
            _ if rounds.len() < session.rounds as usize => {
                let asked: Vec<CardId> = rounds.iter().map(|r| r.card.clone()).collect();
                let card = {
                    let mut rng = rand::make_rng::<rand::rngs::StdRng>();
                    self.coach
                        .index()
                        .draw(session.topic.as_deref(), &asked, &mut rng)?
                }
                .ok_or("no questions for this session's topic")?;
                let number = u32::try_from(rounds.len() + 1).unwrap_or(u32::MAX);
                let round = match store
                    .open_round(self.session, number, &card.id, self.coach.now())
                    .await?
                {
                    RoundOutcome::Opened(round) | RoundOutcome::AlreadyOpen(round) => round,
                };
                self.post_round(thread, &session, &round).await?;
            }
            _ => {
                store
                    .end_session(self.session, SessionState::Finished, self.coach.now())
                    .await?;
                let board = scoreboard(&self.coach, &session).await?;
                thread
                    .send_message(
                        &self.http,
                        CreateMessage::new().embed(board).allowed_mentions(no_pings()),
                    )
                    .await?;
                info!(session = self.session.0, "study session finished");
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A round opened but with no message on record: the bot may have died between posting
    /// it and recording it. Looks for it in the thread; true (and recorded) when found.
    async fn reconcile(&self, thread: ChannelId, round: &Round) -> Result<bool, crate::Error> {
        let wanted = crate::ids::Action::Answer {
            card: round.card.clone(),
            occasion: Occasion::StudyRound(round.id),
        }
        .encode();
        if let Some(message) = crate::reconcile::find_posted(&self.http, thread, &wanted).await? {
            self.coach.store().set_round_message(round.id, message).await?;
            return Ok(true);
        }
        Ok(false)
    }

    async fn post_round(
        &self,
        thread: ChannelId,
        session: &StudySession,
        round: &Round,
    ) -> Result<(), crate::Error> {
        let card = self
            .coach
            .index()
            .card(&round.card)?
            .ok_or("the round's question left the sheet")?;
        let heading = format!("Round {} of {}", round.number, session.rounds);
        let message = CreateMessage::new()
            .embed(render::question(&card, &heading))
            .components(vec![render::answer_buttons(
                &card,
                Occasion::StudyRound(round.id),
            )])
            .allowed_mentions(no_pings());
        let posted = thread.send_message(&self.http, message).await?;
        self.coach
            .store()
            .set_round_message(round.id, posted.id.get())
            .await?;
        Ok(())
    }

    /// Members of the session: its starter and everyone who answered a round so far.
    async fn members(&self, session: &StudySession) -> Result<HashSet<UserId>, crate::Error> {
        let mut members: HashSet<UserId> = session.started_by.into_iter().collect();
        for round in self.coach.store().rounds(session.id).await? {
            for attempt in self.coach.store().round_attempts(round.id).await? {
                members.insert(attempt.user);
            }
        }
        Ok(members)
    }

    /// Waits until the round's time is up or every member has answered it.
    async fn wait_round(
        &self,
        session: &StudySession,
        round: &Round,
        seconds: u32,
    ) -> Result<(), crate::Error> {
        let deadline = round
            .opened_at
            .checked_add(SignedDuration::from_secs(i64::from(seconds)))?;
        loop {
            if self.coach.now() >= deadline {
                return Ok(());
            }
            let answered: HashSet<UserId> = self
                .coach
                .store()
                .round_attempts(round.id)
                .await?
                .into_iter()
                .map(|a| a.user)
                .collect();
            let members = self.members(session).await?;
            if !answered.is_empty() && members.is_subset(&answered) {
                return Ok(());
            }
            let still_open = self
                .coach
                .store()
                .study_session(session.id)
                .await?
                .is_some_and(|s| s.state == SessionState::Open);
            if !still_open {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The key points and the round's scores.
    async fn reveal(
        &self,
        thread: ChannelId,
        session: &StudySession,
        round: &Round,
    ) -> Result<(), crate::Error> {
        let card = self.coach.index().card(&round.card)?;
        let mut attempts = self.coach.store().round_attempts(round.id).await?;
        attempts.sort_by(|a, b| b.grade.score.total_cmp(&a.grade.score));
        let scores: Vec<String> = attempts
            .iter()
            .map(|a| format!("<@{}> — {:.0}%", a.user, a.grade.score * 100.0))
            .collect();
        let mut embed =
            CreateEmbed::new().title(format!("Round {} of {} is over", round.number, session.rounds));
        if let Some(card) = &card {
            embed = embed
                .description(truncate(&card.question, limits::EMBED_DESCRIPTION))
                .field("Key points", truncate(&card.answer, limits::FIELD_VALUE), false);
        }
        embed = embed.field(
            "Scores",
            if scores.is_empty() {
                "Nobody answered this one.".to_owned()
            } else {
                truncate(&scores.join("\n"), limits::FIELD_VALUE)
            },
            false,
        );
        thread
            .send_message(
                &self.http,
                CreateMessage::new().embed(embed).allowed_mentions(no_pings()),
            )
            .await?;
        Ok(())
    }
}

/// The session's scoreboard and the key points most often missed.
pub(crate) async fn scoreboard(coach: &Coach, session: &StudySession) -> Result<CreateEmbed, crate::Error> {
    let store = coach.store();
    let scores = store.session_scores(session.id).await?;
    let lines: Vec<String> = scores
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "**{}.** <@{}> — {:.1} points ({} answered)",
                i + 1,
                s.user,
                s.total,
                s.answers
            )
        })
        .collect();
    let mut missed: Vec<(usize, String)> = Vec::new();
    for round in store.rounds(session.id).await? {
        let Some(card) = coach.index().card(&round.card)? else {
            continue;
        };
        let attempts = store.round_attempts(round.id).await?;
        for (i, point) in card.key_points.iter().enumerate() {
            let missed_by = attempts
                .iter()
                .filter(|a| {
                    a.grade
                        .points
                        .get(i)
                        .is_none_or(|p| p.verdict == Verdict::Missing)
                })
                .count();
            if missed_by > 0 {
                missed.push((missed_by, point.to_string()));
            }
        }
    }
    missed.sort_by_key(|m| std::cmp::Reverse(m.0));
    let review: Vec<String> = missed
        .iter()
        .take(5)
        .map(|(n, p)| format!("{p} (missed {n}×)"))
        .collect();
    let mut embed = CreateEmbed::new()
        .title(format!("Session over · {} rounds", session.rounds))
        .description(if lines.is_empty() {
            "Nobody answered.".to_owned()
        } else {
            truncate(&lines.join("\n"), limits::EMBED_DESCRIPTION)
        })
        .footer(CreateEmbedFooter::new(
            "Answers count on the leaderboards and in your review schedule.",
        ));
    if !review.is_empty() {
        embed = embed.field(
            "Points to review",
            truncate(&review.join("\n"), limits::FIELD_VALUE),
            false,
        );
    }
    Ok(embed)
}
