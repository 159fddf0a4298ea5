//! `/leaderboard`, `/stats`, `/review`: how everyone is doing.

use cuecard_core::Period;
use cuecard_store::{Board, Occasion, Page};
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton, CreateEmbed};

use super::autocomplete_topic;
use crate::ids::Action;
use crate::{Context, Data, Error, guild_of, private, public, render, user_of};

/// Leaderboard rows per page.
pub(crate) const PAGE_SIZE: u32 = 10;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PeriodChoice {
    #[name = "this week"]
    Week,
    #[name = "this month"]
    Month,
    #[name = "all time"]
    All,
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum ScopeChoice {
    #[name = "this server"]
    Server,
    #[name = "everywhere"]
    Global,
}

/// A board, its title and its page buttons, from the values that also travel in the buttons.
pub(crate) async fn board_page(
    data: &Data,
    guild: Option<u64>,
    period: &str,
    scope: &str,
    topic: &str,
    page: u32,
) -> Result<(CreateEmbed, Vec<CreateActionRow>), Error> {
    let period: Period = period.parse().unwrap_or_default();
    let global = scope == "global" || guild.is_none();
    let mut board = match guild {
        Some(guild) if !global => Board::guild(cuecard_core::GuildId(guild), period),
        _ => Board::global(period),
    };
    let mut title = format!(
        "Leaderboard · {} · {}",
        if global { "everywhere" } else { "this server" },
        match period {
            Period::Week => "this week",
            Period::Month => "this month",
            Period::AllTime => "all time",
        }
    );
    if !topic.is_empty() {
        board = board.topic(topic);
        title.push_str(" · ");
        title.push_str(topic);
    }
    let mut request = Page::first(PAGE_SIZE);
    for _ in 0..page {
        request = request.next();
    }
    let result = data.coach.leaderboard(&board, request).await?;
    let embed = render::leaderboard(&title, &result);
    let scope = if global { "global" } else { "server" };
    let button = |label: &str, to: u32, disabled: bool| {
        CreateButton::new(
            Action::Board {
                period: period.as_str().to_owned(),
                scope: scope.to_owned(),
                page: to,
                topic: topic.to_owned(),
            }
            .encode(),
        )
        .label(label)
        .style(ButtonStyle::Secondary)
        .disabled(disabled)
    };
    let last_page = result.players.saturating_sub(1) / PAGE_SIZE;
    let row = CreateActionRow::Buttons(vec![
        button("◀ Previous", page.saturating_sub(1), page == 0),
        button("Next ▶", page + 1, page >= last_page),
    ]);
    Ok((embed, vec![row]))
}

/// The leaderboard: this week by default, so anyone can top it
#[poise::command(slash_command)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "Which period (default: this week)"] period: Option<PeriodChoice>,
    #[description = "Only answers in this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
    #[description = "This server or everywhere (default: this server)"] scope: Option<ScopeChoice>,
) -> Result<(), Error> {
    let period = match period.unwrap_or(PeriodChoice::Week) {
        PeriodChoice::Week => "week",
        PeriodChoice::Month => "month",
        PeriodChoice::All => "all",
    };
    let scope = match scope.unwrap_or(ScopeChoice::Server) {
        ScopeChoice::Server => "server",
        ScopeChoice::Global => "global",
    };
    let topic = match topic {
        Some(filter) => {
            let index = ctx.data().coach.index();
            let Some(found) = index.topics().iter().find(|t| t.topic.matches(&filter)) else {
                ctx.send(private().content(format!(
                    "No topic matches “{}”. See `/topics`.",
                    crate::safe::clean(&filter, 100)
                )))
                .await?;
                return Ok(());
            };
            found.topic.slug().to_owned()
        }
        None => String::new(),
    };
    let guild = ctx.guild_id().map(serenity::all::GuildId::get);
    let (embed, rows) = board_page(ctx.data(), guild, period, scope, &topic, 0).await?;
    ctx.send(public().embed(embed).components(rows)).await?;
    Ok(())
}

/// Your progress, or another member's
#[poise::command(slash_command)]
pub async fn stats(
    ctx: Context<'_>,
    #[description = "Whose progress (default: yours)"] user: Option<serenity::all::User>,
) -> Result<(), Error> {
    let user = user.as_ref().unwrap_or_else(|| ctx.author());
    let coach = &ctx.data().coach;
    let stats = coach.stats(user_of(user)).await?;
    let streak = match guild_of(ctx.guild_id()) {
        Some(guild) => Some(
            coach
                .store()
                .streak(guild, user_of(user), coach.policy().pass_mark, coach.now())
                .await?,
        ),
        None => None,
    };
    let name = user.global_name.clone().unwrap_or_else(|| user.name.clone());
    ctx.send(private().embed(render::stats(&name, &stats, streak.as_ref(), coach.now())))
        .await?;
    Ok(())
}

/// Your cards due for review, most overdue first
#[poise::command(slash_command)]
pub async fn review(ctx: Context<'_>) -> Result<(), Error> {
    let user = user_of(ctx.author());
    let coach = &ctx.data().coach;
    let due = coach.due(user, 10).await?;
    let Some(first) = due.first() else {
        let stats = coach.stats(user).await?;
        let text = match stats.next_due {
            Some(next) => format!(
                "Nothing is due. Your next review is {}.",
                render::when(next, coach.now())
            ),
            None => "Nothing is due: answer some questions with `/ask` first.".to_owned(),
        };
        ctx.send(private().content(text)).await?;
        return Ok(());
    };
    ctx.data().state.open(user, first.card.id.clone());
    let heading = format!("Review · {} due", due.len());
    ctx.send(
        private()
            .embed(render::question(&first.card, &heading))
            .components(vec![render::answer_buttons(&first.card, Occasion::Review)]),
    )
    .await?;
    Ok(())
}
