//! `/study start|stop`: a live study session in a thread.

use std::sync::Arc;

use cuecard_store::{NewSession, SessionState, StudyPlace};
use serenity::all::{AutoArchiveDuration, ChannelType, CreateMessage, CreateThread, Permissions};

use super::autocomplete_topic;
use crate::safe::no_pings;
use crate::{Context, Error, guild_of, private, user_of};

/// A study session: rounds of questions in a thread
#[poise::command(slash_command, guild_only, subcommands("start", "stop"), subcommand_required)]
#[allow(clippy::unused_async)] // poise calls a parent command as an async fn
pub async fn study(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Start a study session in a new thread of this channel
#[poise::command(slash_command, guild_only)]
pub async fn start(
    ctx: Context<'_>,
    #[description = "Only this topic"]
    #[autocomplete = "autocomplete_topic"]
    topic: Option<String>,
    #[description = "How many questions (default 5)"]
    #[min = 1]
    #[max = 20]
    questions: Option<u8>,
    #[description = "Seconds per question (default 90)"]
    #[min = 15]
    #[max = 900]
    seconds: Option<u16>,
) -> Result<(), Error> {
    let coach = Arc::clone(&ctx.data().coach);
    let store = coach.store();
    let channel = ctx.channel_id();
    if store
        .open_sessions()
        .await?
        .iter()
        .any(|s| s.channel == channel.get())
    {
        ctx.send(private().content("A session is already running here; `/study stop` ends it."))
            .await?;
        return Ok(());
    }
    if let Some(filter) = &topic {
        coach
            .index()
            .draw(Some(filter), &[], &mut rand::make_rng::<rand::rngs::StdRng>())?;
    }
    let rounds = u32::from(questions.unwrap_or(5));
    let name = match &topic {
        Some(topic) => format!("Study session: {}", crate::safe::truncate(topic, 60)),
        None => "Study session".to_owned(),
    };
    let thread = channel
        .create_thread(
            ctx.http(),
            CreateThread::new(name)
                .kind(ChannelType::PublicThread)
                .auto_archive_duration(AutoArchiveDuration::OneDay),
        )
        .await?;
    let session = store
        .start_session(
            &NewSession {
                guild: guild_of(ctx.guild_id()),
                channel: channel.get(),
                started_by: user_of(ctx.author()),
                topic,
                rounds,
            },
            coach.now(),
        )
        .await?;
    store
        .set_study_place(
            session.id,
            StudyPlace {
                thread: thread.id.get(),
                round_seconds: u32::from(seconds.unwrap_or(90)),
            },
        )
        .await?;
    thread
        .id
        .send_message(
            ctx.http(),
            CreateMessage::new()
                .content(format!(
                    "{rounds} questions, {} seconds each. Press **Answer** to reply privately; a round ends when time is up or everyone has answered.",
                    seconds.unwrap_or(90)
                ))
                .allowed_mentions(no_pings()),
        )
        .await?;
    tokio::spawn(crate::study::drive(
        coach,
        ctx.serenity_context().http.clone(),
        session.id,
        false,
    ));
    ctx.send(private().content(format!("The session is on in <#{}>.", thread.id.get())))
        .await?;
    Ok(())
}

/// Stop this channel's study session (its starter or a server manager)
#[poise::command(slash_command, guild_only)]
pub async fn stop(ctx: Context<'_>) -> Result<(), Error> {
    let coach = &ctx.data().coach;
    let store = coach.store();
    let channel = ctx.channel_id().get();
    let sessions = store.open_sessions().await?;
    let place = |s: &&cuecard_store::StudySession| s.channel == channel;
    let Some(session) = sessions.iter().find(place) else {
        ctx.send(private().content("No session is running in this channel."))
            .await?;
        return Ok(());
    };
    let manager = ctx
        .author_member()
        .await
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.contains(Permissions::MANAGE_GUILD));
    if session.started_by != Some(user_of(ctx.author())) && !manager {
        ctx.send(
            private().content("Only the member who started the session, or a server manager, can stop it."),
        )
        .await?;
        return Ok(());
    }
    let ended = store
        .end_session(session.id, SessionState::Cancelled, coach.now())
        .await?;
    let board = crate::study::scoreboard(coach, &ended).await?;
    ctx.send(private().content("Session stopped.")).await?;
    if let Some(place) = store.study_place(session.id).await? {
        serenity::all::ChannelId::new(place.thread.max(1))
            .send_message(
                ctx.http(),
                CreateMessage::new().embed(board).allowed_mentions(no_pings()),
            )
            .await?;
    }
    Ok(())
}
