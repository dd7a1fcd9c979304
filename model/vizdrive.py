"""The teaching pages driven as a teacher and students would: shared by the browser tests and
``make teaching-screenshots``.

Every action waits for the server's confirmation on the page (the month counter,
a strategy, a student's vote) rather than for a fixed time. Playwright is needed
only by the caller: pages and browsers are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.vizserve import Served

WAIT = 90_000  # ms: a loaded machine with several browsers open


def month(page: Any) -> int:
    text = page.locator(".month-counter").first.inner_text()
    return int(re.search(r"Month (\d+)", text).group(1))


def wait_month(page: Any, n: int) -> None:
    page.locator(".month-counter", has_text=re.compile(rf"Month {n} of")).first.wait_for(timeout=WAIT)


def wait_month_at_least(page: Any, n: int) -> None:
    """Wait until the page shows month ``n`` or later (while the clock plays, one month may flash by)."""
    page.wait_for_function(
        """n => [...document.querySelectorAll('.month-counter')].some(
               e => { const m = /Month (\\d+)/.exec(e.textContent); return m && +m[1] >= n; })""",
        arg=n, timeout=WAIT)


def step_years(page: Any, years: int) -> None:
    """Press "Step a year" ``years`` times, each time waiting for the month the page confirms."""
    for _ in range(years):
        now = month(page)
        page.get_by_role("button", name="Step a year").click()
        wait_month(page, now + 12 - now % 12)


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the select labelled ``label``."""
    page.get_by_label(label, exact=True).click(force=True)
    page.get_by_role("option", name=option, exact=True).click()


def reset(page: Any) -> None:
    """Press Reset once the page shows the changed settings (so the click carries them), and wait for month 0."""
    pending = page.get_by_text("Changed: press Reset")
    pending.wait_for(timeout=WAIT)
    page.get_by_role("button", name="Reset", exact=True).click()
    pending.wait_for(state="hidden", timeout=WAIT)
    wait_month(page, 0)


def open_page(browser: Any, url: str, errors: list[str], width: int = 1500, height: int = 1100) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, timeout=WAIT)
    page.locator(".month-counter").first.wait_for(timeout=WAIT)
    return page


def strategy_now(page: Any, strategy: str) -> None:
    page.locator(".strategy-now", has_text=f"now: {strategy}").wait_for(timeout=WAIT)


# --- docs/teaching.md's exercises on `lhe viz` -----------------------------------------------
def exercise_1(page: Any, shot: Callable[[str], None] = lambda name: None) -> None:
    """A fortress hospital under PbR: baseline, two years, Eastmoor District made a fortress, two more years;
    then the acute regime set to block and Reset."""
    page.locator(".overrides", has_text="exactly as its scenario file sets it").wait_for(timeout=WAIT)
    step_years(page, 2)
    choose(page, "Organisation", "Eastmoor District")
    strategy_now(page, "collaborative")  # the file makes it collaborative
    page.get_by_role("button", name="Make fortress").click()
    strategy_now(page, "fortress")
    step_years(page, 2)
    shot("1-fortress-hospital")
    choose(page, "Acute care paid by", "block")
    reset(page)
    page.locator(".overrides", has_text="acute care paid by block").wait_for(timeout=WAIT)


def exercise_2(page: Any, shot: Callable[[str], None] = lambda name: None) -> None:
    """Pooled budgets: torbay, Reset, three years."""
    choose(page, "Place", "torbay")
    reset(page)
    page.locator(".overrides", has_text="torbay exactly as its scenario file sets it").wait_for(timeout=WAIT)
    step_years(page, 3)
    page.get_by_text("Unmet social care need", exact=True).wait_for(timeout=WAIT)
    shot("2-pooled-budget")


def exercise_3(page: Any, shot: Callable[[str], None] = lambda name: None) -> None:
    """Learning with shared measures and graduated sanctions: baseline, the three ticks, Reset, four years."""
    choose(page, "Place", "baseline")
    for label in ("Organisations learn (adaptive)", "Shared measures", "Graduated sanctions"):
        page.get_by_label(label, exact=True).check(force=True)
    reset(page)
    for words in ("organisations learn", "shared measures on", "graduated sanctions on"):
        page.locator(".overrides", has_text=words).wait_for(timeout=WAIT)
    step_years(page, 4)
    shot("3-commons-rules")


# --- classroom mode ------------------------------------------------------------------------------
def teacher_link(served: Served) -> str:
    return served.line(r"teacher.*?: (http\S+)").group(1)


def join_code(served: Served) -> str:
    return served.line(r"join code (\w+)").group(1)


def join(browser: Any, served: Served, name: str, errors: list[str], org: str | None = None) -> Any:
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served.url, timeout=WAIT)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Join code (on the teacher's screen)").fill(join_code(served))
    if org is not None:
        choose(page, "Organisation", org)
    page.get_by_role("button", name="Join").click()
    page.get_by_text(f"{name}: you play").wait_for(timeout=WAIT)
    return page


def vote(page: Any, year_end: int, strategy: str) -> None:
    """Wait for the decision of the year ending at ``year_end``, vote, and wait for the page to confirm it."""
    page.get_by_text(f"Your decision for the year from month {year_end}").wait_for(timeout=WAIT)
    page.get_by_role("button", name=strategy.capitalize(), exact=True).click()
    page.locator(".my-vote", has_text=f"You chose {strategy} for the year from month {year_end}").wait_for(timeout=WAIT)


def classroom_game(browser: Any, served: Served, errors: list[str], years: int = 2,
                   shot: Callable[[Any, str], None] = lambda page, name: None) -> dict[str, Any]:
    """A teacher, a projector and three students play ``years`` years to the debrief."""
    teacher = open_page(browser, teacher_link(served), errors, width=1500, height=1100)
    teacher.get_by_text("Classroom: the teacher").wait_for(timeout=WAIT)
    screen = open_page(browser, served.url + "screen", errors, width=1500, height=1000)
    students = {name: join(browser, served, name, errors) for name in ("Ann", "Ben", "Cat")}
    teacher.get_by_text(f"Students ({len(students)})").wait_for(timeout=WAIT)
    shot(screen, "class-screen-joined")
    teacher.get_by_role("button", name="▶ Start").click()
    votes = {"Ann": "collaborative", "Ben": "fortress", "Cat": "collaborative"}
    for year in range(1, years + 1):
        for name, page in students.items():
            vote(page, 12 * year, votes[name])
            if year == 1 and name == "Ann":
                shot(page, "class-student")
        wait_month_at_least(teacher, 12 * year)
    shot(teacher, "class-teacher")
    # a laptop that reloads gets its organisation back
    ann = students["Ann"]
    mine = ann.get_by_text("Ann: you play").inner_text()
    ann.reload()
    ann.get_by_text(mine, exact=True).wait_for(timeout=WAIT)
    teacher.get_by_role("button", name="Finish and debrief").click()
    teacher.get_by_text("Debrief at month").wait_for(timeout=WAIT)
    teacher.locator(".debrief-ready").wait_for(timeout=WAIT * 2)
    screen.locator(".debrief-ready").wait_for(timeout=WAIT)
    students["Cat"].locator(".debrief-ready").wait_for(timeout=WAIT)
    shot(teacher, "class-debrief")
    shot(screen, "class-screen-debrief")
    return {"teacher": teacher, "screen": screen, "students": students, "months": month(teacher)}


def save(page: Any, out: Path, name: str) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
