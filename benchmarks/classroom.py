"""How fast the teaching pages are: Play's months a second, and a classroom step with every page updated.

Pages are rendered in this process with Solara's test renderer (``solara.render``),
one render context per page, updated from the store's publishing thread as on the
server; the websocket transport to browsers is not included.

    python benchmarks/classroom.py [--students 30] [--steps 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import solara  # noqa: E402

from model.viz import classpages, page  # noqa: E402
from model.viz import session as session_module  # noqa: E402
from model.viz.classroom import Classroom  # noqa: E402


def play_speed(place: str, seconds: float = 8.0, pace: float = 5.0) -> float:
    """Months a second of Play on the teaching page, with the page updated each month."""
    made = []
    original = session_module.Session.__init__

    def init(self, *a, **k):
        original(self, *a, **k)
        made.append(self)

    session_module.Session.__init__ = init
    try:
        page.START = place
        solara.render(page.Page(), handle_error=False)
        s = made[-1]
        time.sleep(1.0)
        s.clock.set_pace(pace)
        start_month, t0 = s.clock.model.month, time.perf_counter()
        s.clock.play()
        time.sleep(seconds)
        s.clock.pause()
        months = s.clock.model.month - start_month
        rate = months / (time.perf_counter() - t0)
        s.close()
        return rate
    finally:
        session_module.Session.__init__ = original


def classroom_latency(students: int, steps: int, place: str = "teach-place") -> list[float]:
    """Seconds from the start of a step to every page updated, for each of ``steps`` single steps."""
    room = Classroom(place, background=False, reference_seeds=1)
    classpages.CLASSROOM = room
    for i in range(students):
        room.join(f"student-{i}", f"Student {i}", room.join_code)
    for i in range(students):
        solara.render(classpages.StudentScreen(f"student-{i}"), handle_error=False)
    solara.render(classpages.TeacherConsole(room), handle_error=False)
    solara.render(classpages.ScreenPage(), handle_error=False)
    room.store.flush()
    time.sleep(1.0)
    room.store.flush()
    assert room.store.subscribers == students + 2, room.store.subscribers
    out = []
    for _ in range(steps):
        if room.clock.model.month % 12 == 11:
            room.close()
            raise SystemExit("reached a year end: ask for fewer steps")
        before = room.store.published
        room.step(1)
        deadline = time.monotonic() + 30
        while room.store.published == before and time.monotonic() < deadline:
            time.sleep(0.002)
        room.store.flush()
        out.append(room.store.latencies[-1])
    room.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--steps", type=int, default=10)
    args = ap.parse_args()
    for place in ("teach-place", "baseline"):
        print(f"Play, {place}: {play_speed(place):.1f} months a second at the default pace (5), "
              f"{play_speed(place, pace=0.0):.1f} as fast as it goes")
    lat = []
    for _ in range(max(1, args.steps // 10)):
        lat += classroom_latency(args.students, min(args.steps, 10))
    print(f"classroom step with every page updated ({args.students} students, teacher, projector): "
          f"median {statistics.median(lat) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms over {len(lat)} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
