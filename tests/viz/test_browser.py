"""The pages in a real browser: Debian's chromium driven by Playwright against `lhe viz` and `lhe class`.

The servers run offline from the local asset cache (fetched once from the npm
registry). In CI (the CI environment variable set) these tests must run: a
missing browser or library is a failure, not a skip. Every server is stopped,
even when a test fails, and none is left listening afterwards.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from model import vizdrive
from model.vizserve import CHROMIUM, CHROMIUM_ARGS, ROOT, listening, serving

IN_CI = bool(os.environ.get("CI"))


def _need(ok: bool, what: str) -> None:
    if not ok:
        if IN_CI:
            pytest.fail(f"{what} is missing; .ci/run should have installed it")
        pytest.skip(f"{what} is missing (install it to run this test; CI always does)")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "the playwright package")
    _need(Path(CHROMIUM).exists(), CHROMIUM)
    _need(shutil.which("npm") is not None, "npm (to fetch the pages' assets)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _log(name: str):
    (ROOT / "results").mkdir(exist_ok=True)
    return open(ROOT / "results" / f"{name}.log", "w")  # noqa: SIM115 - closed by the caller


def _serve(args: list[str], name: str):
    log = _log(name)
    try:
        with serving(args, log=log) as served:
            yield served
    except RuntimeError as e:
        pytest.fail(str(e))
    finally:
        log.close()
    port = int(served.url.rsplit(":", 1)[1].strip("/"))
    assert not listening(port), f"a server is still listening on {port}"


@pytest.fixture(scope="module")
def viz():
    yield from _serve(["viz"], "viz-server")


@pytest.fixture(scope="module")
def classroom():
    yield from _serve(["class", "teach-place", "--window", "120"], "class-server")


def test_the_exercises_of_docs_teaching_work_as_written(viz, browser):
    errors: list[str] = []
    page = vizdrive.open_page(browser, viz.url, errors)
    try:
        vizdrive.exercise_1(page)
        vizdrive.exercise_2(page)
        vizdrive.exercise_3(page)
    finally:
        page.screenshot(path=str(ROOT / "results" / "viz-browser-test.png"), full_page=True)
        page.context.close()
    assert errors == [], errors


def test_each_scenario_opens_with_its_own_strategies_and_regime_and_sessions_are_independent(viz, browser):
    from model import load_scenario

    errors: list[str] = []
    one = vizdrive.open_page(browser, viz.url, errors)
    two = vizdrive.open_page(browser, viz.url, errors)
    try:
        for place in ("all-collaborative", "teach-place"):
            vizdrive.choose(one, "Place", place)
            vizdrive.reset(one)
            s = load_scenario(place)
            one.get_by_text(f"acute care paid by {s.contracting.acute})").wait_for(timeout=vizdrive.WAIT)
            for kind in ("commissioners", "councils", "hospitals", "gp_federations"):
                for org in getattr(s, kind):
                    row = one.locator(".live-orgs tr", has_text=org.name).first
                    assert org.strategy in row.inner_text(), (place, org.name)
        # the first session stepped and switched; the second is still at month 0 of its own place
        one.get_by_role("button", name="Step", exact=True).click()
        vizdrive.wait_month(one, 1)
        assert vizdrive.month(two) == 0
        two.get_by_role("button", name="Step", exact=True).click()
        vizdrive.wait_month(two, 1)
        assert vizdrive.month(one) == 1
        two.locator(".overrides", has_text="baseline exactly as its scenario file sets it").wait_for(timeout=vizdrive.WAIT)
    finally:
        one.context.close()
        two.context.close()
    assert errors == [], errors


def test_a_teacher_and_three_students_play_two_years_to_the_debrief(classroom, browser):
    errors: list[str] = []
    pages: dict = {}
    try:
        pages = vizdrive.classroom_game(browser, classroom, errors, years=2)
        assert pages["months"] >= 24
        teacher = pages["teacher"]
        debrief = teacher.locator(".debrief").inner_text()
        for name in ("Ann", "Ben", "Cat", "bots only", "everyone collaborative", "the place"):
            assert name in debrief
        # the projector needs no token; the teacher's page does
        errors_other: list[str] = []
        stranger = browser.new_context().new_page()
        stranger.goto(classroom.url + "teacher", timeout=vizdrive.WAIT)
        stranger.locator(".needs-token").wait_for(timeout=vizdrive.WAIT)
        stranger.context.close()
        assert errors_other == []
    finally:
        for page in [pages.get("teacher"), pages.get("screen"), *pages.get("students", {}).values()]:
            if page is not None:
                page.context.close()
    assert errors == [], errors
