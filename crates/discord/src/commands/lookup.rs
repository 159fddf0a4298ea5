//! `/lookup` (with autocomplete), `/topics`, `/card`: finding things in the sheet.

use cuecard_core::CardId;
use cuecard_index::{HitItem, Search};
use serenity::all::{
    AutocompleteChoice, ButtonStyle, CreateActionRow, CreateAutocompleteResponse, CreateButton, CreateEmbed,
};

use crate::ids::Action;
use crate::safe::{clean, limits, truncate};
use crate::{Context, Error, private, render};

/// Suggestions as the user types: matching questions and notes (by id), then matching topics.
#[allow(clippy::unused_async)] // poise awaits autocomplete callbacks
async fn autocomplete_lookup(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let index = ctx.data().coach.index();
    let mut choices = Vec::new();
    let search = Search {
        limit: 20,
        topic: None,
    };
    if let Ok(hits) = index.search(partial, &search) {
        for hit in hits {
            let name = format!("{} — {}", hit.title, hit.topic().name());
            choices.push(AutocompleteChoice::new(
                truncate(&name, limits::CHOICE),
                hit.id().to_owned(),
            ));
        }
    }
    let typed = partial.trim().to_lowercase();
    if !typed.is_empty() {
        for topic in index
            .topics()
            .iter()
            .filter(|t| t.topic.slug().starts_with(&typed))
        {
            choices.push(AutocompleteChoice::new(
                truncate(&format!("Topic: {}", topic.topic.name()), limits::CHOICE),
                truncate(topic.topic.name(), limits::CHOICE),
            ));
        }
    }
    choices.truncate(25);
    CreateAutocompleteResponse::new().set_choices(choices)
}

/// The reply showing one card or note.
pub(crate) fn item_embed(item: &HitItem) -> CreateEmbed {
    match item {
        HitItem::Card(card) => render::card(card),
        HitItem::Note(note) => render::note(note),
    }
}

/// Search the cheat sheet: questions, key points, tables, commands
#[poise::command(slash_command)]
pub async fn lookup(
    ctx: Context<'_>,
    #[description = "What to look for"]
    #[autocomplete = "autocomplete_lookup"]
    #[max_length = 200]
    query: String,
) -> Result<(), Error> {
    let index = ctx.data().coach.index();
    // A choice from autocomplete arrives as an id: show exactly that.
    if let Some(item) = index.by_id(query.trim())? {
        ctx.send(private().embed(item_embed(&item))).await?;
        return Ok(());
    }
    let hits = index.search(
        &query,
        &Search {
            limit: 5,
            topic: None,
        },
    )?;
    let Some(first) = hits.first() else {
        ctx.send(private().content(format!(
            "Nothing matches “{}”. Try other words, or `/topics`.",
            clean(&query, 200)
        )))
        .await?;
        return Ok(());
    };
    let buttons: Vec<CreateButton> = hits[1..]
        .iter()
        .map(|hit| {
            CreateButton::new(
                Action::Show {
                    id: hit.id().to_owned(),
                }
                .encode(),
            )
            .label(truncate(&hit.title, limits::BUTTON_LABEL))
            .style(ButtonStyle::Secondary)
        })
        .collect();
    let mut reply = private().embed(item_embed(&first.item));
    if !buttons.is_empty() {
        reply = reply
            .content("Also matching:")
            .components(vec![CreateActionRow::Buttons(buttons)]);
    }
    ctx.send(reply).await?;
    Ok(())
}

/// List the cheat sheet's topics
#[poise::command(slash_command)]
pub async fn topics(ctx: Context<'_>) -> Result<(), Error> {
    let lines: Vec<String> = ctx
        .data()
        .coach
        .index()
        .topics()
        .iter()
        .filter(|t| t.cards > 0)
        .map(|t| {
            format!(
                "**{}** — {} questions · `{}`",
                t.topic.name(),
                t.cards,
                t.topic.slug()
            )
        })
        .collect();
    let embed = CreateEmbed::new()
        .title("Topics")
        .description(truncate(&lines.join("\n"), limits::EMBED_DESCRIPTION))
        .footer(serenity::all::CreateEmbedFooter::new(
            "Use a topic with /ask topic:…",
        ));
    ctx.send(private().embed(embed)).await?;
    Ok(())
}

/// Show a card and its key points by id
#[poise::command(slash_command)]
pub async fn card(
    ctx: Context<'_>,
    #[description = "The card id (12 characters, shown under each question)"]
    #[max_length = 32]
    id: String,
) -> Result<(), Error> {
    let found = match CardId::parse(&id) {
        Some(card_id) => ctx.data().coach.index().card(&card_id)?,
        None => None,
    };
    let reply = match found {
        Some(card) => private().embed(render::card(&card)),
        None => private().content(format!(
            "No card has the id “{}”. Ids are 12 characters, shown under each question; `/lookup` finds cards by words.",
            clean(&id, 40)
        )),
    };
    ctx.send(reply).await?;
    Ok(())
}
