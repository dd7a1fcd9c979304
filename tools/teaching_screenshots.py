"""Screenshots of the teaching pages for docs/teaching.md, taken from the real pages.

Starts ``lhe viz`` and drives Debian's chromium with Playwright through the three
exercises of the session plan; serves the baseline as it is and with the three rules
that make the hospitals' deficit taken away (the further exercise), and torbay-2000s with
its stays shortening and held (the exercise on Torbay's beds), ten years each;
then starts ``lhe class`` and plays two years with a teacher, a projector and three
students to the debrief, saving the teacher's, a student's, the projector's and the
debrief pages into ``docs/img/teaching/``. Run by ``make teaching-screenshots``;
``python tools/teaching_screenshots.py deficit`` takes only some of them
(``exercises``, ``deficit``, ``torbay``, ``classroom``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scenario_charts import DEFICIT_STEPS  # noqa: E402  (beside this file)

from model import vizdrive  # noqa: E402
from model.vizserve import CHROMIUM, CHROMIUM_ARGS, ROOT, serving  # noqa: E402

OUT = ROOT / "docs" / "img" / "teaching"


def shot(page, name: str) -> None:
    print(f"wrote {vizdrive.save(page, OUT, name)}")


# The further exercise: the baseline as it is, and with the squeeze, the starting overrun and the emergency marginal
# rate taken away (docs/teaching.md; the last of docs/scenarios.md's steps in "Why every hospital ends in deficit")
DEFICIT_SHOTS = {"4-deficit-as-it-is": DEFICIT_STEPS["as they are"], "4-deficit-without-the-three": DEFICIT_STEPS["nor marginal rate"]}
# The exercise on Torbay's beds: torbay-2000s as it is, and with stays as at the start (docs/teaching.md)
TORBAY_SHOTS = {"5-torbay-as-it-is": {}, "5-torbay-stays-held": {"demand.practice_los_change": 0}}
PARTS = ("exercises", "deficit", "torbay", "classroom")


def ten_years(browser, errors: list[str], place: str, shots: dict[str, dict]) -> None:
    """Serve ``place`` with each shot's changes in turn, play ten years and save the page under the shot's name."""
    for name, changes in shots.items():
        sets = [a for path, value in changes.items() for a in ("--set", f"{path}={value}")]
        with serving(["viz", place, *sets]) as served:
            page = vizdrive.open_page(browser, served.url, errors)
            vizdrive.step_years(page, 10)
            shot(page, name)
            page.context.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("parts", nargs="*", choices=PARTS, help="which screenshots to take (default: all)")
    parts = ap.parse_args(argv).parts or PARTS
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if "exercises" in parts:
            with serving(["viz"]) as served:
                page = vizdrive.open_page(browser, served.url, errors)
                vizdrive.exercise_1(page, lambda name: shot(page, name))
                vizdrive.exercise_2(page, lambda name: shot(page, name))
                vizdrive.exercise_3(page, lambda name: shot(page, name))
                page.context.close()
        if "deficit" in parts:
            ten_years(browser, errors, "baseline", DEFICIT_SHOTS)
        if "torbay" in parts:
            ten_years(browser, errors, "torbay-2000s", TORBAY_SHOTS)
        if "classroom" in parts:
            with serving(["class", "teach-place", "--window", "120"]) as served:
                vizdrive.classroom_game(browser, served, errors, years=2, shot=shot)
        browser.close()
    if errors:
        print("errors on the pages:", *errors, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
