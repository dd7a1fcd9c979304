"""Screenshots of the teaching page for docs/teaching.md, taken from the real page.

Starts ``lhe viz``, drives Debian's chromium with Playwright through the three
exercises of the session plan, and saves one screenshot each into
``docs/img/teaching/``. Run by ``make teaching-screenshots``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from model.vizserve import CHROMIUM, CHROMIUM_ARGS, ROOT, serving  # noqa: E402

OUT = ROOT / "docs" / "img" / "teaching"


def steps(page: Page, n: int) -> None:
    """Press Step n times, waiting for the month counter each time."""
    button = page.get_by_role("button", name="Step", exact=True)
    now = int(float(page.get_by_text("Time:").inner_text().split(":")[1]))
    for i in range(n):
        button.click()
        page.get_by_text(f"Time: {now + i + 1}.0").wait_for(timeout=60_000)


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the select labelled ``label``."""
    page.get_by_label(label, exact=True).click(force=True)
    page.get_by_role("option", name=option, exact=True).click()


def reset(page: Page) -> None:
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text("Time: 0.0").wait_for(timeout=60_000)


def shot(page: Page, name: str) -> None:
    time.sleep(2)  # let the last charts draw
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"wrote {OUT / f'{name}.png'}")


def main() -> int:
    with serving() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1200})
        page.goto(url, timeout=90_000)
        page.get_by_role("button", name="Step", exact=True).wait_for(timeout=90_000)

        # 1. a fortress hospital under PbR: who pays?
        steps(page, 24)
        choose(page, "Organisation", "Eastmoor District")
        page.get_by_role("button", name="Make fortress").click()
        steps(page, 24)
        shot(page, "1-fortress-hospital")

        # 2. pooled health and social care budgets (Torbay)
        choose(page, "Place", "torbay")
        reset(page)
        steps(page, 36)
        shot(page, "2-pooled-budget")

        # 3. learning organisations with shared measures and graduated sanctions
        choose(page, "Place", "baseline")
        for label in ("Organisations learn (adaptive)", "Shared measures", "Graduated sanctions"):
            page.get_by_label(label, exact=True).check(force=True)
        reset(page)
        steps(page, 48)
        shot(page, "3-commons-rules")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
