//! The Gateway: HELLO, IDENTIFY -> READY, RESUME -> RESUMED, heartbeats, and dispatches. Each
//! connection is a session of the shard its IDENTIFY names (see `shards.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State as Extract;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::shards::{identified_shard, session_id, shard_of, shard_of_session};
use crate::state::{Outgoing, State};
use crate::{APPLICATION_ID, GUILD_ID, model};
static CONNECTIONS: AtomicU64 = AtomicU64::new(1);

pub(crate) async fn upgrade(Extract(state): Extract<Arc<State>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| session(state, socket))
}

fn ready(state: &State, sequence: u64, shard: [u64; 2]) -> Value {
    // The default guild is announced by the shard it belongs to, as Discord would.
    let guilds: Vec<Value> = [GUILD_ID]
        .into_iter()
        .filter(|g| shard_of(*g, shard[1]) == shard[0])
        .map(|g| json!({"id": g.to_string(), "unavailable": true}))
        .collect();
    json!({
        "op": 0,
        "s": sequence,
        "t": "READY",
        "d": {
            "v": 10,
            "user": model::bot_user(),
            "guilds": guilds,
            "session_id": session_id(shard),
            "resume_gateway_url": format!("ws://{}/gateway", state.addr),
            "shard": shard,
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
                        let shard = identified_shard(&payload);
                        let frame = ready(&state, state.next_sequence(connection), shard);
                        if sink.send(Message::Text(frame.to_string().into())).await.is_err() {
                            break;
                        }
                        state.session_started(connection, shard, true);
                    }
                    // Resume: refused once after an invalidating drop, accepted otherwise.
                    Some(6) => {
                        let shard = payload["d"]["session_id"].as_str().and_then(shard_of_session);
                        let frame = match shard {
                            Some(_) if !state.take_invalidation() => {
                                json!({"op": 0, "s": state.next_sequence(connection), "t": "RESUMED", "d": {}})
                            }
                            _ => json!({"op": 9, "d": false}),
                        };
                        let resumed = frame["op"] == 0;
                        if sink.send(Message::Text(frame.to_string().into())).await.is_err() {
                            break;
                        }
                        if let (true, Some(shard)) = (resumed, shard) {
                            state.session_started(connection, shard, false);
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
