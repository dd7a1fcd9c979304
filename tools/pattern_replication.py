"""The patterns' tests judged again on other seeds, with the same code: which claims hold whatever the seeds.

Run by ``make pattern-replication``. Every test in tests/patterns/ judges its claim on seeds 1-12, or on
1-36 or 1-72 where the claim is small beside the seeds' spread (pattern_settings). Here the whole of
tests/patterns/ runs once for each first seed asked for (``LHE_PATTERN_FIRST_SEED``: seeds 1001-1012 and
1001-1036 in place of 1-12 and 1-36, and so on), and pattern_settings writes down each judgement it makes
(``LHE_PATTERN_RECORD``: the seeds with the claimed sign and the signed-rank p-value). The page,
docs/pattern-replication.md, sets each test's verdict on each set of seeds side by side: a claim the tests
judge at the edge of the criterion holds on some sets and not on others.

Each set's results are kept (results/pattern-replication/, with a digest of the code, the scenarios and the
tests they came from), so a run stopped halfway goes on from the sets already done.

    make pattern-replication                                   # seeds from 1, 1001 and 2001: about 15 minutes
    .venv/bin/python tools/pattern_replication.py --first-seeds 1,1001 --doc /tmp/r.md
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "pattern-replication.md"
KEPT = ROOT / "results" / "pattern-replication"
SOURCES = ("model", "scenarios", "tests/patterns")  # what a set's results depend on
HOLDS, SHORT = "holds", "short"


@dataclass
class Verdict:
    """What one test found on one set of seeds."""

    outcome: str  # passed, failed, xfailed (short, as marked), xpassed (held, though marked short), skipped
    checks: list[dict] = field(default_factory=list)  # each judgement the test made, in order (pattern_settings)

    @property
    def status(self) -> str | None:
        """Whether what the test asserts held (passed, or a strict xfail that held) or fell short."""
        return {"passed": HOLDS, "xpassed": HOLDS, "failed": SHORT, "xfailed": SHORT}.get(self.outcome)


def digest() -> str:
    """A digest of every file a set's results depend on."""
    h = hashlib.sha256()
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(ROOT)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


def outcomes(junit: Path) -> dict[str, str]:
    """Each test's outcome, by its pytest node id, from a JUnit XML report."""
    found: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        node = case.get("classname", "").replace(".", "/") + ".py::" + case.get("name", "")
        failure = case.find("failure")
        skipped = case.find("skipped")
        if failure is not None:
            found[node] = "xpassed" if (failure.get("message") or "").startswith("[XPASS(strict)]") else "failed"
        elif case.find("error") is not None:
            found[node] = "failed"
        elif skipped is not None:
            found[node] = "xfailed" if skipped.get("type") == "pytest.xfail" else "skipped"
        else:
            found[node] = "passed"
    return found


def judgements(folder: Path) -> dict[str, list[dict]]:
    """Each judgement pattern_settings wrote down, by the test that made it, in the order made."""
    found: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                j = json.loads(line)
                found.setdefault(j["test"], []).append(j)
    return found


def verdicts(folder: Path) -> dict[str, Verdict]:
    """Each test's verdict on the set of seeds whose results are in ``folder``."""
    checks = judgements(folder / "judgements")
    return {node: Verdict(outcome, checks.get(node, [])) for node, outcome in outcomes(folder / "junit.xml").items()}


def run_set(first: int, workers: int, code: str) -> Path:
    """The pattern tests on the seeds from ``first`` (kept: not run again while the code is the same)."""
    folder = KEPT / f"seeds-from-{first}"
    stamp = folder / "digest"
    if stamp.exists() and stamp.read_text() == code and (folder / "junit.xml").exists():
        print(f"seeds from {first}: kept from an earlier run of the same code")
        return folder
    record = folder / "judgements"
    record.mkdir(parents=True, exist_ok=True)
    for old in list(record.glob("*.jsonl")) + [folder / "junit.xml", stamp]:
        old.unlink(missing_ok=True)
    env = {**os.environ, "LHE_PATTERN_FIRST_SEED": str(first), "LHE_PATTERN_RECORD": str(record)}
    cmd = [sys.executable, "-m", "pytest", "tests/patterns", "-q", "-p", "no:cacheprovider", "--junitxml",
           str(folder / "junit.xml"), "-o", "junit_family=xunit1"]
    if workers > 1:
        cmd += ["-n", str(workers), "--dist", "loadfile"]
    print(f"seeds from {first}: {' '.join(cmd[2:])}", flush=True)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    if done.returncode not in (0, 1) or not (folder / "junit.xml").exists():  # 1: some tests failed, as expected
        raise SystemExit(f"pattern_replication: the pattern tests on seeds from {first} stopped (pytest exit "
                         f"{done.returncode}); nothing kept for this set")
    stamp.write_text(code)
    print(f"seeds from {first}: {time.perf_counter() - t0:.0f} s", flush=True)
    return folder


def cell(v: Verdict | None) -> str:
    if v is None:
        return "(not run)"
    shown = {"passed": HOLDS, "failed": f"**{SHORT}**", "xfailed": f"**{SHORT}**, as marked",
             "xpassed": f"{HOLDS}, marked short", "skipped": "skipped"}[v.outcome]
    counts = "; ".join(f"{c['positive']}/{c['n']}, p = {c['p']:.2g}" for c in v.checks)
    return f"{shown} ({counts})" if counts else shown


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval (95%) for a share of ``k`` in ``n`` (SciPy's: exactly 0 or 1 at 0 or ``n`` of ``n``)."""
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def pooled(vs: list[Verdict | None]) -> str:
    """Each judgement's seeds with the claimed sign over every set of seeds together (the judgements every set made:
    a test stops at its first assertion that fails), with the share's 95% interval."""
    if any(v is None for v in vs):
        return ""
    made = min(len(v.checks) for v in vs)
    parts = []
    for i in range(made):
        k, n = sum(v.checks[i]["positive"] for v in vs), sum(v.checks[i]["n"] for v in vs)
        low, high = wilson(k, n)
        parts.append(f"{k}/{n}, {k / n:.0%} ({low:.0%} to {high:.0%})")
    return "; ".join(parts)


def page(firsts: list[int], sets: list[dict[str, Verdict]], code: str) -> str:
    """docs/pattern-replication.md: each test's verdict on each set of seeds."""
    # by file, and within a file in the order its tests ran (xdist sends each file whole to one worker, but in no
    # fixed order between files)
    nodes = sorted(dict.fromkeys(n for s in sets for n in s), key=lambda n: n.split("::")[0])
    status = {n: [s[n].status if n in s else None for s in sets] for n in nodes}
    held = [n for n in nodes if all(x == HOLDS for x in status[n])]
    short = [n for n in nodes if all(x == SHORT for x in status[n])]
    differ = [n for n in nodes if n not in held and n not in short]
    names = [f"seeds from {f}" for f in firsts]
    out = [
        "# The patterns' tests on other seeds",
        "",
        "<!-- Written by tools/pattern_replication.py (make pattern-replication): edit the tool, not this page. -->",
        "",
        "Made by `make pattern-replication`: every test in `tests/patterns/`, the same code, run once for each set",
        "of seeds. A test that judges its claim on 12 seeds from 1 (or 36, or 72) judges it here on 12 (36, 72)",
        f"from each first seed: {', '.join(str(f) for f in firsts)}. A verdict is what the test asserts: **holds**",
        "(it passes; for a claim marked a strict xfail, the claim held), or **short** (it fails; or, marked",
        "short, it is). Beside it, each judgement the test made (`pattern_settings.holds` and `on_the_mean`),",
        "in order: the seeds with the claimed sign, of those judged, and the one-sided signed-rank p-value. A",
        "claim holds when at least three seeds in four have its sign and p < 0.01; an ablation's test asserts",
        "that its difference does not hold, so its counts are those of what is left. The last column adds each",
        "judgement's seeds with the claimed sign over every set (the signed-rank test is not pooled), with the",
        "share's 95% interval (Wilson's): at 75% or more the sets together have the sign the criterion asks for,",
        "and where the interval spans 75% even they cannot say whether the claim's seeds do, in the long run.",
        "",
        f"Code, scenarios and tests: digest `{code}`.",
        "",
        f"Of {len(nodes)} tests, {len(held)} hold on every set of seeds, {len(short)} fall short on every set, and "
        f"{len(differ)} differ between the sets:",
        "",
    ]
    out += [f"- `{n.split('::', 1)[1]}` ({Path(n.split('::')[0]).stem}): "
            + ", ".join(f"{x or 'not run'} from {f}" for f, x in zip(firsts, status[n], strict=True))
            for n in differ] or ["- none"]
    by_file: dict[str, list[str]] = {}
    for n in nodes:
        by_file.setdefault(n.split("::")[0], []).append(n)
    for path, tests in by_file.items():
        out += ["", f"## {Path(path).stem}", "", "| test | " + " | ".join(names) + " | every set: with the claimed sign |",
                "|---|" + "---|" * (len(names) + 1)]
        for n in tests:
            vs = [s.get(n) for s in sets]
            out.append(f"| `{n.split('::', 1)[1]}` | " + " | ".join(cell(v) for v in vs) + f" | {pooled(vs)} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--first-seeds", default="1,1001,2001", help="comma-separated first seeds (default: 1,1001,2001)")
    p.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (default: 2)")
    p.add_argument("--doc", type=Path, default=DOC, help=f"the page to write (default: {DOC.relative_to(ROOT)})")
    a = p.parse_args(argv)
    try:
        firsts = [int(x) for x in a.first_seeds.split(",") if x.strip()]
    except ValueError:
        firsts = []
    if not firsts or min(firsts) < 1:
        p.error(f"--first-seeds: got {a.first_seeds!r}; whole numbers from 1, comma-separated, are allowed")
    code = digest()
    sets = [verdicts(run_set(f, a.workers, code)) for f in firsts]
    a.doc.write_text(page(firsts, sets, code), encoding="utf-8")
    print(f"wrote {a.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
