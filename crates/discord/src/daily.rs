//! The daily-drop scheduler: posts each guild's question once per local day, reconciles a drop
//! whose posting was interrupted, and posts each drop's recap when its window closes.
//!
//! Everything it decides is in the database, so it is restart-safe: a drop is claimed (a row
//! in state `pending`) before its message is posted and marked posted with the message id after;
//! a process that died in between finds the pending row on its next tick and looks for the
//! message in the channel before posting anything. A recap is claimed the same way, so two
//! processes never both post one. Each process handles only the guilds of its own shards.

use std::sync::Arc;
use std::time::Duration;

use cuecard_coach::{Coach, DropSchedule};
use cuecard_core::{Card, GuildId, Verdict};
use cuecard_store::{DailyDrop, DropClaim, DropOptions, DropSettings, NewDrop, Occasion};
use jiff::civil::Date;
use rand::seq::IndexedRandom;
use serenity::all::{
    ChannelId, CreateAllowedMentions, CreateEmbed, CreateEmbedFooter, CreateMessage, Http, RoleId,
};
use tracing::{info, warn};

use crate::ids::Action;
use crate::render;
use crate::safe::{limits, truncate};

/// How many of a guild's latest drop cards a new drop avoids.
const RECENT_DROPS: u32 = 30;

/// Which guilds this process serves: those whose shard is in its range.
#[derive(Debug, Clone)]
pub struct Ownership {
    /// The shards this process runs.
    pub shards: std::ops::RangeInclusive<u32>,
    /// The total number of shards of the bot.
    pub total: u32,
}

impl Ownership {
    /// Whether this process posts `guild`'s drops: Discord's `(guild_id >> 22) % shard_count`.
    pub fn owns(&self, guild: GuildId) -> bool {
        let total = u64::from(self.total.max(1));
        let shard = u32::try_from((guild.0 >> 22) % total).unwrap_or(0);
        self.shards.contains(&shard)
    }
}

/// A guild's drop schedule and options by its current settings; `None` when it has none.
pub(crate) async fn guild_schedule(
    store: &cuecard_store::Store,
    guild: GuildId,
) -> Result<Option<(DropSchedule, DropOptions)>, crate::Error> {
    // As coach errors, so a user whose answer needed this is told the database is away.
    let Some(settings) = store
        .drop_settings(guild)
        .await
        .map_err(cuecard_coach::CoachError::from)?
    else {
        return Ok(None);
    };
    let options = store
        .drop_options(guild)
        .await
        .map_err(cuecard_coach::CoachError::from)?;
    let schedule = DropSchedule::new(settings.local_time, &settings.time_zone, options.weekdays_only)?;
    Ok(Some((schedule, options)))
}

/// The scheduler of one process.
pub struct Scheduler {
    pub(crate) coach: Arc<Coach>,
    pub(crate) http: Arc<Http>,
    pub(crate) ownership: Option<Ownership>,
}

impl Scheduler {
    /// Ticks forever, every `every`.
    pub async fn run(self, every: Duration) {
        loop {
            self.tick().await;
            tokio::time::sleep(every).await;
        }
    }

    fn owns(&self, guild: GuildId) -> bool {
        self.ownership.as_ref().is_none_or(|o| o.owns(guild))
    }

    /// One pass: post due drops, finish interrupted ones, post due recaps. Errors are logged
    /// and retried on the next tick: a database or Discord outage delays a drop, never loses it.
    pub async fn tick(&self) {
        if let Err(error) = self.drops().await {
            warn!(error = %error, "daily drops: will retry");
        }
        if let Err(error) = self.recaps().await {
            warn!(error = %error, "daily recaps: will retry");
        }
    }

    async fn drops(&self) -> Result<(), crate::Error> {
        let store = self.coach.store();
        let now = self.coach.now();
        // Drops left pending (a crash, a failed post) are settled first, whatever their date:
        // found in the channel, posted if their window is still open, or given up as missed.
        for drop in store.pending_drops().await? {
            if self.owns(drop.guild) {
                self.settle_pending(&drop, now).await?;
            }
        }
        for (guild, settings) in store.enabled_drop_settings().await? {
            if !self.owns(guild) {
                continue;
            }
            let options = store.drop_options(guild).await?;
            let schedule =
                DropSchedule::new(settings.local_time, &settings.time_zone, options.weekdays_only)?;
            let Some(date) = schedule.open(now) else { continue };
            match store.drop_on(guild, date).await? {
                None if schedule.due(now) == Some(date) => {
                    self.post_new(guild, date, &settings, options).await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Draws the day's card, avoiding the guild's recent drops: from its weakest topic (of its
    /// chosen ones) over the last 30 days when the drop is adaptive, else from a random one of
    /// its topics (all when it chose none).
    async fn draw(
        &self,
        guild: GuildId,
        settings: &DropSettings,
        options: DropOptions,
        recent: &[cuecard_core::CardId],
    ) -> Result<Option<Card>, crate::Error> {
        let mut topic = None;
        if options.adaptive {
            let since = self
                .coach
                .now()
                .checked_sub(jiff::SignedDuration::from_hours(30 * 24))?;
            let averages = self.coach.store().guild_topic_averages(guild, since).await?;
            topic = averages
                .into_iter()
                .map(|(topic, _)| topic)
                .find(|t| settings.topics.is_empty() || settings.topics.contains(t));
        }
        let mut rng = rand::make_rng::<rand::rngs::StdRng>();
        if topic.is_none() {
            topic = settings.topics.choose(&mut rng).cloned();
        }
        Ok(self.coach.index().draw(topic.as_deref(), recent, &mut rng)?)
    }

    /// Claims and posts `date`'s drop for `guild`. Returns what the guild's drop for that date
    /// is now, whoever posted it.
    pub(crate) async fn post_new(
        &self,
        guild: GuildId,
        date: Date,
        settings: &DropSettings,
        options: DropOptions,
    ) -> Result<DailyDrop, crate::Error> {
        let store = self.coach.store();
        let recent = store.recent_drop_cards(guild, RECENT_DROPS).await?;
        let Some(card) = self.draw(guild, settings, options, &recent).await? else {
            return Err("the sheet has no questions for this server's drop topics".into());
        };
        let claim = store
            .claim_drop(
                &NewDrop {
                    guild,
                    local_date: date,
                    card: card.id.clone(),
                    channel: settings.channel,
                },
                self.coach.now(),
            )
            .await?;
        match claim {
            DropClaim::Claimed(drop) => self.post(&drop, &card, options).await,
            DropClaim::Taken(drop) => Ok(drop),
        }
    }

    fn message(drop: &DailyDrop, card: &Card, options: DropOptions) -> CreateMessage {
        let heading = format!("Daily question · {}", drop.local_date);
        let embed = render::question(card, &heading).footer(CreateEmbedFooter::new(format!(
            "card {} · drop {} · one answer each, graded privately",
            card.id, drop.id.0
        )));
        let mut message = CreateMessage::new()
            .embed(embed)
            .components(vec![render::answer_buttons(card, Occasion::DailyDrop(drop.id))])
            .allowed_mentions(crate::safe::no_pings());
        if let Some(role) = options.ping_role {
            // The one ping the bot ever sends, to the role a server's admins chose.
            message = message
                .content(format!("<@&{role}>"))
                .allowed_mentions(CreateAllowedMentions::new().roles(vec![RoleId::new(role.max(1))]));
        }
        message
    }

    async fn post(
        &self,
        drop: &DailyDrop,
        card: &Card,
        options: DropOptions,
    ) -> Result<DailyDrop, crate::Error> {
        let channel = ChannelId::new(drop.channel.max(1));
        match channel
            .send_message(&self.http, Self::message(drop, card, options))
            .await
        {
            Ok(message) => {
                let posted = self
                    .coach
                    .store()
                    .mark_drop_posted(drop.id, message.id.get(), self.coach.now())
                    .await?;
                metrics::counter!(crate::telemetry::names::DAILY_DROPS_POSTED).increment(1);
                info!(guild = %drop.guild, date = %drop.local_date, drop = drop.id.0, "daily drop posted");
                Ok(posted)
            }
            Err(serenity::Error::Http(error)) if error.status_code().is_some_and(|s| s.is_client_error()) => {
                // The channel is gone or closed to the bot: retrying would not help.
                warn!(guild = %drop.guild, error = %error, "daily drop cannot be posted; marked failed");
                metrics::counter!(crate::telemetry::names::DAILY_DROPS_MISSED).increment(1);
                Ok(self.coach.store().mark_drop_failed(drop.id).await?)
            }
            // Anything else (the network) leaves the drop pending for the next tick.
            Err(error) => Err(error.into()),
        }
    }

    /// A drop left pending by a crash: if its message made it to the channel, record it; else
    /// post it now. Either way it is posted exactly once.
    async fn settle_pending(&self, drop: &DailyDrop, now: jiff::Timestamp) -> Result<(), crate::Error> {
        let store = self.coach.store();
        let (options, closes) = match guild_schedule(store, drop.guild).await? {
            Some((schedule, options)) => (options, schedule.closes(drop.local_date)),
            None => (DropOptions::default(), now),
        };
        self.reconcile(drop, options, now < closes).await
    }

    async fn reconcile(
        &self,
        drop: &DailyDrop,
        options: DropOptions,
        still_open: bool,
    ) -> Result<(), crate::Error> {
        let channel = ChannelId::new(drop.channel.max(1));
        let wanted = Action::Answer {
            card: drop.card.clone(),
            occasion: Occasion::DailyDrop(drop.id),
        }
        .encode();
        if let Some(message) = crate::reconcile::find_posted(&self.http, channel, &wanted).await? {
            self.coach
                .store()
                .mark_drop_posted(drop.id, message, self.coach.now())
                .await?;
            info!(
                drop = drop.id.0,
                "interrupted daily drop found in its channel; not posted again"
            );
            return Ok(());
        }
        let card = self.coach.index().card(&drop.card)?;
        match card {
            Some(card) if still_open => {
                self.post(drop, &card, options).await?;
            }
            _ => {
                // Its day is over (or its question left the sheet): a missed drop, counted so
                // an operator sees it, and never posted late.
                self.coach.store().mark_drop_failed(drop.id).await?;
                metrics::counter!(crate::telemetry::names::DAILY_DROPS_MISSED).increment(1);
                warn!(guild = %drop.guild, date = %drop.local_date, "daily drop missed");
            }
        }
        Ok(())
    }

    async fn recaps(&self) -> Result<(), crate::Error> {
        let store = self.coach.store();
        let now = self.coach.now();
        for drop in store.drops_awaiting_recap().await? {
            if !self.owns(drop.guild) {
                continue;
            }
            let closes = match guild_schedule(store, drop.guild).await? {
                Some((schedule, _)) => schedule.closes(drop.local_date),
                // Settings removed: close the window now.
                None => now,
            };
            if now < closes || !store.claim_recap(drop.id, now).await? {
                continue;
            }
            let embed = self.recap(&drop).await?;
            let message = ChannelId::new(drop.channel.max(1))
                .send_message(
                    &self.http,
                    CreateMessage::new()
                        .embed(embed)
                        .allowed_mentions(crate::safe::no_pings()),
                )
                .await?;
            store.mark_recap_posted(drop.id, message.id.get()).await?;
            info!(drop = drop.id.0, "daily recap posted");
        }
        Ok(())
    }

    /// The recap: how many answered, the share who covered each key point, the best answers
    /// (names only) with their streaks, and the model answer.
    pub(crate) async fn recap(&self, drop: &DailyDrop) -> Result<CreateEmbed, crate::Error> {
        let store = self.coach.store();
        let attempts = store.drop_attempts(drop.id).await?;
        let card = self.coach.index().card(&drop.card)?;
        let title = card
            .as_ref()
            .map_or_else(|| "Recap".to_owned(), |c| format!("Recap · {}", c.question));
        let mut embed = CreateEmbed::new()
            .title(truncate(&title, limits::EMBED_TITLE))
            .description(format!(
                "Daily question of {} · {} answer{}",
                drop.local_date,
                attempts.len(),
                if attempts.len() == 1 { "" } else { "s" }
            ));
        if let (Some(card), false) = (&card, attempts.is_empty()) {
            let lines: Vec<String> = card
                .key_points
                .iter()
                .enumerate()
                .map(|(i, point)| {
                    let mentioned = attempts
                        .iter()
                        .filter(|a| {
                            a.grade
                                .points
                                .get(i)
                                .is_some_and(|p| p.verdict != Verdict::Missing)
                        })
                        .count();
                    format!(
                        "{:.0}% mentioned {point}",
                        100.0 * mentioned as f64 / attempts.len() as f64
                    )
                })
                .collect();
            embed = embed.field(
                "Key points",
                truncate(&lines.join("\n"), limits::FIELD_VALUE),
                false,
            );
        }
        let mut best: Vec<_> = attempts.iter().collect();
        best.sort_by(|a, b| b.grade.score.total_cmp(&a.grade.score).then(a.at.cmp(&b.at)));
        let mut podium = Vec::new();
        for attempt in best.iter().take(3) {
            let streak = store
                .streak(
                    drop.guild,
                    attempt.user,
                    self.coach.policy().pass_mark,
                    self.coach.now(),
                )
                .await?;
            podium.push(format!(
                "<@{}> — {:.0}% · streak {}",
                attempt.user,
                attempt.grade.score * 100.0,
                streak.current
            ));
        }
        if !podium.is_empty() {
            embed = embed.field("Top answers", podium.join("\n"), false);
        }
        if let Some(card) = &card {
            embed = embed.field("Model answer", truncate(&card.answer, limits::FIELD_VALUE), false);
        }
        Ok(embed.footer(CreateEmbedFooter::new(format!(
            "drop {} · next question at the usual time",
            drop.id.0
        ))))
    }
}
