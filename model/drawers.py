"""Charts drawn beside a run: processes forked before it starts import the plotting code while it runs.

``lhe run`` spends about three seconds of CPU drawing its six charts and most of one importing
matplotlib, all after the run. Where it can fork (Linux, two or more cores), it starts one drawer
before the model's imports: it imports ``model.report`` (matplotlib, pandas) on the other core
while this process imports the model and builds the place, then forks a second drawer that
inherits the imports (importing them twice at once would take the core this process needs).
Once the tables exist each draws its half of the charts from a copy of them while this process
writes the tables and the run's record. Each chart is the one :func:`model.report.make_charts`
draws; a chart a drawer could not draw is drawn again here, so its error shows where it is
caught. Nothing is imported here that the run does not need.

    drawers = ChartDrawers()            # before the run
    ...                                 # the run
    drawers.start(place, orgs, out, title)
    ...                                 # write the tables
    paths = drawers.finish()            # the charts' paths, once all are drawn
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any

# the standard charts (model.report draws each), in the order a run folder lists them
CHART_FILES = ("finances.png", "pool.png", "activity.png", "health.png", "strategies.png", "net_health.png")
# the charts each drawer draws: about half of the drawing each (measured on the default place: finances, with a line
# per organisation, 0.68 s; activity 0.55; net health, health and pool 0.41 to 0.44; strategies 0.38)
SHARES = (("finances.png", "pool.png", "strategies.png"), ("activity.png", "health.png", "net_health.png"))


def _lead(conns: list[Connection], shares: tuple[tuple[str, ...], ...]) -> None:
    """The first drawer: import the plotting code, fork a drawer for each further share (it inherits
    the imports), serve the first share, then wait for the drawers it forked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the run; the drawers end with it
    # drawing needs no BLAS threads: NumPy then starts none, and the drawer forks with one thread beside
    # its own (pyarrow's jemalloc background thread, which prepares itself for a fork)
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        from model import report  # noqa: F401 - imported once, for this drawer and those it forks
    except BaseException:  # noqa: BLE001 - the run's process draws what is missing
        os._exit(1)
    forked = []
    for conn, names in zip(conns[1:], shares[1:], strict=True):
        pid = os.fork()
        if pid == 0:
            for other in conns:
                if other is not conn:
                    other.close()
            _serve(conn, names)
        conn.close()
        forked.append(pid)
    status = _serve(conns[0], shares[0], leave=False)
    for pid in forked:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    os._exit(status)


def _serve(conn: Connection, names: tuple[str, ...], leave: bool = True) -> int:
    """A drawer: wait for the tables, draw its charts, say which failed (``leave``: then exit)."""
    status = 0
    try:
        from model import report

        job = conn.recv()
        if job is not None:
            place, orgs, out, title = job
            failed = []
            for name in names:
                try:
                    report.draw_charts(place, orgs, out, title, (name,))
                except Exception:  # noqa: BLE001 - drawn again by the run's process, where the error shows
                    failed.append(name)
            conn.send(failed)
    except BaseException:  # noqa: BLE001 - the run's process draws what is missing
        status = 1
    if leave:
        os._exit(status)  # none of the run's clean-up runs here
    return status


class ChartDrawers:
    """Two forked drawers (none where fork is unavailable, there is one core or another Python thread is
    running: then the charts are drawn here).

    This process forks the first; the first forks the second once it has imported the plotting code.
    This process reaps the first, and the first the second."""

    def __init__(self) -> None:
        self._drawers: list[tuple[int | None, Connection, tuple[str, ...]]] = []
        self._job: tuple[Any, Any, Path, str] | None = None
        self._sent: list[tuple[int | None, Connection, tuple[str, ...]]] = []
        self._missing: list[str] = []
        if sys.platform != "linux" or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
            return  # a fork copies one thread: another's locks (a notebook's kernel, a Dask client) could hang the child
        pipes = [Pipe() for _ in SHARES]
        pid = os.fork()
        if pid == 0:
            for mine, _ in pipes:
                mine.close()
            _lead([theirs for _, theirs in pipes], SHARES)
        for i, ((mine, theirs), names) in enumerate(zip(pipes, SHARES, strict=True)):
            theirs.close()
            self._drawers.append((pid if i == 0 else None, mine, names))

    def start(self, place: Any, orgs: Any, out: Path, title: str) -> None:
        """Hand the tables to the drawers; they draw while this process goes on."""
        self._job = (place, orgs, Path(out), title)
        if not self._drawers:
            self._missing = list(CHART_FILES)
        for pid, conn, names in self._drawers:
            try:
                conn.send(self._job)
                self._sent.append((pid, conn, names))
            except OSError:  # the drawer has gone (it could not import the plotting code)
                self._missing.extend(names)
                self._reap(pid, conn)
        self._drawers = []

    def finish(self) -> list[Path]:
        """Wait for the drawers; draw here what they could not; the charts' paths."""
        assert self._job is not None, "start() first"
        place, orgs, out, title = self._job
        for pid, conn, names in self._sent:
            try:
                self._missing.extend(conn.recv())
            except (EOFError, OSError):
                self._missing.extend(names)
            self._reap(pid, conn)
        self._sent = []
        if self._missing:
            from model.report import draw_charts

            draw_charts(place, orgs, out, title, [name for name in CHART_FILES if name in self._missing])
        return [out / name for name in CHART_FILES]

    def close(self) -> None:
        """Let the drawers go without drawing (the run stopped part-way, or charts are not wanted)."""
        drawers = (*self._drawers, *self._sent)
        for _, conn, _ in drawers:  # every drawer told before any is waited for: the first waits for the others
            try:
                conn.send(None)
            except OSError:
                pass
        for pid, conn, _ in drawers:
            self._reap(pid, conn)
        self._drawers, self._sent = [], []

    @staticmethod
    def _reap(pid: int | None, conn: Connection) -> None:
        """Close the pipe to a drawer and wait for it if it is this process's child (the first drawer
        waits for those it forked)."""
        conn.close()
        if pid is None:
            return
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
