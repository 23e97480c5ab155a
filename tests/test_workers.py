"""Forked workers (the ideal-point fit's process pool) do not inherit a server's signal handlers: stopping the
server stops them (found when a load test left three orphaned workers behind)."""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor


def _handlers() -> tuple[bool, bool]:
    """Whether SIGTERM and SIGINT have their default handling here."""
    return (signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, signal.getsignal(signal.SIGINT) is signal.SIG_DFL)


def test_a_forked_worker_takes_the_default_signal_handlers():
    from blocwatch.ga.ideal.static import _default_signals

    old = signal.signal(signal.SIGTERM, lambda *_: None)  # what uvicorn does in the server process
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_default_signals) as pool:
            assert pool.submit(_handlers).result() == (True, True)
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            assert pool.submit(_handlers).result()[0] is False  # without it: the server's handler
    finally:
        signal.signal(signal.SIGTERM, old)
