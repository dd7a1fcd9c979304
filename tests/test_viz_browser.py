"""The teaching page in a real browser: Debian's chromium driven by Playwright, against `lhe viz`.

The server runs offline from the local asset cache (fetched once from the npm
registry). In CI (the CI environment variable set) the test must run: a missing
browser or library is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from model.vizserve import CHROMIUM, CHROMIUM_ARGS, ROOT, serving

IN_CI = bool(os.environ.get("CI"))


def _need(ok: bool, what: str) -> None:
    if not ok:
        if IN_CI:
            pytest.fail(f"{what} is missing; .ci/run should have installed it")
        pytest.skip(f"{what} is missing (install it to run this test; CI always does)")


@pytest.fixture(scope="module")
def server():
    try:
        import playwright  # noqa: F401
    except ImportError:
        _need(False, "the playwright package")
    _need(Path(CHROMIUM).exists(), CHROMIUM)
    _need(shutil.which("npm") is not None, "npm (to fetch the page's assets)")
    log = open(ROOT / "results" / "viz-server.log", "w") if (ROOT / "results").is_dir() else subprocess.DEVNULL  # noqa: SIM115
    try:
        with serving(log) as url:
            yield url
    except RuntimeError as e:
        pytest.fail(str(e))


def test_the_page_works_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server, timeout=90_000)
            step = page.get_by_role("button", name="Step", exact=True)
            step.wait_for(timeout=90_000)
            page.get_by_text("Time: 0.0").wait_for(timeout=30_000)
            # the network and the charts are drawn (matplotlib figures are images)
            images = page.locator("img")
            images.first.wait_for(timeout=30_000)
            assert images.count() >= 7

            step.click()
            page.get_by_text("Time: 1.0").wait_for(timeout=30_000)

            # switching an organisation's strategy redraws it in the other colour
            network = images.first
            before = network.get_attribute("src")
            page.get_by_text("now: collaborative").wait_for(timeout=10_000)
            page.get_by_role("button", name="Make fortress").click()
            page.get_by_text("now: fortress").wait_for(timeout=30_000)
            for _ in range(60):
                if network.get_attribute("src") != before:
                    break
                time.sleep(0.5)
            assert network.get_attribute("src") != before

            shot = ROOT / "results" / "viz-browser-test.png"
            shot.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
    assert errors == [], errors
