//! `/sheet upload`: replace the cheat sheet with a markdown attachment (Manage Server, and only
//! in the servers the operator allowed, since the sheet is shared by every server the process
//! serves).

use std::fmt::Write as _;

use serenity::all::{Attachment, CreateEmbed};

use crate::safe::{escape, limits, truncate};
use crate::sheets::{MAX_SHEET_BYTES, Upload, install};
use crate::telemetry::{names, set_outcome};
use crate::{Context, Error, private};

/// How many problems a refusal lists before "and N more".
const SHOWN_PROBLEMS: usize = 25;

/// The cheat sheet (Manage Server only)
#[allow(clippy::unused_async)] // poise commands are async fns, even a parent that does nothing
#[poise::command(
    slash_command,
    guild_only,
    subcommands("upload"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn sheet(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Replace the cheat sheet with a markdown file; it is checked completely first
#[poise::command(slash_command, guild_only, required_permissions = "MANAGE_GUILD")]
pub async fn upload(
    ctx: Context<'_>,
    #[description = "The sheet, a markdown (.md) file"] file: Attachment,
) -> Result<(), Error> {
    let uploads = &ctx.data().uploads;
    let guild = ctx.guild_id().map_or(0, serenity::all::GuildId::get);
    if !uploads.guilds.contains(&guild) {
        set_outcome("refused");
        ctx.send(private().content(
            "Sheet uploads are off for this server. The sheet is shared by every server this bot \
             serves, so its operator decides where it may be replaced (sheet.upload_guilds in \
             cuecard.toml, or CUECARD_SHEET_UPLOAD_GUILDS).",
        ))
        .await?;
        return Ok(());
    }
    let markdown = std::path::Path::new(&file.filename)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| {
            ["md", "markdown", "txt"]
                .iter()
                .any(|ok| e.eq_ignore_ascii_case(ok))
        });
    let refusal = if !markdown {
        Some("The sheet must be a markdown file (.md).".to_owned())
    } else if file.size > MAX_SHEET_BYTES {
        Some(format!(
            "The file is {} KiB; sheets may be at most {} KiB.",
            file.size / 1024,
            MAX_SHEET_BYTES / 1024
        ))
    } else {
        None
    };
    if let Some(refusal) = refusal {
        return refuse(ctx, &refusal, &[]).await;
    }
    // Indexing can take longer than the three seconds Discord waits for a first response.
    ctx.defer_ephemeral().await?;
    let bytes = match file.download().await {
        Ok(bytes) if bytes.len() <= MAX_SHEET_BYTES as usize => bytes,
        Ok(_) => return refuse(ctx, "The file is larger than it said.", &[]).await,
        Err(error) => {
            tracing::warn!(error = %error, "could not download an uploaded sheet");
            return refuse(ctx, "I could not download the file from Discord; try again.", &[]).await;
        }
    };
    let coach = &ctx.data().coach;
    match install(coach, uploads, bytes, &file.filename).await {
        Upload::Accepted {
            cards,
            topics,
            warnings,
        } => {
            tracing::info!(cards, topics, "a new sheet was uploaded and is in use");
            metrics::counter!(names::SHEET_UPLOADS, "outcome" => "accepted").increment(1);
            let mut text = format!(
                "**{}** is now the sheet: {cards} questions in {topics} topics. Questions asked \
                 from the old sheet can still be answered if they are in the new one.",
                truncate(&escape(&file.filename), 100)
            );
            if !warnings.is_empty() {
                let _ = write!(text, "\n\n{} warnings:\n", warnings.len());
                text.push_str(&listed(&warnings));
            }
            let embed = CreateEmbed::new()
                .title("Sheet replaced")
                .description(truncate(&text, limits::EMBED_DESCRIPTION));
            ctx.send(private().embed(embed)).await?;
            Ok(())
        }
        Upload::Refused(problems) => refuse(ctx, "The sheet was not changed.", &problems).await,
    }
}

async fn refuse(ctx: Context<'_>, why: &str, problems: &[String]) -> Result<(), Error> {
    set_outcome("refused");
    metrics::counter!(names::SHEET_UPLOADS, "outcome" => "refused").increment(1);
    let mut text = why.to_owned();
    if !problems.is_empty() {
        let _ = writeln!(
            text,
            " {} problem{} to fix:",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        text.push_str(&listed(problems));
    }
    let embed = CreateEmbed::new()
        .title("Sheet refused")
        .description(truncate(&text, limits::EMBED_DESCRIPTION));
    ctx.send(private().embed(embed)).await?;
    Ok(())
}

/// Problems as a list, the first few shown and the rest counted.
fn listed(problems: &[String]) -> String {
    let mut text = String::new();
    for problem in problems.iter().take(SHOWN_PROBLEMS) {
        // Problems quote the sheet, which is user text.
        let _ = writeln!(text, "• {}", escape(problem));
    }
    if problems.len() > SHOWN_PROBLEMS {
        let _ = writeln!(text, "… and {} more", problems.len() - SHOWN_PROBLEMS);
    }
    text
}
