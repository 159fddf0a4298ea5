//! Gateway sessions, one per connection, each for the shard its IDENTIFY named: several bot
//! processes (or one process running several shards) connect at once, and each guild's events
//! go to the session of the shard Discord would route them to, `(guild_id >> 22) % total`.

use serde_json::Value;
use tokio::sync::mpsc;

use crate::state::Outgoing;

/// One gateway connection.
pub(crate) struct Session {
    connection: u64,
    sender: mpsc::UnboundedSender<Outgoing>,
    /// `[id, total]` from IDENTIFY (or the resumed session's id); `[0, 1]` until then.
    shard: [u64; 2],
    connected: bool,
    sequence: u64,
}

/// Every open gateway connection, oldest first.
#[derive(Default)]
pub(crate) struct Sessions(Vec<Session>);

/// The shard Discord routes a guild's events to.
pub fn shard_of(guild: u64, total: u64) -> u64 {
    (guild >> 22) % total.max(1)
}

/// The session id handed out in READY: it names the shard, so a RESUME (which does not) can
/// be put back on it.
pub(crate) fn session_id(shard: [u64; 2]) -> String {
    format!("fake-session-{}-{}", shard[0], shard[1])
}

/// The shard a session id was handed out for.
pub(crate) fn shard_of_session(id: &str) -> Option<[u64; 2]> {
    let (shard, total) = id.strip_prefix("fake-session-")?.split_once('-')?;
    Some([shard.parse().ok()?, total.parse().ok()?])
}

/// The `[id, total]` an IDENTIFY payload asks for (`[0, 1]` when it names none).
pub(crate) fn identified_shard(payload: &Value) -> [u64; 2] {
    let shard = &payload["d"]["shard"];
    match (shard[0].as_u64(), shard[1].as_u64()) {
        (Some(id), Some(total)) if total > 0 && id < total => [id, total],
        _ => [0, 1],
    }
}

/// The guild an event belongs to, if it names one.
pub(crate) fn guild_of(data: &Value) -> Option<u64> {
    data["guild_id"].as_str().and_then(|g| g.parse().ok())
}

impl Sessions {
    pub(crate) fn attach(&mut self, connection: u64, sender: mpsc::UnboundedSender<Outgoing>) {
        self.0.push(Session {
            connection,
            sender,
            shard: [0, 1],
            connected: false,
            sequence: 0,
        });
    }

    pub(crate) fn detach(&mut self, connection: u64) {
        self.0.retain(|s| s.connection != connection);
    }

    /// Marks a connection's session live for `shard`.
    pub(crate) fn start(&mut self, connection: u64, shard: [u64; 2]) {
        if let Some(session) = self.0.iter_mut().find(|s| s.connection == connection) {
            session.shard = shard;
            session.connected = true;
        }
    }

    /// The next sequence number of a connection's session.
    pub(crate) fn next_sequence(&mut self, connection: u64) -> u64 {
        self.0
            .iter_mut()
            .find(|s| s.connection == connection)
            .map_or(1, |s| {
                s.sequence += 1;
                s.sequence
            })
    }

    pub(crate) fn any_connected(&self) -> bool {
        self.0.iter().any(|s| s.connected)
    }

    /// The `[id, total]` of every live session.
    pub(crate) fn connected_shards(&self) -> Vec<[u64; 2]> {
        self.0.iter().filter(|s| s.connected).map(|s| s.shard).collect()
    }

    /// Sends a dispatch to the live session that owns `guild` (shard 0 for events without a
    /// guild); `false` when there is none, so the caller can queue it.
    pub(crate) fn send(&mut self, guild: Option<u64>, event: &str, data: &Value) -> bool {
        // The newest session of a shard wins: an old connection may linger a moment after its
        // shard reconnected.
        let Some(session) = self.0.iter_mut().rev().find(|s| {
            s.connected
                && match guild {
                    Some(guild) => shard_of(guild, s.shard[1]) == s.shard[0],
                    None => s.shard[0] == 0,
                }
        }) else {
            return false;
        };
        session.sequence += 1;
        let frame = serde_json::json!({"op": 0, "s": session.sequence, "t": event, "d": data});
        session.sender.send(Outgoing::Text(frame.to_string())).is_ok()
    }

    /// Drops every connection, as a network failure would.
    pub(crate) fn drop_all(&mut self) {
        for session in self.0.drain(..) {
            let _ = session.sender.send(Outgoing::Drop);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn guilds_route_to_their_shard() {
        let (a, mut to_a) = mpsc::unbounded_channel();
        let (b, mut to_b) = mpsc::unbounded_channel();
        let mut sessions = Sessions::default();
        sessions.attach(1, a);
        sessions.attach(2, b);
        sessions.start(1, [0, 2]);
        sessions.start(2, [1, 2]);
        let even = 4 << 22;
        let odd = 5 << 22;
        assert!(sessions.send(Some(even), "X", &json!({})));
        assert!(sessions.send(Some(odd), "X", &json!({})));
        assert!(sessions.send(None, "X", &json!({})));
        assert!(matches!(to_a.try_recv(), Ok(Outgoing::Text(_))));
        assert!(
            matches!(to_a.try_recv(), Ok(Outgoing::Text(_))),
            "no guild: shard 0"
        );
        assert!(matches!(to_b.try_recv(), Ok(Outgoing::Text(_))));
        assert!(to_b.try_recv().is_err());
        sessions.detach(2);
        assert!(
            !sessions.send(Some(odd), "X", &json!({})),
            "its shard is gone: queue it"
        );
        assert_eq!(shard_of_session(&session_id([3, 8])), Some([3, 8]));
        assert_eq!(identified_shard(&json!({"d": {"shard": [1, 2]}})), [1, 2]);
        assert_eq!(identified_shard(&json!({"d": {}})), [0, 1]);
    }
}
