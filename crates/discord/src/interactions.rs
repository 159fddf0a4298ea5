//! Buttons and modals, answered by one handler from what their custom ids carry.

use cuecard_coach::AnswerRequest;
use cuecard_core::CardId;
use cuecard_store::Occasion;
use serenity::all::{
    ActionRowComponent, ComponentInteraction, Context as SerenityContext, CreateActionRow, CreateEmbed,
    CreateInputText, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, CreateModal, EditInteractionResponse, FullEvent, InputTextStyle,
    Interaction, ModalInteraction,
};
use tracing::{error, warn};

use crate::commands::{interview_question, interview_step};
use crate::ids::Action;
use crate::safe::{self, limits, truncate};
use crate::{Data, Error, guild_of, render, user_message, user_of};

type FrameworkContext<'a> = poise::FrameworkContext<'a, Data, Error>;

/// The custom id of the answer field inside every answer modal.
const ANSWER_FIELD: &str = "answer";

pub(crate) async fn handle(framework: FrameworkContext<'_>, event: &FullEvent) -> Result<(), Error> {
    let FullEvent::InteractionCreate { interaction } = event else {
        return Ok(());
    };
    let ctx = framework.serenity_context;
    let data = framework.user_data;
    let result = match interaction {
        Interaction::Component(press) => on_component(ctx, data, press).await,
        Interaction::Modal(submit) => on_modal(ctx, data, submit).await,
        _ => Ok(()),
    };
    if let Err(error) = result {
        crate::telemetry::set_outcome("error");
        error!(error = %error, "interaction failed");
    }
    Ok(())
}

fn private_message() -> CreateInteractionResponseMessage {
    CreateInteractionResponseMessage::new()
        .ephemeral(true)
        .allowed_mentions(safe::no_pings())
}

fn answer_modal(custom_id: String, question: &str) -> CreateModal {
    let input = CreateInputText::new(InputTextStyle::Paragraph, "Your answer", ANSWER_FIELD)
        .placeholder(truncate(question, 100))
        .min_length(1)
        .max_length(limits::ANSWER)
        .required(true);
    CreateModal::new(custom_id, "Your answer").components(vec![CreateActionRow::InputText(input)])
}

async fn say(ctx: &SerenityContext, press: &ComponentInteraction, text: &str) -> Result<(), Error> {
    let message = private_message().content(truncate(text, limits::MESSAGE));
    press
        .create_response(ctx, CreateInteractionResponse::Message(message))
        .await?;
    Ok(())
}

async fn on_component(ctx: &SerenityContext, data: &Data, press: &ComponentInteraction) -> Result<(), Error> {
    let Some(action) = Action::decode(&press.data.custom_id) else {
        return say(
            ctx,
            press,
            "This button belongs to an older version of cuecard. Run the command again.",
        )
        .await;
    };
    let user = user_of(&press.user);
    let index = data.coach.index();
    match action {
        Action::Answer { card, occasion } => {
            let Some(card) = index.card(&card)? else {
                return say(ctx, press, "That question is no longer in the sheet.").await;
            };
            let modal = answer_modal(
                Action::Submit {
                    card: card.id.clone(),
                    occasion,
                }
                .encode(),
                &card.question,
            );
            press
                .create_response(ctx, CreateInteractionResponse::Modal(modal))
                .await?;
        }
        Action::Hint { card } => {
            let Some(card) = index.card(&card)? else {
                return say(ctx, press, "That question is no longer in the sheet.").await;
            };
            let taken = data.state.take_hint(user, &card.id);
            let text = render::hint(data.coach.hint(&card, taken).as_ref());
            say(ctx, press, &text).await?;
        }
        Action::Show { id } => {
            let Some(item) = index.by_id(&id)? else {
                return say(
                    ctx,
                    press,
                    "That part of the sheet is gone; search again with `/lookup`.",
                )
                .await;
            };
            let embed = crate::commands::item_embed(&item);
            press
                .create_response(
                    ctx,
                    CreateInteractionResponse::Message(private_message().embed(embed)),
                )
                .await?;
        }
        Action::Board {
            period,
            scope,
            page,
            topic,
        } => {
            let guild = press.guild_id.map(serenity::all::GuildId::get);
            let (embed, rows) =
                crate::commands::board_page(data, guild, &period, &scope, &topic, page).await?;
            let update = CreateInteractionResponseMessage::new()
                .embed(embed)
                .components(rows)
                .allowed_mentions(safe::no_pings());
            press
                .create_response(ctx, CreateInteractionResponse::UpdateMessage(update))
                .await?;
        }
        Action::InterviewAnswer {
            interview,
            index: number,
        } => {
            let Some(running) = data.state.interview(interview) else {
                return say(
                    ctx,
                    press,
                    "This interview has ended. Start another with `/interview`.",
                )
                .await;
            };
            let Some(card) = running.cards.get(number) else {
                return say(ctx, press, "This interview has no such question.").await;
            };
            let modal = answer_modal(
                Action::InterviewSubmit {
                    interview,
                    index: number,
                }
                .encode(),
                &card.question,
            );
            press
                .create_response(ctx, CreateInteractionResponse::Modal(modal))
                .await?;
        }
        Action::DeleteMyData { user: owner } => {
            if owner != press.user.id.get() {
                return say(
                    ctx,
                    press,
                    "This button is not yours: use `/mydata delete` for your own data.",
                )
                .await;
            }
            let deleted = data
                .coach
                .store()
                .delete_user(user)
                .await
                .map_err(cuecard_coach::CoachError::from)?;
            let update = CreateInteractionResponseMessage::new()
                .content(format!(
                    "Deleted: {deleted:?}. cuecard keeps nothing more about you."
                ))
                .components(Vec::new());
            press
                .create_response(ctx, CreateInteractionResponse::UpdateMessage(update))
                .await?;
        }
        Action::Submit { .. } | Action::InterviewSubmit { .. } => {
            warn!(custom_id = %press.data.custom_id, "a modal id on a button");
        }
    }
    Ok(())
}

/// The text typed into the answer field of a modal.
fn typed_answer(submit: &ModalInteraction) -> String {
    submit
        .data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|component| match component {
            ActionRowComponent::InputText(input) if input.custom_id == ANSWER_FIELD => input.value.clone(),
            _ => None,
        })
        .unwrap_or_default()
}

/// Answers a modal with embeds: at once, or after a deferral when grading may be slow.
async fn reply_to_submit(
    ctx: &SerenityContext,
    submit: &ModalInteraction,
    deferred: bool,
    embeds: Vec<CreateEmbed>,
    rows: Vec<CreateActionRow>,
) -> Result<(), Error> {
    if deferred {
        let edit = EditInteractionResponse::new()
            .embeds(embeds)
            .components(rows)
            .allowed_mentions(safe::no_pings());
        submit.edit_response(ctx, edit).await?;
    } else {
        let message = private_message().embeds(embeds).components(rows);
        submit
            .create_response(ctx, CreateInteractionResponse::Message(message))
            .await?;
    }
    Ok(())
}

async fn on_modal(ctx: &SerenityContext, data: &Data, submit: &ModalInteraction) -> Result<(), Error> {
    let action = Action::decode(&submit.data.custom_id);
    let handling = async {
        match action {
            Some(Action::Submit { card, occasion }) => submit_answer(data, submit, &card, occasion).await,
            Some(Action::InterviewSubmit { interview, index }) => {
                submit_interview(data, submit, interview, index).await
            }
            _ => Err(crate::Refusal(
                "This form belongs to an older version of cuecard. Run the command again.".to_owned(),
            )
            .into()),
        }
    };
    // Deferred at once for a slow grader; otherwise only if the database turns out slow.
    let (outcome, deferred) = if data.defer_grading {
        submit.defer_ephemeral(ctx).await?;
        (handling.await, true)
    } else {
        crate::deferral::or_defer(handling, || submit.defer_ephemeral(ctx)).await
    };
    let (embeds, rows) = match outcome {
        Ok(reply) => reply,
        Err(error) => {
            if !crate::is_user_error(&*error) {
                error!(error = %error, "answer could not be handled");
            }
            let text = user_message(&*error);
            (
                vec![CreateEmbed::new().description(safe::clean(&text, limits::EMBED_DESCRIPTION))],
                Vec::new(),
            )
        }
    };
    if let Err(error) = reply_to_submit(ctx, submit, deferred, embeds, rows).await {
        // The grade is recorded; only telling the user failed. A followup is a second chance.
        warn!(error = %error, "could not reply to a submitted answer; trying a followup");
        let followup = CreateInteractionResponseFollowup::new()
            .ephemeral(true)
            .content("Your answer was saved, but the reply got lost. `/stats` shows it.");
        submit.create_followup(ctx, followup).await?;
    }
    Ok(())
}

type Reply = (Vec<CreateEmbed>, Vec<CreateActionRow>);

/// Whether a daily drop still takes answers: until the next drop goes out.
async fn drop_is_open(data: &Data, drop: cuecard_store::DropId) -> Result<bool, Error> {
    let store = data.coach.store();
    let Some(drop) = store
        .daily_drop(drop)
        .await
        .map_err(cuecard_coach::CoachError::from)?
    else {
        return Ok(false);
    };
    let Some((schedule, _)) = crate::daily::guild_schedule(store, drop.guild).await? else {
        return Ok(true);
    };
    Ok(data.coach.now() < schedule.closes(drop.local_date))
}

async fn submit_answer(
    data: &Data,
    submit: &ModalInteraction,
    card: &CardId,
    occasion: Occasion,
) -> Result<Reply, Error> {
    let user = user_of(&submit.user);
    if let Occasion::StudyRound(round) = occasion {
        let round = data
            .coach
            .store()
            .study_round(round)
            .await
            .map_err(cuecard_coach::CoachError::from)?;
        if round.is_none_or(|r| r.closed_at.is_some()) {
            return Err(crate::Refusal("This round is over; answer the next one.".to_owned()).into());
        }
    }
    if let Occasion::DailyDrop(drop) = occasion
        && !drop_is_open(data, drop).await?
    {
        return Err(crate::Refusal(
            "This daily question has closed; the next one is out (or soon will be).".to_owned(),
        )
        .into());
    }
    crate::limits::check_grading(data, user)?;
    let answer = typed_answer(submit);
    let open = data.state.question(user).filter(|q| q.card == *card);
    let hints = data.state.close(user, card);
    let coach = &data.coach;
    let answered = coach
        .answer(AnswerRequest {
            guild: guild_of(submit.guild_id),
            occasion,
            hints,
            request_key: Some(format!("discord:{}", submit.id)),
            ..AnswerRequest::ad_hoc(user, card, &answer)
        })
        .await;
    let answered = match answered {
        Ok(answered) => answered,
        Err(error) => {
            if let (cuecard_coach::CoachError::Store(_), Some(open)) = (&error, open) {
                // Nothing was recorded and the user is told to try again: keep the hints taken.
                data.state.reopen(user, open);
            }
            return Err(error.into());
        }
    };
    Ok((
        vec![render::grade(&answered, coach.now(), coach.policy().pass_mark)],
        Vec::new(),
    ))
}

async fn submit_interview(
    data: &Data,
    submit: &ModalInteraction,
    interview: u64,
    index: usize,
) -> Result<Reply, Error> {
    let user = user_of(&submit.user);
    let Some(running) = data.state.interview(interview) else {
        return Err(
            crate::Refusal("This interview has ended. Start another with `/interview`.".to_owned()).into(),
        );
    };
    if running.user != user {
        return Err(crate::Refusal(
            "This interview is someone else's. Start your own with `/interview`.".to_owned(),
        )
        .into());
    }
    let Some(card) = running.cards.get(index) else {
        return Err(crate::Refusal("This interview has no such question.".to_owned()).into());
    };
    crate::limits::check_grading(data, user)?;
    let answer = typed_answer(submit);
    let coach = &data.coach;
    let answered = coach
        .answer(AnswerRequest {
            guild: guild_of(submit.guild_id),
            request_key: Some(format!("discord:{}", submit.id)),
            ..AnswerRequest::ad_hoc(user, &card.id, &answer)
        })
        .await?;
    let grade = render::grade(&answered, coach.now(), coach.policy().pass_mark);
    let Some(updated) = data.state.interview_answered(interview, index, answered) else {
        return Ok((vec![grade], Vec::new()));
    };
    let (mut embeds, rows) = interview_step(data, interview, &updated);
    embeds.insert(0, grade);
    let _ = interview_question;
    Ok((embeds, rows))
}
