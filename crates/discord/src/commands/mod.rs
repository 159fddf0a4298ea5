//! The slash commands, one file per group, each a thin layer over the coach.

mod admin;
mod ask;
mod daily;
mod interview;
mod lookup;
mod mydata;
mod progress;
mod sheet;
mod study;

use serenity::all::{AutocompleteChoice, CreateAutocompleteResponse};

use crate::safe::{limits, truncate};
use crate::{Context, Data, Error};

pub(crate) use interview::{interview_question, interview_step};
pub(crate) use lookup::item_embed;
pub(crate) use progress::board_page;

pub(crate) fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        ask::ask(),
        ask::answer(),
        ask::hint(),
        ask::skip(),
        lookup::lookup(),
        lookup::topics(),
        lookup::card(),
        progress::leaderboard(),
        progress::stats(),
        progress::review(),
        interview::interview(),
        mydata::mydata(),
        admin::settings(),
        daily::daily(),
        study::study(),
        sheet::sheet(),
    ]
}

/// Topics whose name or slug starts with what the user typed.
#[allow(clippy::unused_async)] // poise awaits autocomplete callbacks
pub(crate) async fn autocomplete_topic(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    let partial = partial.trim().to_lowercase();
    let choices = ctx
        .data()
        .coach
        .index()
        .topics()
        .iter()
        .filter(|t| t.cards > 0)
        .filter(|t| {
            partial.is_empty()
                || t.topic.slug().starts_with(&partial)
                || t.topic.name().to_lowercase().contains(&partial)
        })
        .take(25)
        .map(|t| {
            AutocompleteChoice::new(
                truncate(
                    &format!("{} ({} questions)", t.topic.name(), t.cards),
                    limits::CHOICE,
                ),
                t.topic.slug().to_owned(),
            )
        })
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}
