//! REST v10: the routes a bot uses, answered with well-formed objects; anything else is a loud
//! 404 recorded as unexpected.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::state::State;
use crate::{GUILD_ID, gateway, model};

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/gateway", get(gateway::upgrade))
        .route("/attachments/{id}/{name}", get(attachment))
        .fallback(handle)
        .with_state(state)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn ok(body: &Value) -> Response {
    json_response(StatusCode::OK, body)
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn unknown(code: u32, what: &str) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({"code": code, "message": format!("Unknown {what}")}),
    )
}

/// The JSON a request carried: the body itself, or the `payload_json` part of a multipart body
/// (what serenity sends when there are attachments).
async fn body_json(headers: &HeaderMap, body: Bytes) -> Value {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Ok(boundary) = multer::parse_boundary(content_type) {
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some("payload_json") {
                return field
                    .text()
                    .await
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or(Value::Null);
            }
        }
        return Value::Null;
    }
    serde_json::from_slice(&body).unwrap_or(Value::Null)
}

/// A file a test attached to an interaction, as Discord's CDN serves it (no token needed).
async fn attachment(
    Extract(state): Extract<Arc<State>>,
    axum::extract::Path((id, _name)): axum::extract::Path<(String, String)>,
) -> Response {
    match state.with(|i| i.attachment(parse_id(&id))) {
        Some((_, bytes)) => (StatusCode::OK, bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn parse_id(segment: &str) -> u64 {
    segment.parse().unwrap_or(0)
}

async fn handle(
    Extract(state): Extract<Arc<State>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let arrived = std::time::Instant::now();
    let full_path = uri.path_and_query().map_or(uri.path(), |p| p.as_str()).to_owned();
    let Some(path) = uri.path().strip_prefix("/api/v10/") else {
        state.record_unexpected(format!("{method} {full_path}"));
        return unknown(0, "route (fakediscord serves /api/v10 and /gateway)");
    };
    let authorized = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bot "));
    let body = body_json(&headers, body).await;
    let shown_path = full_path.trim_start_matches("/api/v10");
    state.record(method.as_str(), shown_path, &body, arrived);
    if !authorized {
        state.record_unexpected(format!("{method} {shown_path} without a Bot token"));
        return json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"code": 0, "message": "401: Unauthorized"}),
        );
    }
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => ok(&json!({"url": format!("ws://{}/gateway", state.addr)})),
        ("GET", ["gateway", "bot"]) => ok(&json!({
            "url": format!("ws://{}/gateway", state.addr),
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
        })),
        ("GET", ["oauth2", "applications", "@me"]) => ok(&model::application()),
        ("GET", ["users", "@me"]) => ok(&model::bot_user()),
        ("PUT", ["applications", _, "commands"]) => ok(&state.register_commands(&body, None)),
        ("PUT", ["applications", _, "guilds", guild, "commands"]) => {
            ok(&state.register_commands(&body, Some(parse_id(guild))))
        }
        ("GET", ["applications", _, "commands"] | ["applications", _, "guilds", _, "commands"]) => {
            ok(&state.with(|i| Value::Array(i.registered_commands().unwrap_or_default())))
        }
        ("POST", ["interactions", interaction, token, "callback"]) => {
            if state.token(token).is_none() {
                return unknown(10062, "interaction");
            }
            state.set_callback(interaction, token, &body);
            no_content()
        }
        ("GET", ["webhooks", _, token, "messages", "@original"]) => state
            .with(|i| i.original(token))
            .map_or_else(|| unknown(10008, "Message"), |m| ok(&m)),
        ("PATCH", ["webhooks", _, token, "messages", "@original"]) => ok(&state.edit_original(token, &body)),
        ("DELETE", ["webhooks", _, _, "messages", _]) => no_content(),
        ("POST", ["webhooks", _, token]) => ok(&state.add_followup(token, &body)),
        ("PATCH", ["webhooks", _, token, "messages", message]) => state
            .edit_followup(token, message, &body)
            .map_or_else(|| unknown(10008, "Message"), |m| ok(&m)),
        ("GET", ["channels", channel]) => ok(&state
            .threads()
            .into_iter()
            .find(|t| t["id"] == *channel)
            .unwrap_or_else(|| model::text_channel(parse_id(channel), GUILD_ID))),
        ("GET", ["channels", channel, "messages"]) => {
            // Newest first, as Discord lists them.
            let mut messages = state.with(|i| i.channel_messages(parse_id(channel)));
            messages.reverse();
            messages.truncate(100);
            ok(&Value::Array(messages))
        }
        ("POST", ["channels", channel, "messages"]) => {
            let message = state.post_message(parse_id(channel), &body);
            if state.stalls_channel_posts() {
                // The message is in the channel, but the bot never hears so: what a crash right
                // after posting looks like from the bot's side.
                std::future::pending::<()>().await;
            }
            ok(&message)
        }
        ("GET", ["channels", channel, "messages", message]) => state
            .find_message(parse_id(channel), message)
            .map_or_else(|| unknown(10008, "Message"), |m| ok(&m)),
        ("PATCH", ["channels", channel, "messages", message]) => state
            .edit_message(parse_id(channel), message, &body)
            .map_or_else(|| unknown(10008, "Message"), |m| ok(&m)),
        ("DELETE", ["channels", _, "messages", _]) | ("PUT", ["channels", _, "thread-members", _]) => {
            no_content()
        }
        ("POST", ["channels", channel, "threads"] | ["channels", channel, "messages", _, "threads"]) => {
            let name = body["name"].as_str().unwrap_or("thread").to_owned();
            ok(&state.create_thread(parse_id(channel), &name))
        }
        ("POST", ["users", "@me", "channels"]) => {
            let recipient = body["recipient_id"].as_str().unwrap_or("0").to_owned();
            ok(&json!({
                "id": state.id().to_string(),
                "type": 1,
                "recipients": [{"id": recipient, "username": "user", "discriminator": "0", "avatar": null}],
            }))
        }
        _ => {
            state.record_unexpected(format!("{method} {shown_path}"));
            unknown(0, "route (not implemented by fakediscord)")
        }
    }
}
