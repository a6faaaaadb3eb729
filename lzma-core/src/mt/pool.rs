//! A small pool of worker threads fed through one job channel.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;

/// A unit of work for a worker.
pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

/// Worker threads taking jobs from a shared queue. Dropping the pool closes the queue:
/// idle workers exit at once and busy ones after their current job (they are not joined,
/// so dropping a coder never waits for a long block to finish).
pub(crate) struct Pool {
    tx: Option<Sender<Job>>,
    workers: usize,
}

impl Pool {
    /// Starts up to `threads` workers. If the system refuses to start any, jobs run on the
    /// caller's thread in [`Pool::submit`].
    pub(crate) fn new(threads: usize) -> Pool {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut workers = 0;
        for i in 0..threads.max(1) {
            let rx = Arc::clone(&rx);
            let spawned = thread::Builder::new()
                .name(format!("xz-worker-{i}"))
                .spawn(move || worker_loop(&rx));
            if spawned.is_ok() {
                workers += 1;
            }
        }
        Pool { tx: Some(tx), workers }
    }

    /// Number of worker threads running.
    pub(crate) fn workers(&self) -> usize {
        self.workers
    }

    /// Queues a job (or runs it now when there are no workers).
    pub(crate) fn submit(&self, job: Job) {
        if self.workers == 0 {
            job();
            return;
        }
        if let Some(tx) = &self.tx {
            // A send only fails when every worker has died (a panicking job); the job's
            // result channel then reports the loss to the caller.
            if let Err(mpsc::SendError(job)) = tx.send(job) {
                drop(job);
            }
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.tx = None;
    }
}

fn worker_loop(rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}
