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
        Pool {
            tx: Some(tx),
            workers,
        }
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
    crate::lz::decoder::keep_dicts_on_this_thread();
    loop {
        let job = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        match job {
            // A job that panics drops its result channel, which tells its coder; the
            // worker stays up for the jobs queued behind it.
            Ok(job) => drop(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_and_a_panicking_job_is_reported_by_its_channel() {
        let pool = Pool::new(2);
        assert_eq!(pool.workers(), 2);
        let (tx, rx) = mpsc::channel::<u32>();
        pool.submit(Box::new(move || {
            let _keep = tx;
            panic!("job failure (expected in this test)");
        }));
        assert!(rx.recv().is_err());
        // Both workers are still there for later jobs.
        let rxs: Vec<_> = (0..4)
            .map(|i| {
                let (tx, rx) = mpsc::channel();
                pool.submit(Box::new(move || {
                    let _ = tx.send(i * 2);
                }));
                rx
            })
            .collect();
        let got: Vec<u32> = rxs.iter().map(|r| r.recv().unwrap()).collect();
        assert_eq!(got, [0, 2, 4, 6]);
    }
}
