//! The build's worker pool: jobs shared out to one thread per core, their results put back
//! in job order so that the output does not depend on scheduling.

use crate::error::{Error, Result};

/// Runs `work` on every job, on all cores. Each worker starts with its own state from `start`
/// and stops at its first error. Returns each job's result in job order (`None` for a job no
/// worker reached, which only happens after every worker stopped on an error) and each
/// worker's final state, by worker index.
pub(super) fn on_all_cores<J: Sync, S: Send, R: Send>(
    jobs: &[J],
    start: impl Fn() -> Result<S> + Sync,
    work: impl Fn(&mut S, usize, &J) -> Result<R> + Sync,
) -> (Vec<Option<Result<R>>>, Vec<Result<S>>) {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = cores().min(jobs.len()).max(1);
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<R>>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let states = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let (next, results, start, work) = (&next, &results, &start, &work);
                scope.spawn(move || -> Result<S> {
                    let mut state = start()?;
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(index) else {
                            break;
                        };
                        let output = work(&mut state, worker, job);
                        let failed = output.is_err();
                        if let Ok(mut slot) = results[index].lock() {
                            *slot = Some(output);
                        }
                        if failed {
                            break;
                        }
                    }
                    Ok(state)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(Error::new("a worker thread panicked")))
            })
            .collect::<Vec<_>>()
    });
    let results = results
        .into_iter()
        .map(|slot| slot.into_inner().ok().flatten())
        .collect();
    (results, states)
}

/// The error for a job no worker finished: a worker's own failure if one stopped before it
/// could take jobs (e.g. it could not create its spill file), else a generic one.
pub(super) fn lost_job<S>(states: &mut Vec<Result<S>>) -> Error {
    if let Some(index) = states.iter().position(Result::is_err)
        && let Err(e) = states.swap_remove(index)
    {
        return e;
    }
    Error::new("a worker thread stopped before finishing its file")
}

/// Runs `work` on every job on `workers` threads, and hands each result to `take` on this
/// thread, in job order, as soon as it and all before it are done. At most `ahead` jobs are
/// taken and not yet handed over, so that results do not pile up while `take` is slower
/// than the workers; never fewer than `workers`, or some workers would have no job (with
/// `ahead` 1, the decks of a build were written one after another on a pool of two).
/// Stops at the first error of `work` or `take`, and returns it.
pub(super) fn in_job_order<J: Sync, R: Send>(
    jobs: &[J],
    (workers, ahead): (usize, usize),
    work: impl Fn(&J) -> Result<R> + Sync,
    mut take: impl FnMut(usize, R) -> Result<()>,
) -> Result<()> {
    use std::collections::BTreeMap;
    use std::sync::mpsc;
    use std::sync::{Condvar, Mutex, MutexGuard};

    /// Jobs taken, jobs handed over, and whether to stop.
    struct Gate {
        taken: usize,
        handed: usize,
        stop: bool,
    }
    struct Shared {
        gate: Mutex<Gate>,
        changed: Condvar,
    }
    impl Shared {
        fn lock(&self) -> MutexGuard<'_, Gate> {
            // A worker that panicked holding the lock left the counters whole.
            self.gate.lock().unwrap_or_else(|e| e.into_inner())
        }
        fn stop(&self) {
            self.lock().stop = true;
            self.changed.notify_all();
        }
    }
    /// A worker that ends, by panic too, stops the others: the job it held never comes.
    struct StopOnExit<'a>(&'a Shared);
    impl Drop for StopOnExit<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                self.0.stop();
            }
        }
    }

    let shared = Shared {
        gate: Mutex::new(Gate {
            taken: 0,
            handed: 0,
            stop: false,
        }),
        changed: Condvar::new(),
    };
    let ahead = ahead.max(workers).max(1);
    let (sender, results) = mpsc::channel::<(usize, Result<R>)>();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.max(1))
            .map(|_| {
                let (shared, work, sender) = (&shared, &work, sender.clone());
                scope.spawn(move || {
                    let _stop = StopOnExit(shared);
                    loop {
                        let index = {
                            let mut gate = shared.lock();
                            while !gate.stop
                                && gate.taken < jobs.len()
                                && gate.taken - gate.handed >= ahead
                            {
                                gate = shared.changed.wait(gate).unwrap_or_else(|e| e.into_inner());
                            }
                            if gate.stop || gate.taken >= jobs.len() {
                                return;
                            }
                            gate.taken += 1;
                            gate.taken - 1
                        };
                        let result = work(&jobs[index]);
                        if sender.send((index, result)).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop(sender);
        let mut done: BTreeMap<usize, Result<R>> = BTreeMap::new();
        let mut outcome = Ok(());
        for index in 0..jobs.len() {
            let result = loop {
                if let Some(result) = done.remove(&index) {
                    break Some(result);
                }
                match results.recv() {
                    Ok((i, result)) => {
                        done.insert(i, result);
                    }
                    Err(_) => break None,
                }
            };
            let step = match result {
                Some(result) => result.and_then(|r| take(index, r)),
                None => Err(Error::new("a worker thread stopped")),
            };
            shared.lock().handed += 1;
            shared.changed.notify_all();
            if let Err(e) = step {
                outcome = Err(e);
                break;
            }
        }
        shared.stop();
        drop(results);
        for handle in handles {
            if handle.join().is_err() && outcome.is_ok() {
                outcome = Err(Error::new("a worker thread panicked"));
            }
        }
        outcome
    })
}

/// The cores this machine gives the build (1 when it cannot tell).
pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn every_worker_holds_a_job_however_few_are_let_ahead() {
        // Job 0 finishes only once job 1 has started: a pool that ran them one after another
        // would wait out the timeout and fail.
        let (started, wait) = mpsc::channel();
        let wait = std::sync::Mutex::new(wait);
        let mut order = Vec::new();
        let outcome = in_job_order(
            &[0, 1],
            (2, 1),
            |&job| {
                if job == 1 {
                    let _ = started.send(());
                } else if wait
                    .lock()
                    .unwrap()
                    .recv_timeout(Duration::from_secs(20))
                    .is_err()
                {
                    return Err(Error::new("job 1 never ran beside job 0"));
                }
                Ok(job)
            },
            |index, job| {
                order.push((index, job));
                Ok(())
            },
        );
        assert!(outcome.is_ok(), "{outcome:?}");
        assert_eq!(order, [(0, 0), (1, 1)]);
    }
}
