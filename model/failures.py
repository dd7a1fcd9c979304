"""A run that stopped part-way: the error, the month it was simulating and the organisation at fault.

The organisation is read from the error's traceback: the innermost frame that
was working on an organisation, as ``self`` or as a local variable named in the
line that failed (a loop variable left over from an earlier loop is not blamed).
"""

from __future__ import annotations

import linecache
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

MODEL_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class RunFailure:
    error: str  # "ZeroDivisionError: float division by zero"
    month: int  # the month being simulated when it failed, from 1 (0: while the place was being built)
    organisation: str | None  # the organisation the failing code was working on, if any
    where: str | None  # the innermost line of the model's code: "model/population.py:214"

    def describe(self) -> str:
        at = f" at {self.organisation}" if self.organisation else ""
        code = f" ({self.where})" if self.where else ""
        when = f"in month {self.month}" if self.month else "while building the place"
        return f"the run failed {when}{at}: {self.error}{code}"

    def record(self) -> dict[str, Any]:
        return {"error": self.error, "month": self.month, "organisation": self.organisation, "where": self.where}


def diagnose(error: BaseException, month: int) -> RunFailure:
    """What stopped a run while it simulated ``month`` (from 1; 0 while building the place)."""
    message = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {message[0]}" if message else type(error).__name__
    return RunFailure(text, month, organisation_in(error.__traceback__), _model_line(error.__traceback__))


def organisation_in(tb: TracebackType | None) -> str | None:
    """The name of the organisation the innermost frame working on one was handling."""
    from model.organisations import Organisation

    for frame, lineno in reversed(list(traceback.walk_tb(tb))):
        if isinstance(frame.f_locals.get("self"), Organisation):
            return frame.f_locals["self"].name
        line = linecache.getline(frame.f_code.co_filename, lineno)
        for name, value in frame.f_locals.items():
            if isinstance(value, Organisation) and re.search(rf"\b{re.escape(name)}\b", line):
                return value.name
    return None


def _model_line(tb: TracebackType | None) -> str | None:
    inside = [s for s in traceback.extract_tb(tb) if Path(s.filename).resolve().is_relative_to(MODEL_DIR)]
    if not inside:
        return None
    last = inside[-1]
    return f"model/{Path(last.filename).resolve().relative_to(MODEL_DIR)}:{last.lineno}"


@dataclass
class Attempt:
    """A run as far as it went: the model (None if it could not be built), the months it finished,
    and why it stopped early (a failure, or an interruption), if it did."""

    model: Any
    months_done: int
    failure: RunFailure | None = None
    interrupted: bool = False

    @property
    def finished(self) -> bool:
        return self.failure is None and not self.interrupted


def attempt(build: Callable[[], Any], progress: Callable[[int], Any] | None = None,
            on_failure: Callable[[BaseException], Any] | None = None) -> Attempt:
    """Build a model and run it to its end, catching what stops it: a failure is diagnosed (the
    month it was simulating, the organisation) instead of raised; Ctrl-C ends it as interrupted."""
    done = [0]

    def step_done(n: int) -> None:
        done[0] += n
        if progress is not None:
            progress(n)

    model = None
    try:
        model = build()
        model.run(progress=step_done)
    except KeyboardInterrupt:
        return Attempt(model, done[0], interrupted=True)
    except Exception as e:  # noqa: BLE001 - a failed run is reported with what it finished
        if on_failure is not None:
            on_failure(e)
        return Attempt(model, done[0], diagnose(e, done[0] + 1 if model is not None else 0))
    return Attempt(model, done[0])
