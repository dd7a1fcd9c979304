"""Screenshots of the teaching pages for docs/teaching.md, taken from the real pages.

Starts ``lhe viz`` and drives Debian's chromium with Playwright through the three
exercises of the session plan, then starts ``lhe class`` and plays two years with
a teacher, a projector and three students to the debrief, saving the teacher's,
a student's, the projector's and the debrief pages into ``docs/img/teaching/``.
Run by ``make teaching-screenshots``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from model import vizdrive  # noqa: E402
from model.vizserve import CHROMIUM, CHROMIUM_ARGS, ROOT, serving  # noqa: E402

OUT = ROOT / "docs" / "img" / "teaching"


def shot(page, name: str) -> None:
    print(f"wrote {vizdrive.save(page, OUT, name)}")


def main() -> int:
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with serving(["viz"]) as served:
            page = vizdrive.open_page(browser, served.url, errors)
            vizdrive.exercise_1(page, lambda name: shot(page, name))
            vizdrive.exercise_2(page, lambda name: shot(page, name))
            vizdrive.exercise_3(page, lambda name: shot(page, name))
            page.context.close()
        with serving(["class", "teach-place", "--window", "120"]) as served:
            vizdrive.classroom_game(browser, served, errors, years=2, shot=shot)
        browser.close()
    if errors:
        print("errors on the pages:", *errors, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
