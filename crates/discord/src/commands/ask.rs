//! `/ask`, `/answer`, `/hint`, `/skip`: one question at a time, answered privately.

use cuecard_coach::{AnswerRequest, CoachError};
use cuecard_store::Occasion;

use super::autocomplete_topic;
use crate::safe::limits;
use crate::{Context, Error, guild_of, private, public, render, user_of};

/// Ask me a question from the cheat sheet; answer it privately with the button
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Only from this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
) -> Result<(), Error> {
    let user = user_of(ctx.author());
    let card = ctx.data().coach.ask(user, topic.as_deref()).await?;
    ctx.data().state.open(user, card.id.clone());
    ctx.send(
        public()
            .embed(render::question(&card, "Question"))
            .components(vec![render::answer_buttons(&card, Occasion::AdHoc)]),
    )
    .await?;
    Ok(())
}

/// Answer your open question in one line (the Answer button gives you more room)
#[poise::command(slash_command)]
pub async fn answer(
    ctx: Context<'_>,
    #[description = "Your answer"]
    #[max_length = 4000]
    text: String,
) -> Result<(), Error> {
    let user = user_of(ctx.author());
    let Some(open) = ctx.data().state.question(user) else {
        ctx.send(private().content("You have no open question. Use `/ask` to get one."))
            .await?;
        return Ok(());
    };
    if let Err(refusal) = crate::limits::check_grading(ctx.data(), user) {
        // Said directly: through `on_error` it would be logged as a failure, and it is not one.
        ctx.send(private().content(refusal.0)).await?;
        return Ok(());
    }
    if ctx.data().defer_grading {
        ctx.defer_ephemeral().await?;
    }
    let hints = ctx.data().state.close(user, &open.card);
    let coach = &ctx.data().coach;
    let answering = coach.answer(AnswerRequest {
        guild: guild_of(ctx.guild_id()),
        hints,
        request_key: Some(format!("discord:{}", ctx.id())),
        ..AnswerRequest::ad_hoc(user, &open.card, &text)
    });
    // Already deferred for a slow grader; otherwise deferred only if the database is slow.
    let answered = if ctx.data().defer_grading {
        answering.await
    } else {
        crate::deferral::or_defer(answering, || ctx.defer_ephemeral())
            .await
            .0
    };
    let answered = match answered {
        Ok(answered) => answered,
        Err(error) => {
            if matches!(error, CoachError::Store(_)) {
                // Nothing was recorded and the user is told to try again: keep the question open.
                ctx.data().state.reopen(user, open);
            }
            return Err(error.into());
        }
    };
    ctx.send(private().embed(render::grade(&answered, coach.now(), coach.policy().pass_mark)))
        .await?;
    Ok(())
}

/// Reveal one key point of your open question (each hint costs part of the score)
#[poise::command(slash_command)]
pub async fn hint(ctx: Context<'_>) -> Result<(), Error> {
    let user = user_of(ctx.author());
    let Some(open) = ctx.data().state.question(user) else {
        ctx.send(private().content("You have no open question. Use `/ask` to get one."))
            .await?;
        return Ok(());
    };
    let coach = &ctx.data().coach;
    let Some(card) = coach.index().card(&open.card)? else {
        ctx.send(private().content("That question is no longer in the sheet. Use `/ask` for another."))
            .await?;
        return Ok(());
    };
    let taken = ctx.data().state.take_hint(user, &card.id);
    let text = render::hint(coach.hint(&card, taken).as_ref());
    ctx.send(private().content(crate::safe::truncate(&text, limits::MESSAGE)))
        .await?;
    Ok(())
}

/// Skip your open question and see its key points
#[poise::command(slash_command)]
pub async fn skip(ctx: Context<'_>) -> Result<(), Error> {
    let user = user_of(ctx.author());
    let Some(open) = ctx.data().state.question(user) else {
        ctx.send(private().content("You have no open question. Use `/ask` to get one."))
            .await?;
        return Ok(());
    };
    ctx.data().state.close(user, &open.card);
    let reply = match ctx.data().coach.index().card(&open.card)? {
        Some(card) => private()
            .content("Skipped. Here is what a good answer covers:")
            .embed(render::card(&card)),
        None => private().content("Skipped."),
    };
    ctx.send(reply).await?;
    Ok(())
}
