"""A time budget per file: one pathological file becomes a diagnostic, it never stalls the scan.

A timer signal interrupts the analysis (LibCST's parser calls back into Python for every node, so a long parse
is interrupted too). Signals only reach the main thread of a process; elsewhere, and on platforms without
SIGALRM, the budget is not enforced.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class BudgetExceeded(Exception):
    pass


def _expire(signum: int, frame: FrameType | None) -> None:
    raise BudgetExceeded


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    if seconds <= 0 or not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
