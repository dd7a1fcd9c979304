"""The clock that steps a place, and the store that hands its pictures to every page.

Both live apart from any page. A :class:`Clock` owns one model and a thread of
its own that steps it (on Play, at a pace, or a given number of months); every
change to the model happens under its lock. A :class:`Store` publishes frames
(immutable snapshots with their figures drawn once) to every subscribed page from
a thread of its own, latest first: when pages cannot keep up with the clock,
the months in between are merged into one update rather than queued. Pages
never touch the live model.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from model.viz.snapshot import History, Snapshot, take

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy

log = logging.getLogger(__name__)
F = TypeVar("F")

PACES = (1.0, 2.0, 5.0, 10.0, 0.0)  # months a second; 0 = as fast as it goes
DEFAULT_PACE = 5.0


class Store[F]:
    """Frames built on demand and pushed to every subscriber from one publishing thread."""

    def __init__(self, build: Callable[[], F], name: str = "lhe-publisher") -> None:
        self._build = build
        self._subs: dict[int, Callable[[F], None]] = {}
        self._next_id = 0
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._pending_since: float | None = None
        self._busy = False
        self._closed = False
        self.latest: F | None = None
        self.latencies: deque[float] = deque(maxlen=1000)  # seconds from a change to every page updated
        self.published = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def subscribe(self, deliver: Callable[[F], None]) -> Callable[[], None]:
        """Call ``deliver(frame)`` on every update; returns the function that unsubscribes."""
        with self._lock:
            key = self._next_id
            self._next_id += 1
            self._subs[key] = deliver

        def unsubscribe() -> None:
            with self._lock:
                self._subs.pop(key, None)

        return unsubscribe

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subs)

    def publish(self, since: float | None = None) -> None:
        """Something changed: build and push a frame soon (bursts merge into one)."""
        with self._lock:
            if self._pending_since is None:
                self._pending_since = since if since is not None else time.perf_counter()
            self._wake.notify_all()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every change so far has reached every page (for tests and measurements)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending_since is not None or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(left)
        return True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._wake.notify_all()

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._pending_since is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                since, self._pending_since = self._pending_since, None
                self._busy = True
                subs = list(self._subs.values())
            try:
                frame = self._build()
                self.latest = frame
                for deliver in subs:
                    try:
                        deliver(frame)
                    except Exception:  # one broken page must not stop the others
                        log.exception("a page failed to take an update")
                self.latencies.append(time.perf_counter() - since)
                self.published += 1
            except Exception:
                log.exception("building a frame failed")
            finally:
                with self._lock:
                    self._busy = False
                    self._wake.notify_all()


class Clock:
    """One model, stepped by a thread of its own on Play or on request.

    ``hold(model)`` is asked before every step; while it answers True the clock
    waits (a decision window is open) and asks again a few times a second.
    ``changed(since)`` is called after every change the pages should see (``since``: when the
    step that made it began, or None).
    """

    def __init__(self, build: Callable[[], tuple[LocalHealthEconomy, int]], changed: Callable[[float | None], None] = lambda since: None,
                 hold: Callable[[LocalHealthEconomy], bool] | None = None, pace: float = DEFAULT_PACE,
                 name: str = "lhe-clock") -> None:
        self.lock = threading.RLock()
        self._cond = threading.Condition(self.lock)
        self._changed = changed
        self._hold = hold
        self.pace = pace
        self.playing = False
        self.pending = 0  # months asked for by Step
        self.version = 0
        self.step_seconds: deque[float] = deque(maxlen=1000)
        self._closed = False
        self._build = build
        self.model, self.seed = build()
        self.history = History(self.model)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # --- commands (from any thread) -------------------------------------------------------
    def play(self) -> None:
        with self._cond:
            if not self.ended:
                self.playing = True
                self._touch()

    def pause(self) -> None:
        with self._cond:
            self.playing = False
            self.pending = 0
            self._touch()

    def step(self, months: int = 1) -> None:
        with self._cond:
            if not self.ended:
                self.pending += months
                self._cond.notify_all()

    def reset(self, build: Callable[[], tuple[LocalHealthEconomy, int]] | None = None) -> None:
        """A new model (the same place again, or the one ``build`` makes), paused at month 0."""
        with self._cond:
            if build is not None:
                self._build = build
            self.model, self.seed = self._build()
            self.history = History(self.model)
            self.playing, self.pending = False, 0
            self._touch()

    def set_pace(self, pace: float) -> None:
        with self._cond:
            self.pace = pace
            self._touch()

    def call(self, change: Callable[[LocalHealthEconomy], Any]) -> Any:
        """Change the model between two steps (e.g. switch a strategy) and show it."""
        with self._cond:
            out = change(self.model)
            self._touch()
            return out

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self.playing = False
            self._cond.notify_all()

    def wake(self) -> None:
        """Ask the clock to look at its hold again now (a decision window closed)."""
        with self._cond:
            self._cond.notify_all()

    # --- reading ---------------------------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.model.month >= self.model.params.run.steps

    @property
    def busy(self) -> bool:
        """Playing, or with months still to step."""
        return self.playing or self.pending > 0

    def snapshot(self, **extra: Any) -> Snapshot:
        with self.lock:
            return take(self.model, self.history, self.seed, self.version, playing=self.playing, pace=self.pace, **extra)

    # --- the thread ------------------------------------------------------------------------
    def _touch(self) -> None:
        self.version += 1
        self._cond.notify_all()
        self._changed(None)

    def _run(self) -> None:
        next_at = 0.0
        while True:
            with self._cond:
                while not self._closed and not (self.playing or self.pending > 0):
                    self._cond.wait()
                if self._closed:
                    return
                if self.ended:
                    self.playing, self.pending = False, 0
                    self._touch()
                    continue
                if self._hold is not None and self._hold(self.model):
                    self._cond.wait(0.25)  # the hold publishes its own changes
                    continue
                wait = next_at - time.monotonic()
                if self.pending == 0 and self.playing and wait > 0:
                    self._cond.wait(wait)  # Play's pace; a command wakes it early
                    continue
                t0 = time.perf_counter()
                started = time.monotonic()
                self.model.step()
                self.history.record(self.model)
                self.step_seconds.append(time.perf_counter() - t0)
                if self.pending > 0:
                    self.pending -= 1
                next_at = started + (1.0 / self.pace if self.pace > 0 else 0.0)
                self.version += 1
                if self.ended:
                    self.playing, self.pending = False, 0
                self._changed(t0)
