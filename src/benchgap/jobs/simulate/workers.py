"""Replicates of a simulate job scored one after another, or side by side in worker processes (``workers``).

NUTS chains in threads share a process: on a 2-core machine four chains on two cores fitted 40 x 12 worlds only
1.2 times as fast as on one core (``benchmarks/RESULTS.md``, section 10), and a fit's estimands and diagnostics
run on one core either way. Workers fit whole worlds instead, each compiling the model once and sampling its
chains on ``sampler.cores / workers`` cores. A replicate's numbers do not depend on where it ran: its world, noise
and sampler seed come from its index, and the chains' draws do not depend on the cores they ran on.
"""

import dataclasses
import logging
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

import pandas as pd

from benchgap.config import SimulateConfig
from benchgap.sampling import process_cache
from benchgap.scoring import draw_replicate, score_replicate

log = logging.getLogger("benchgap")
QUIET_LOGGERS = ("pytensor", "arviz", "numba", "matplotlib", "nutpie", "pymc")


def scored_replicates(cfg: SimulateConfig, indices: Sequence[int]) -> Iterator[pd.DataFrame]:
    """The rows of each replicate in ``indices`` (``score_replicate``), yielded as each one finishes.

    With ``cfg.workers`` above 1 the replicates run in that many spawned processes and arrive in the order they
    finish; the caller sorts. Stopping the iteration (an error, Ctrl-C) cancels the replicates not yet started.
    """
    workers = min(cfg.workers, len(indices))
    if workers <= 1:
        cache = process_cache(cfg.model, cfg.sampler.backend) if cfg.bayes else None
        for index in indices:
            yield pd.DataFrame(score_replicate(draw_replicate(cfg, index), cfg, cache))
        return
    share = dataclasses.replace(
        cfg, sampler=dataclasses.replace(cfg.sampler, cores=max(1, cfg.sampler.cores // workers))
    )
    log.info("scoring %d replicates in %d worker processes (each compiles the model once)", len(indices), workers)
    context = multiprocessing.get_context("spawn")  # forking a process that holds sampler threads is unsafe
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_quiet) as pool:
        pending: set[Future] = set()
        queue = iter(indices)
        try:
            for index in queue:  # two in flight per worker: none waits idle while the parent writes rows
                pending.add(pool.submit(_scored, share, index))
                if len(pending) >= 2 * workers:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    following = next(queue, None)
                    if following is not None:
                        pending.add(pool.submit(_scored, share, following))
        finally:
            for future in pending:
                future.cancel()


def _scored(cfg: SimulateConfig, index: int) -> pd.DataFrame:
    """One replicate's rows, in a worker (its process cache compiles the model on its first replicate)."""
    cache = process_cache(cfg.model, cfg.sampler.backend) if cfg.bayes else None
    return pd.DataFrame(score_replicate(draw_replicate(cfg, index), cfg, cache))


def _quiet() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
