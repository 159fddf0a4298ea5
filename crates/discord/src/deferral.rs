//! Answering within Discord's three seconds when the work behind a reply turns out slow.
//!
//! Discord drops an interaction that gets no first response within three seconds (the user sees
//! "The application did not respond", and a late reply fails with "Unknown interaction"). A
//! keyword grade and its database write take milliseconds, so answers are not deferred up front;
//! but a database that is locked by another writer or restarting can hold a write for many
//! seconds (SQLite's busy timeout, a pool waiting for Postgres to come back). So such work runs
//! against a timer: when it is not done in time, the interaction is deferred ("thinking...") and
//! the reply, the grade or the "try again in a moment", replaces that message when the work ends.

use std::future::Future;
use std::time::Duration;

use tracing::warn;

/// How long work may run before the interaction is deferred: well inside Discord's three
/// seconds, leaving time for the deferral itself to travel.
pub(crate) const DEFER_AFTER: Duration = Duration::from_millis(1500);

/// Runs `work`; if it is not done after [`DEFER_AFTER`], calls `defer` once and keeps waiting.
/// Returns the work's output and whether the interaction was deferred (then the reply must edit
/// the deferred response rather than create one).
pub(crate) async fn or_defer<T, D, E>(work: impl Future<Output = T>, defer: impl FnOnce() -> D) -> (T, bool)
where
    D: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    let mut work = std::pin::pin!(work);
    tokio::select! {
        biased;
        out = &mut work => return (out, false),
        () = tokio::time::sleep(DEFER_AFTER) => {}
    }
    if let Err(error) = defer().await {
        // The work goes on: its result is recorded even if the user cannot be told in time.
        warn!(error = %error, "could not defer a slow interaction");
    }
    (work.await, true)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use tokio::sync::Notify;

    use super::*;

    #[tokio::test]
    async fn quick_work_is_not_deferred() {
        let called = AtomicBool::new(false);
        let (out, deferred) = or_defer(async { 7 }, || async {
            called.store(true, Ordering::Relaxed);
            Ok::<(), String>(())
        })
        .await;
        assert_eq!((out, deferred), (7, false));
        assert!(!called.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn slow_work_is_deferred_once_and_its_result_kept() {
        // The work can only finish after the deferral: no clock is read by the test.
        let released = Arc::new(Notify::new());
        let waiting = Arc::clone(&released);
        let work = async move {
            waiting.notified().await;
            "graded"
        };
        let (out, deferred) = or_defer(work, || async {
            released.notify_one();
            Err::<(), _>("a failed deferral does not stop the work")
        })
        .await;
        assert_eq!((out, deferred), ("graded", true));
    }
}
