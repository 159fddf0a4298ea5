//! `/interview`: a private mock interview, one question after another, then a scorecard.

use cuecard_core::{Card, UserId};
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton, CreateEmbed};

use super::autocomplete_topic;
use crate::ids::Action;
use crate::state::Interview;
use crate::{Context, Data, Error, private, render, user_of};

/// The embed and button of question `index` of an interview.
pub(crate) fn interview_question(id: u64, index: usize, cards: &[Card]) -> (CreateEmbed, CreateActionRow) {
    let card = &cards[index];
    let heading = format!("Interview · question {} of {}", index + 1, cards.len());
    let button = CreateButton::new(Action::InterviewAnswer { interview: id, index }.encode())
        .label("Answer")
        .style(ButtonStyle::Primary);
    (
        render::question(card, &heading),
        CreateActionRow::Buttons(vec![button]),
    )
}

/// After an answer: the next question, or the scorecard when the interview is over.
pub(crate) fn interview_step(
    data: &Data,
    id: u64,
    interview: &Interview,
) -> (Vec<CreateEmbed>, Vec<CreateActionRow>) {
    let next = interview.answers.len();
    if next < interview.cards.len() {
        let (embed, row) = interview_question(id, next, &interview.cards);
        (vec![embed], vec![row])
    } else {
        (
            vec![render::scorecard(&data.coach.scorecard(&interview.answers))],
            Vec::new(),
        )
    }
}

/// A private mock interview: questions across topics, then a scorecard
#[poise::command(slash_command)]
pub async fn interview(
    ctx: Context<'_>,
    #[description = "How many questions (default 5)"]
    #[min = 1]
    #[max = 20]
    count: Option<u8>,
    #[description = "Only this topic"]
    #[autocomplete = "autocomplete_topic"]
    track: Option<String>,
) -> Result<(), Error> {
    let user: UserId = user_of(ctx.author());
    let cards = ctx
        .data()
        .coach
        .plan_interview(usize::from(count.unwrap_or(5)), track.as_deref())?;
    let id = ctx.data().state.start_interview(Interview {
        user,
        cards: cards.clone(),
        answers: Vec::new(),
    });
    let (embed, row) = interview_question(id, 0, &cards);
    ctx.send(
        private()
            .content(format!(
                "Mock interview: {} questions. Answer each in your own words.",
                cards.len()
            ))
            .embed(embed)
            .components(vec![row]),
    )
    .await?;
    Ok(())
}
