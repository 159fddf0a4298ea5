//! The Gateway: HELLO, IDENTIFY -> READY, RESUME -> RESUMED, heartbeats, and dispatches.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State as Extract;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::state::{Outgoing, State};
use crate::{APPLICATION_ID, GUILD_ID, model};

const SESSION_ID: &str = "fake-session";
static CONNECTIONS: AtomicU64 = AtomicU64::new(1);

pub(crate) async fn upgrade(Extract(state): Extract<Arc<State>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| session(state, socket))
}

fn ready(state: &State, sequence: u64) -> Value {
    json!({
        "op": 0,
        "s": sequence,
        "t": "READY",
        "d": {
            "v": 10,
            "user": model::bot_user(),
            "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
            "session_id": SESSION_ID,
            "resume_gateway_url": format!("ws://{}/gateway", state.addr),
            "shard": [0, 1],
            "application": {"id": APPLICATION_ID.to_string(), "flags": 0},
        }
    })
}

async fn session(state: Arc<State>, socket: WebSocket) {
    let connection = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
    let (mut sink, mut stream) = socket.split();
    let (sender, mut outgoing) = mpsc::unbounded_channel();
    state.attach_gateway(connection, sender);
    let heartbeat_ms = u64::try_from(state.heartbeat.as_millis()).unwrap_or(u64::MAX);
    let hello = json!({"op": 10, "d": {"heartbeat_interval": heartbeat_ms}});
    if sink.send(Message::Text(hello.to_string().into())).await.is_err() {
        state.detach_gateway(connection);
        return;
    }
    loop {
        tokio::select! {
            frame = stream.next() => {
                let Some(Ok(frame)) = frame else { break };
                let text = match frame {
                    Message::Text(text) => text.to_string(),
                    Message::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    Message::Close(_) => break,
                    _ => continue,
                };
                let Ok(payload) = serde_json::from_str::<Value>(&text) else { continue };
                match payload["op"].as_u64() {
                    // Heartbeat: acknowledge, or the client reconnects.
                    Some(1) if sink.send(Message::Text(json!({"op": 11}).to_string().into())).await.is_err() => break,
                    // Identify: a new session.
                    Some(2) => {
                        let frame = ready(&state, state.next_sequence());
                        if sink.send(Message::Text(frame.to_string().into())).await.is_err() {
                            break;
                        }
                        state.session_started(true);
                    }
                    // Resume: refused once after an invalidating drop, accepted otherwise.
                    Some(6) => {
                        let frame = if state.take_invalidation() {
                            json!({"op": 9, "d": false})
                        } else {
                            json!({"op": 0, "s": state.next_sequence(), "t": "RESUMED", "d": {}})
                        };
                        let resumed = frame["op"] == 0;
                        if sink.send(Message::Text(frame.to_string().into())).await.is_err() {
                            break;
                        }
                        if resumed {
                            state.session_started(false);
                        }
                    }
                    _ => {}
                }
            }
            command = outgoing.recv() => {
                match command {
                    Some(Outgoing::Text(text)) => {
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                    }
                    // Dropping the socket without a close frame looks like a network failure.
                    Some(Outgoing::Drop) | None => break,
                }
            }
        }
    }
    state.detach_gateway(connection);
}
