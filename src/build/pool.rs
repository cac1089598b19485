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
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
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
