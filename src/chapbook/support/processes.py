"""Worker processes that a build starts (to convert chapters, to lay out parts) and stops.
Design: docs/architecture.md, 'Worker processes and interruption'."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from multiprocessing.context import BaseContext


def worker_start() -> None:
    """Each worker's first step: Ctrl-C is for the build that started it, which stops
    it; SIGTERM ends it as the system's default does (a forked worker would otherwise
    keep the build's handler)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def worker_pool(workers: int, context: BaseContext) -> ProcessPoolExecutor:
    """A pool of `workers` processes started in `context`, each by `worker_start`; to be
    used as `with stopping(pool)`."""
    return ProcessPoolExecutor(workers, mp_context=context, initializer=worker_start)


@contextmanager
def stopping(pool: ProcessPoolExecutor) -> Iterator[ProcessPoolExecutor]:
    """`pool`, shut down when the work is done; on an exception (an interruption, an
    error of the book), its workers are terminated at once rather than left to finish
    what they were doing."""
    try:
        yield pool
    except BaseException:
        stop(pool)
        raise
    pool.shutdown()


def stop(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's workers and cancel what is left of its work."""
    for process in list((pool._processes or {}).values()):
        with suppress(OSError):
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
