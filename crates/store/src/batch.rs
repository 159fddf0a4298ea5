//! Group commit: concurrent writes of single statements share one transaction.
//!
//! Committing is what a write costs: SQLite writes every page a transaction touched to its
//! log, and Postgres waits for its log to reach the disk. When many answers arrive at once,
//! one commit for all of them is much cheaper than one each. Each caller still gets its
//! answer only after the transaction holding its statement has committed, so nothing is
//! acknowledged before it is durable; a caller alone gets a transaction of its own at once,
//! as before.
//!
//! Submissions go into a queue. If fewer than the backend's number of batch writers are
//! running, one is spawned; a writer takes what is queued (up to [`MAX_BATCH`]), runs it in one
//! transaction, answers each caller, and goes on until the queue is empty. The writer is a
//! task of its own, so a caller that gives up waiting cannot leave a transaction half done.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

use crate::db::{Db, Query};

/// The most statements one transaction takes: enough to amortise a commit, few enough that a
/// batch never holds the write lock for long.
const MAX_BATCH: usize = 64;

type Reply = oneshot::Sender<Result<Option<(i64,)>, sqlx::Error>>;

/// A statement waiting for a writer, and where its result goes.
struct Pending {
    query: Query,
    /// Statements are run in this order within a batch, so that transactions on Postgres
    /// take row locks in the same order and do not deadlock each other.
    order: i64,
    reply: Reply,
}

#[derive(Default)]
struct Queue {
    pending: Vec<Pending>,
    writers: usize,
}

/// Runs writing statements that return at most one `i64` (an id), in shared transactions.
#[derive(Clone)]
pub(crate) struct Batcher {
    queue: Arc<Mutex<Queue>>,
    /// How many batches may run at once: one on SQLite, which has one writer anyway; a few
    /// on Postgres, whose connections run in parallel.
    max_writers: usize,
}

impl std::fmt::Debug for Batcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher")
            .field("max_writers", &self.max_writers)
            .finish_non_exhaustive()
    }
}

impl Batcher {
    pub(crate) fn new(max_writers: usize) -> Self {
        Self {
            queue: Arc::default(),
            max_writers: max_writers.max(1),
        }
    }

    /// Runs `query` (a single statement that writes and returns at most one id) in a batch
    /// on `db`, returning once that batch has committed. `order` sorts statements within a
    /// batch: pass the key whose rows the statement locks (the user id).
    pub(crate) async fn write(
        &self,
        db: &Db,
        query: Query,
        order: i64,
    ) -> Result<Option<(i64,)>, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        let spawn = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.pending.push(Pending { query, order, reply });
            let spawn = queue.writers < self.max_writers;
            if spawn {
                queue.writers += 1;
            }
            spawn
        };
        if spawn {
            tokio::spawn(Self::writer(Arc::clone(&self.queue), db.clone()));
        }
        answer.await.unwrap_or_else(|_| Err(sqlx::Error::WorkerCrashed))
    }

    /// Takes batches off the queue until it is empty.
    async fn writer(queue: Arc<Mutex<Queue>>, db: Db) {
        loop {
            let mut batch = {
                let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
                if queue.pending.is_empty() {
                    // Decided under the lock that submitters take, so no statement is left
                    // queued with no writer to run it.
                    queue.writers -= 1;
                    return;
                }
                let take = queue.pending.len().min(MAX_BATCH);
                queue.pending.drain(..take).collect::<Vec<_>>()
            };
            // Stable: a user's statements keep the order they were submitted in, so the
            // first of two duplicates is the one that counts.
            batch.sort_by_key(|pending| pending.order);
            run(&db, batch).await;
        }
    }
}

/// Runs `batch` in one transaction and answers each caller after the commit. If any statement
/// fails (or the commit does), nothing of the batch was written: each statement is then run
/// on its own, so one bad statement fails alone.
async fn run(db: &Db, batch: Vec<Pending>) {
    if batch.len() > 1 {
        let queries = batch.iter().map(|pending| pending.query.clone()).collect();
        if let Ok(results) = together(db, queries).await {
            for (pending, result) in batch.into_iter().zip(results) {
                pending.reply.send(Ok(result)).ok();
            }
            return;
        }
    }
    for pending in batch {
        let result = db.write_optional(pending.query).await;
        // The caller may have stopped waiting; the statement stands either way.
        pending.reply.send(result).ok();
    }
}

async fn together(db: &Db, queries: Vec<Query>) -> Result<Vec<Option<(i64,)>>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut results = Vec::with_capacity(queries.len());
    for query in queries {
        results.push(tx.conn().fetch_optional(query).await?);
    }
    tx.commit().await?;
    Ok(results)
}
