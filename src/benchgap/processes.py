"""Many independent fits side by side in worker processes: the ``workers`` setting of ``simulate`` and ``calibrate``.

NUTS chains in threads share a process: on a 2-core machine four chains on two cores fitted 40 x 12 worlds 1.4-1.5
times as fast as on one core, while two processes fitting a world each reached 1.8-1.9 times, and a fit's estimands
and diagnostics run on one core either way (``benchmarks/workers.py``; RESULTS.md section 11). Each worker compiles
the model once (its process cache) and runs its chains on ``sampler.cores / workers`` cores. A task's numbers do
not depend on where it ran: its data and sampler seed come from its index, and the chains' draws do not depend on
the cores they ran on.
"""

import dataclasses
import logging
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from itertools import islice
from typing import Any

from benchgap.config import SamplerConfig

log = logging.getLogger("benchgap")
QUIET_LOGGERS = ("pytensor", "arviz", "numba", "matplotlib", "h5py", "nutpie", "pymc")  # warnings and up only


def cores_per_worker(sampler: SamplerConfig, workers: int) -> SamplerConfig:
    """The sampler settings inside one of ``workers`` processes: the cores shared out, at least one each."""
    return dataclasses.replace(sampler, cores=max(1, sampler.cores // max(1, workers)))


def side_by_side[Result](
    function: Callable[..., Result], tasks: Sequence[tuple[Any, ...]], *, workers: int, label: str
) -> Iterator[Result]:
    """``function(*task)`` for every task: in this process, in order, when ``workers`` is 1; otherwise in
    ``workers`` spawned processes, yielded in the order they finish (the caller sorts).

    ``function`` must be a module-level function (it is pickled by name). Two tasks per worker are in flight, so no
    worker waits while this process handles a result; stopping the iteration (an error, Ctrl-C) cancels the tasks
    not yet started.
    """
    workers = min(workers, len(tasks))
    if workers <= 1:
        for task in tasks:
            yield function(*task)
        return
    log.info("%s: %d tasks in %d worker processes (each compiles the model once)", label, len(tasks), workers)
    context = multiprocessing.get_context("spawn")  # forking a process that holds sampler threads is unsafe
    queue = iter(tasks)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=quiet_libraries) as pool:
        pending: set[Future] = {pool.submit(function, *task) for task in islice(queue, 2 * workers)}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    following = next(queue, None)
                    if following is not None:
                        pending.add(pool.submit(function, *following))
        finally:
            for future in pending:
                future.cancel()


def quiet_libraries() -> None:
    """The libraries' loggers at WARNING: job logs (and worker processes) show benchgap's progress, not theirs."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
