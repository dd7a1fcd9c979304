"""Run the example experiments (experiments/*.toml) and keep one chart of each for the README.

    make experiment-charts                      # every example, as written (a few minutes on two cores each)
    make experiment-charts ARGS="--processes 2 --out /tmp/sweeps"

Each example is swept into OUT/<name>/ (resumed if it is there already), analysed and reported; the
collaboration-threshold sweep is also put through ``lhe discover --where "share_collaborative < 0.3"``. The
chart each yields is copied to docs/img/experiments/. The sizes are the files' own (see each file).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.cli import main as lhe  # noqa: E402

IMG = ROOT / "docs" / "img" / "experiments"
EXAMPLES = {  # example: (extra lhe discover condition or None, the chart the README shows)
    "compare-regimes": (None, ["comparison-arrangement.png", "fan-place_balance.png"]),
    "sobol-baseline": (None, ["sobol.png"]),
    "morris-screening": (None, ["morris.png"]),
    "collaboration-threshold": ("share_collaborative < 0.3", ["prim-share-collaborative-0-3.png"]),
    "care-act": (None, ["comparison-national_eligibility.png"]),
    "reablement": (None, ["comparison-frailty_fall.png"]),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "sweeps")
    ap.add_argument("--processes", default=None)
    ap.add_argument("--only", default=None, help="one example by name")
    args = ap.parse_args(argv)
    IMG.mkdir(parents=True, exist_ok=True)
    for name, (where, charts) in EXAMPLES.items():
        if args.only and name != args.only:
            continue
        out = args.out / name
        more = ["--processes", args.processes] if args.processes else []
        code = lhe(["sweep", name, "--out", str(out), *more])
        if code not in (0, 1):
            return code
        lhe(["analyse", str(out)])
        if where:
            lhe(["discover", str(out), "--where", where])
        lhe(["report", str(out)])
        for chart in charts:
            shutil.copyfile(out / "report" / chart, IMG / f"{name}-{chart}")
            print(f"docs/img/experiments/{name}-{chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
