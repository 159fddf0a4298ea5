//! `/settings`: server settings, for members who may manage the server.
//!
//! Discord hides these commands from other members (`default_member_permissions`), and poise
//! checks the permission again on every use (`required_permissions`), since a server's admins
//! can change who sees a command.

use crate::safe::clean;
use crate::{Context, Error, private};

/// Server settings (Manage Server only)
#[poise::command(
    slash_command,
    guild_only,
    subcommands("timezone"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
#[allow(clippy::unused_async)] // poise calls a parent command as an async fn
pub async fn settings(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// The server's time zone, for weekly boards, streaks and the daily question
#[poise::command(slash_command, guild_only, required_permissions = "MANAGE_GUILD")]
pub async fn timezone(
    ctx: Context<'_>,
    #[description = "An IANA time zone, like Europe/Berlin or America/New_York"]
    #[max_length = 64]
    zone: String,
) -> Result<(), Error> {
    let Some(guild) = crate::guild_of(ctx.guild_id()) else {
        return Ok(());
    };
    let coach = &ctx.data().coach;
    match coach.store().set_time_zone(guild, zone.trim(), coach.now()).await {
        Ok(_) => {
            ctx.send(private().content(format!("Time zone set to {}.", clean(zone.trim(), 64))))
                .await?;
        }
        Err(cuecard_store::StoreError::UnknownTimeZone(_)) => {
            ctx.send(private().content(format!(
                "“{}” is not a time zone I know. Use an IANA name such as Europe/Berlin, America/New_York or Asia/Kolkata.",
                clean(&zone, 64)
            )))
            .await?;
        }
        Err(error) => return Err(cuecard_coach::CoachError::from(error).into()),
    }
    Ok(())
}
