//! `/mydata export|delete`: everything cuecard keeps about you, to take away or to erase.

use serenity::all::{ButtonStyle, CreateActionRow, CreateAttachment, CreateButton};

use crate::ids::Action;
use crate::{Context, Error, private, user_of};

/// Your data: export it or delete it
#[poise::command(slash_command, subcommands("export", "delete"), subcommand_required)]
#[allow(clippy::unused_async)] // poise calls a parent command as an async fn
pub async fn mydata(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Everything cuecard keeps about you, as a JSON file only you can see
#[poise::command(slash_command)]
pub async fn export(ctx: Context<'_>) -> Result<(), Error> {
    let coach = &ctx.data().coach;
    let export = coach
        .store()
        .export_user(user_of(ctx.author()), coach.now())
        .await
        .map_err(cuecard_coach::CoachError::from)?;
    let json = export.to_json().map_err(cuecard_coach::CoachError::from)?;
    ctx.send(
        private()
            .content("Here is everything cuecard keeps about you.")
            .attachment(CreateAttachment::bytes(json.into_bytes(), "cuecard-my-data.json")),
    )
    .await?;
    Ok(())
}

/// Delete all your answers, progress and review schedule (asks to confirm)
#[poise::command(slash_command)]
pub async fn delete(ctx: Context<'_>) -> Result<(), Error> {
    let button = CreateButton::new(
        Action::DeleteMyData {
            user: ctx.author().id.get(),
        }
        .encode(),
    )
    .label("Delete everything")
    .style(ButtonStyle::Danger);
    ctx.send(
        private()
            .content("This deletes all your answers, scores, streaks and review schedule, everywhere. It cannot be undone.")
            .components(vec![CreateActionRow::Buttons(vec![button])]),
    )
    .await?;
    Ok(())
}
