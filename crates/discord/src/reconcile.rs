//! Finding a message the bot posted but never recorded (it died in between), by the custom id
//! of its Answer button: how drops and study rounds avoid being posted twice.

use serenity::all::{ActionRowComponent, ButtonKind, ChannelId, GetMessages, Http};

/// How many of a channel's latest messages are searched.
const SEARCH: u8 = 50;

/// The id of the latest message in `channel` that carries a button with `custom_id`.
pub(crate) async fn find_posted(
    http: &Http,
    channel: ChannelId,
    custom_id: &str,
) -> Result<Option<u64>, crate::Error> {
    let messages = channel.messages(http, GetMessages::new().limit(SEARCH)).await?;
    Ok(messages
        .iter()
        .find(|m| {
            m.components
                .iter()
                .flat_map(|row| row.components.iter())
                .any(|c| {
                    matches!(c, ActionRowComponent::Button(b)
                    if matches!(&b.data, ButtonKind::NonLink { custom_id: id, .. } if id == custom_id))
                })
        })
        .map(|m| m.id.get()))
}
