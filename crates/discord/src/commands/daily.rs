//! `/daily set|off|now|show`: a question dropped in a channel every day (Manage Server only).

use cuecard_coach::DropSchedule;
use cuecard_store::{DropOptions, DropSettings};
use jiff::civil::Time;
use serenity::all::{ChannelId, RoleId};

use crate::safe::clean;
use crate::{Context, Error, guild_of, private};

/// The daily question (Manage Server only)
#[poise::command(
    slash_command,
    guild_only,
    subcommands("set", "off", "now", "show"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
#[allow(clippy::unused_async)] // poise calls a parent command as an async fn
pub async fn daily(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Post a question every day at a local time in a channel
#[poise::command(slash_command, guild_only, required_permissions = "MANAGE_GUILD")]
#[allow(clippy::too_many_arguments)] // one per slash option
pub async fn set(
    ctx: Context<'_>,
    #[description = "Where the question goes"]
    #[channel_types("Text")]
    channel: ChannelId,
    #[description = "Local time, 24-hour HH:MM (e.g. 09:00)"]
    #[max_length = 5]
    time: String,
    #[description = "IANA time zone, e.g. Europe/Berlin"]
    #[max_length = 64]
    timezone: String,
    #[description = "Only these topics, comma-separated (default: all)"]
    #[max_length = 300]
    topics: Option<String>,
    #[description = "A role to mention when the question is posted"] ping_role: Option<RoleId>,
    #[description = "Skip Saturdays and Sundays"] weekdays_only: Option<bool>,
    #[description = "Ask from the server's weakest topics"] adaptive: Option<bool>,
) -> Result<(), Error> {
    let Some(guild) = guild_of(ctx.guild_id()) else {
        return Ok(());
    };
    let Ok(local_time) = time.trim().parse::<Time>() else {
        ctx.send(private().content(format!(
            "“{}” is not a time: use 24-hour HH:MM, like 09:00.",
            clean(&time, 10)
        )))
        .await?;
        return Ok(());
    };
    let zone = timezone.trim();
    if DropSchedule::new(local_time, zone, false).is_err() {
        ctx.send(private().content(format!(
            "“{}” is not a time zone I know. Use an IANA name such as Europe/Berlin or America/New_York.",
            clean(zone, 64)
        )))
        .await?;
        return Ok(());
    }
    let index = ctx.data().coach.index();
    let mut slugs = Vec::new();
    for wanted in topics
        .iter()
        .flat_map(|t| t.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let Some(topic) = index
            .topics()
            .iter()
            .find(|t| t.cards > 0 && t.topic.matches(wanted))
        else {
            ctx.send(private().content(format!(
                "No topic matches “{}”. See `/topics`.",
                clean(wanted, 64)
            )))
            .await?;
            return Ok(());
        };
        slugs.push(topic.topic.slug().to_owned());
    }
    let coach = &ctx.data().coach;
    let settings = DropSettings {
        channel: channel.get(),
        local_time,
        time_zone: zone.to_owned(),
        topics: slugs.clone(),
        enabled: true,
    };
    let now = coach.now();
    coach
        .store()
        .set_drop_settings(guild, &settings, now)
        .await
        .map_err(cuecard_coach::CoachError::from)?;
    let options = DropOptions {
        weekdays_only: weekdays_only.unwrap_or(false),
        ping_role: ping_role.map(RoleId::get),
        adaptive: adaptive.unwrap_or(false),
    };
    coach
        .store()
        .set_drop_options(guild, options, now)
        .await
        .map_err(cuecard_coach::CoachError::from)?;
    ctx.send(private().content(format!(
        "A question will go to <#{}> every {} at {} ({zone}){}.",
        channel.get(),
        if options.weekdays_only { "weekday" } else { "day" },
        local_time.strftime("%H:%M"),
        if slugs.is_empty() {
            String::new()
        } else {
            format!(", from {}", slugs.join(", "))
        }
    )))
    .await?;
    Ok(())
}

/// Stop the daily question
#[poise::command(slash_command, guild_only, required_permissions = "MANAGE_GUILD")]
pub async fn off(ctx: Context<'_>) -> Result<(), Error> {
    let Some(guild) = guild_of(ctx.guild_id()) else {
        return Ok(());
    };
    let coach = &ctx.data().coach;
    let store = coach.store();
    let Some(mut settings) = store
        .drop_settings(guild)
        .await
        .map_err(cuecard_coach::CoachError::from)?
    else {
        ctx.send(private().content("There is no daily question to stop."))
            .await?;
        return Ok(());
    };
    settings.enabled = false;
    store
        .set_drop_settings(guild, &settings, coach.now())
        .await
        .map_err(cuecard_coach::CoachError::from)?;
    ctx.send(private().content("The daily question is off. `/daily set` turns it on again."))
        .await?;
    Ok(())
}

/// Post today's question now, if it is not out yet
#[poise::command(slash_command, guild_only, required_permissions = "MANAGE_GUILD")]
pub async fn now(ctx: Context<'_>) -> Result<(), Error> {
    let Some(guild) = guild_of(ctx.guild_id()) else {
        return Ok(());
    };
    let coach = &ctx.data().coach;
    let store = coach.store();
    let Some(settings) = store
        .drop_settings(guild)
        .await
        .map_err(cuecard_coach::CoachError::from)?
    else {
        ctx.send(private().content("Set the daily question up first with `/daily set`."))
            .await?;
        return Ok(());
    };
    let options = store
        .drop_options(guild)
        .await
        .map_err(cuecard_coach::CoachError::from)?;
    let today = coach
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::get(&settings.time_zone)?)
        .date();
    if store
        .drop_on(guild, today)
        .await
        .map_err(cuecard_coach::CoachError::from)?
        .is_some()
    {
        ctx.send(private().content("Today's question is already out."))
            .await?;
        return Ok(());
    }
    let scheduler = crate::daily::Scheduler {
        coach: std::sync::Arc::clone(&ctx.data().coach),
        http: ctx.serenity_context().http.clone(),
        ownership: None,
    };
    let drop = scheduler.post_new(guild, today, &settings, options).await?;
    ctx.send(private().content(format!("Today's question is out in <#{}>.", drop.channel)))
        .await?;
    Ok(())
}

/// Show the daily question's settings
#[poise::command(slash_command, guild_only, required_permissions = "MANAGE_GUILD")]
pub async fn show(ctx: Context<'_>) -> Result<(), Error> {
    let Some(guild) = guild_of(ctx.guild_id()) else {
        return Ok(());
    };
    let store = ctx.data().coach.store();
    let text = match store
        .drop_settings(guild)
        .await
        .map_err(cuecard_coach::CoachError::from)?
    {
        None => "No daily question is set up. `/daily set` starts one.".to_owned(),
        Some(settings) => {
            let options = store
                .drop_options(guild)
                .await
                .map_err(cuecard_coach::CoachError::from)?;
            format!(
                "{} · <#{}> at {} ({}) · {} · topics: {}{}",
                if settings.enabled { "On" } else { "Off" },
                settings.channel,
                settings.local_time.strftime("%H:%M"),
                settings.time_zone,
                if options.weekdays_only {
                    "weekdays only"
                } else {
                    "every day"
                },
                if settings.topics.is_empty() {
                    "all".to_owned()
                } else {
                    settings.topics.join(", ")
                },
                options
                    .ping_role
                    .map(|r| format!(" · pings <@&{r}>"))
                    .unwrap_or_default()
            )
        }
    };
    ctx.send(private().content(text)).await?;
    Ok(())
}
