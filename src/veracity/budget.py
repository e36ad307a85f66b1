"""Time budgets that stop work, not just the wait for it.

Python threads cannot be killed, so analysis stops cooperatively: whoever starts work for a caller with a deadline
(the service, per request) wraps it in ``within(deadline, cancel)``, and the places where analysis spends its time
call ``check()`` between steps: the pipeline between layers, the parse between pieces of a long text, the models
between batches. Past the deadline, or once ``cancel`` is set (the service is stopping), ``check()`` raises
``BudgetExceededError`` and the thread is free again within one step. Outside ``within`` a check costs one attribute
lookup and never raises, so the CLI and batch workers run unbounded as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from veracity.errors import BudgetExceededError

__all__ = ["check", "remaining", "within"]

_local = threading.local()


@contextmanager
def within(deadline: float | None, cancel: threading.Event | None = None) -> Iterator[None]:
    """Run the block under a deadline (``time.monotonic()`` seconds) and/or a cancel event; nests, innermost wins."""
    saved = getattr(_local, "limit", None)
    _local.limit = (deadline, cancel)
    try:
        yield
    finally:
        _local.limit = saved


def check() -> None:
    """Raise ``BudgetExceededError`` when this thread's work is past its deadline or cancelled; else return at once."""
    limit = getattr(_local, "limit", None)
    if limit is None:
        return
    deadline, cancel = limit
    if cancel is not None and cancel.is_set():
        raise BudgetExceededError("the work was stopped because the service is shutting down; send it again later")
    if deadline is not None and time.monotonic() > deadline:
        raise BudgetExceededError(
            "the analysis was stopped when its time budget ran out; send a shorter text or ask the operator to raise "
            "VERACITY_SERVICE_TIME_BUDGET"
        )


def remaining() -> float | None:
    """Seconds left before this thread's deadline (None when unbounded): for waits that should not outlive it."""
    limit = getattr(_local, "limit", None)
    if limit is None or limit[0] is None:
        return None
    return max(0.0, limit[0] - time.monotonic())
