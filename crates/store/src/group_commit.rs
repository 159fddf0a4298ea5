//! Group commit: writes that arrive together share one transaction.
//!
//! Committing is most of what a small write costs: SQLite copies every page the transaction
//! touched into its log, and Postgres writes and flushes its log. When many answers arrive at
//! once, one commit for all of them is much cheaper than one each, and pages they share (the
//! end of `attempts`, the week's totals) are written once.
//!
//! Jobs go into a queue. If fewer than the backend's number of writers are running, one is
//! spawned; a writer takes what is queued (up to [`MAX_BATCH`]), runs it, answers each caller
//! and goes on until the queue is empty. A job that finds itself alone runs on its own, as
//! before batching. The writer is a task of its own, so a caller that stops waiting cannot
//! leave a transaction half done.
//!
//! All or nothing: every job of a batch is answered only after the transaction holding it
//! has committed. If a job fails inside the transaction (Postgres cannot go on after an error
//! anyway), the transaction is rolled back, so nothing of the batch was written, and each job
//! is run again on its own: one bad job fails alone. If the commit itself fails, no job is
//! retried, because a lost connection leaves unknown whether it committed; each gets
//! [`StoreError::CommitFailed`].

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

use crate::StoreError;
use crate::db::{Conn, Db};

/// The most jobs one transaction takes: enough to share a commit among many, few enough that
/// a batch never holds SQLite's write lock for long.
const MAX_BATCH: usize = 64;

/// A write that can run in a shared transaction or on its own, with the same result.
pub(crate) trait Job: Send + Sync + 'static {
    type Output: Send + 'static;

    /// The key whose rows the job locks (a user id): jobs run in this order within a batch,
    /// so concurrent batches on Postgres take row locks in the same order and do not deadlock.
    /// Jobs with equal keys keep the order they were submitted in.
    fn order(&self) -> i64;

    /// Runs every job of a batch, in order, inside the batch's transaction: one output per
    /// job. Each job sees the writes of the jobs before it. A kind of job that can write many
    /// in one statement does so, saving a round trip per job.
    fn in_batch<'a>(
        jobs: &'a [&'a Self],
        conn: &'a mut Conn<'_>,
    ) -> impl Future<Output = Result<Vec<Self::Output>, StoreError>> + Send + 'a
    where
        Self: Sized;

    /// Runs alone: atomic by itself.
    fn alone<'a>(&'a self, db: &'a Db) -> impl Future<Output = Result<Self::Output, StoreError>> + Send + 'a;
}

type Reply<J> = oneshot::Sender<Result<<J as Job>::Output, StoreError>>;

struct Queue<J: Job> {
    pending: Vec<(J, Reply<J>)>,
    writers: usize,
}

/// A queue of jobs of one kind and the writers that run them.
pub(crate) struct GroupCommit<J: Job> {
    queue: Arc<Mutex<Queue<J>>>,
    /// How many batches may run at once: one on SQLite, which has one writer anyway; a few
    /// on Postgres, whose connections work in parallel.
    max_writers: usize,
}

impl<J: Job> Clone for GroupCommit<J> {
    fn clone(&self) -> Self {
        Self {
            queue: Arc::clone(&self.queue),
            max_writers: self.max_writers,
        }
    }
}

impl<J: Job> std::fmt::Debug for GroupCommit<J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("max_writers", &self.max_writers)
            .finish_non_exhaustive()
    }
}

impl<J: Job> GroupCommit<J> {
    pub(crate) fn new(max_writers: usize) -> Self {
        Self {
            queue: Arc::new(Mutex::new(Queue {
                pending: Vec::new(),
                writers: 0,
            })),
            max_writers: max_writers.max(1),
        }
    }

    /// Runs `job` on `db`, in a batch with whatever else is queued, and returns its result
    /// once the batch has committed.
    pub(crate) async fn run(&self, db: &Db, job: J) -> Result<J::Output, StoreError> {
        let (reply, answer) = oneshot::channel();
        let spawn = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.pending.push((job, reply));
            let spawn = queue.writers < self.max_writers;
            if spawn {
                queue.writers += 1;
            }
            spawn
        };
        if spawn {
            tokio::spawn(writer(Arc::clone(&self.queue), db.clone()));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(StoreError::Database(sqlx::Error::WorkerCrashed)))
    }
}

/// Takes batches off the queue until it is empty.
async fn writer<J: Job>(queue: Arc<Mutex<Queue<J>>>, db: Db) {
    loop {
        let mut batch = {
            let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
            if queue.pending.is_empty() {
                // Decided under the lock that submitters take, so no job is left queued with
                // no writer to run it.
                queue.writers -= 1;
                return;
            }
            let take = queue.pending.len().min(MAX_BATCH);
            queue.pending.drain(..take).collect::<Vec<_>>()
        };
        // Stable, so the first of two duplicates submitted is the one that counts.
        batch.sort_by_key(|(job, _)| job.order());
        run_batch(&db, batch).await;
    }
}

/// Why a batch was not committed.
enum Failed {
    /// A job failed, or the transaction could not start: nothing was written.
    Job,
    /// The commit failed: whether it was written is not known.
    Commit(sqlx::Error),
}

async fn run_batch<J: Job>(db: &Db, batch: Vec<(J, Reply<J>)>) {
    if batch.len() > 1 {
        match together(db, &batch).await {
            Ok(outputs) => {
                for ((_, reply), output) in batch.into_iter().zip(outputs) {
                    // The caller may have stopped waiting; the write stands either way.
                    reply.send(Ok(output)).ok();
                }
                return;
            }
            Err(Failed::Commit(error)) => {
                let detail = error.to_string();
                for (_, reply) in batch {
                    reply
                        .send(Err(StoreError::CommitFailed {
                            detail: detail.clone(),
                        }))
                        .ok();
                }
                return;
            }
            Err(Failed::Job) => {}
        }
    }
    for (job, reply) in batch {
        reply.send(job.alone(db).await).ok();
    }
}

/// Runs every job of `batch` in one transaction. Dropping the transaction on an error rolls
/// it back.
async fn together<J: Job>(db: &Db, batch: &[(J, Reply<J>)]) -> Result<Vec<J::Output>, Failed> {
    let mut tx = db.begin().await.map_err(|_| Failed::Job)?;
    let jobs: Vec<&J> = batch.iter().map(|(job, _)| job).collect();
    let outputs = J::in_batch(&jobs, &mut tx.conn())
        .await
        .map_err(|_| Failed::Job)?;
    if outputs.len() != batch.len() {
        return Err(Failed::Job);
    }
    tx.commit().await.map_err(Failed::Commit)?;
    Ok(outputs)
}
