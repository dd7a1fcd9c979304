"""The baseline over its ten years: the figures docs/calibration.md quotes beyond the first year.

The first-year figures are checked by ``tests/test_calibration.py``; what follows the first year is the
organisations' own decisions, described in docs/calibration.md ("What is set and what is emergent") from
this tool's output: the default scenario, unchanged (300,000 people), on seeds 1, 2 and 3, means over the
seeds unless a seed is named.

    .venv/bin/python tools/calibration_years.py            # a few seconds a seed
    .venv/bin/python tools/calibration_years.py --seeds 1 2 3 4 5
    .venv/bin/python tools/calibration_years.py --set social_care.discharge_assessment_days=1.5   # a change tried
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from model import LocalHealthEconomy, load_scenario  # noqa: E402
from model.metrics import support_drawn  # noqa: E402

KINDS = ("commissioner", "council", "hospital", "gp_federation")
GROWTH_YEARS = 5  # as tests/test_calibration.py: from the first year to the sixth


def measure(seed: int, changes: dict | None = None) -> dict:
    """One ten-year run of the default scenario (with ``changes``, for a smaller place): its figures by year."""
    s = load_scenario().with_changes(changes or {})
    m = LocalHealthEconomy(s, rng=seed)
    hospitals = {h.account for h in m.hospitals}
    escalation, tallies = [], []
    for month in range(s.run.steps):
        m.step()  # the ledger keeps one month's flows by kind: escalation wards' cost, read before the next month
        escalation.append(sum(-v for (a, k), v in m.ledger.period_by_kind.items()
                              if k == "escalation_beds" and a in hospitals) / 100)
        if (month + 1) % 12 == 0:  # the year's social care tally, closed at the year end
            t = m.delivery.last_year
            tallies.append([t.bridged.sum(), t.reabled.sum(), t.assessed_at_home.sum(), t.ended_at_review.sum()])
    p, o = m.place_table(), m.organisation_table()
    year, org_year = (p.month - 1) // 12, (o.month - 1) // 12
    admissions = p.groupby(year).emergency_admissions.sum().to_numpy()
    # national support: out of the results, in the table's surplus and income (cash)
    o = o.assign(drawn=support_drawn(o))
    money = o.groupby(["kind", org_year])[["surplus", "income", "drawn"]].sum()
    h = money.loc["hospital"]
    last = o[o.month == o.month.max()]
    ends = p.groupby(year).tail(1)
    people = ends.population.to_numpy() / 1000
    return {
        "growth": (admissions[GROWTH_YEARS] / admissions[0]) ** (1 / GROWTH_YEARS) - 1,
        "growth_ten": (admissions[-1] / admissions[0]) ** (1 / (len(admissions) - 1)) - 1,
        "yearly_growth": admissions[1:] / admissions[:-1] - 1,
        "result_share": {k: ((money.loc[k].surplus - money.loc[k].drawn) / (money.loc[k].income - money.loc[k].drawn))
                         .to_numpy() for k in KINDS},
        "hospital_share_supported": (h.surplus / (h.income - h.drawn)).to_numpy(),
        "hospital_support": h.drawn.to_numpy(),
        "reserves": {k: float(last[last.kind == k].reserves.sum()) for k in KINDS},
        "hospital_reserves": last[last.kind == "hospital"].reserves.to_numpy(),
        "occupancy": p.groupby(year).bed_occupancy.mean().to_numpy(),
        "occupancy_peak": float(p.bed_occupancy.max()),
        # January to March of each year (months 10-12, 22-24, ...): docs/calibration.md's winter comparison
        "winter_beds_free": 1 - p[(p.month - 1) % 12 >= 9].groupby(year).bed_occupancy.mean().to_numpy(),
        "first_month_above_one": int(np.argmax(p.bed_occupancy.to_numpy() > 1)) + 1 if (p.bed_occupancy > 1).any() else 0,
        # months 61 to 119: month 120's row already holds the beds planned at the last year end, for a year not run
        "beds": (int(p.beds.iloc[0]), int(p.beds.iloc[60:-1].min()), int(p.beds.iloc[60:-1].max())),
        "delayed_days_a_month": p.groupby(year).delayed_transfer_days.mean().to_numpy(),
        "escalation": np.asarray(escalation).reshape(-1, 12).sum(axis=1),
        "escalation_share": np.asarray(escalation).reshape(-1, 12).sum(axis=1)
                            / o[o.kind == "hospital"].groupby(org_year).spending.sum().to_numpy(),
        "packages_per_1000": (p.groupby(year).social_care_packages.mean() / p.groupby(year).population.mean()
                              * 1000).to_numpy(),
        "waiting_list_per_1000": ends.waiting_list.to_numpy() / people,
        # people leaving hospital needing council care they did not have, and the delayed days per such person
        "care_needed_per_1000": (p.groupby(year).care_needed_on_discharge.sum() / p.groupby(year).population.mean()
                                 * 1000).to_numpy(),
        "delay_per_person_needing_care": (p.groupby(year).delayed_transfer_days.sum()
                                          / p.groupby(year).care_needed_on_discharge.sum().clip(lower=1)).to_numpy(),
        # people assessed by their council on leaving hospital (England's requests by that route), and the
        # delayed days a month per 1,000 people (England's attributable to social care)
        "assessed_per_1000": (p.groupby(year).assessed_on_discharge.sum() / p.groupby(year).population.mean()
                              * 1000).to_numpy(),
        "delayed_days_per_1000": (p.groupby(year).delayed_transfer_days.mean() / p.groupby(year).population.mean()
                                  * 1000).to_numpy(),
        # intermediate care's people (taken out of a bed waiting for a package, of them reabled below the
        # eligibility, assessed at home) and packages ended at a review, per 1,000 a year
        "care_flows_per_1000": np.asarray(tallies) / (p.groupby(year).population.mean().to_numpy()[:len(tallies), None]
                                                      / 1000),
    }


def pct(a) -> str:
    return " | ".join(f"{round(v, 3) + 0.0:.1%}".replace("-", "−") for v in a)  # + 0.0: no "−0.0%"


def report(runs: dict[int, dict]) -> str:
    rs = list(runs.values())
    mean = lambda key: np.mean([r[key] for r in rs], axis=0)  # noqa: E731
    lines = [f"seeds {', '.join(map(str, runs))}; means over the seeds unless a seed is named", ""]
    lines.append(f"emergency admissions' growth, years 1 to {GROWTH_YEARS + 1}: {mean('growth'):.2%} a year "
                 f"({', '.join(f'{r['growth']:.2%}' for r in rs)}); year on year {pct(mean('yearly_growth'))}; "
                 f"over ten years {', '.join(f'{r['growth_ten']:.1%}' for r in rs)} a year")
    lines += ["", "result as a share of income (national support, financing, not in either), by year:", "| year | " + " | ".join(str(i + 1) for i in range(10)) + " |",
              "|---|" + "---|" * 10]
    for k in KINDS:
        lines.append(f"| {k} | {pct(np.mean([r['result_share'][k] for r in rs], axis=0))} |")
    lines.append(f"| hospitals, with national support | {pct(mean('hospital_share_supported'))} |")
    lines += ["", "national support to the hospitals, £m by year: " + ", ".join(f"{v / 1e6:.1f}" for v in mean("hospital_support"))
              + "; over the run, by seed: " + ", ".join(f"{r['hospital_support'].sum() / 1e6:.1f}" for r in rs)]
    lines += ["", "reserves at the end, £m: " + ", ".join(
        f"{k} {np.mean([r['reserves'][k] for r in rs]) / 1e6:+.1f}" for k in KINDS),
        "each hospital's, £m, by seed: " + "; ".join(
        ", ".join(f"{v / 1e6:+.1f}" for v in r["hospital_reserves"]) for r in rs), ""]
    for seed, r in runs.items():
        lines.append(f"seed {seed}: bed occupancy by year {', '.join(f'{v:.2f}' for v in r['occupancy'])}; "
                     f"monthly peak {r['occupancy_peak']:.2f}, first above 1 in month {r['first_month_above_one']}; "
                     f"beds {r['beds'][0]} at the start, {r['beds'][1]}-{r['beds'][2]} after year 5")
    lines.append("beds free from January to March, by year: " + ", ".join(f"{v:.1%}" for v in mean("winter_beds_free")))
    lines += ["", "delayed transfer days a month, by year: " + ", ".join(f"{v:,.0f}" for v in mean("delayed_days_a_month")),
              "escalation wards, £m by year (the hospitals together): " + ", ".join(f"{v / 1e6:.2f}" for v in mean("escalation")),
              "escalation's share of the hospitals' spending in year 10, by seed: " + ", ".join(
                  f"{r['escalation_share'][-1]:.1%}" for r in rs),
              "social care packages per 1,000, by year: " + ", ".join(f"{v:.1f}" for v in mean("packages_per_1000")),
              "waiting list per 1,000 at each year end: " + ", ".join(f"{v:.0f}" for v in mean("waiting_list_per_1000")),
              "people leaving hospital needing council care they did not have, per 1,000 a year, by year: "
              + ", ".join(f"{v:.2f}" for v in mean("care_needed_per_1000")),
              "delayed days per such person, by year: " + ", ".join(f"{v:.0f}" for v in mean("delay_per_person_needing_care")),
              "people assessed by their council on leaving hospital, per 1,000 a year, by year: "
              + ", ".join(f"{v:.2f}" for v in mean("assessed_per_1000")),
              "delayed transfer days a month per 1,000 people, by year: "
              + ", ".join(f"{v:.2f}" for v in mean("delayed_days_per_1000"))]
    flows = mean("care_flows_per_1000")
    for i, what in enumerate(("taken into intermediate care out of a bed", "of them reabled below the eligibility",
                              "assessed at home (discharge to assess)", "packages ended at a review")):
        if flows[:, i].any():
            lines.append(f"{what}, per 1,000 a year, by year: " + ", ".join(f"{v:.2f}" for v in flows[:, i]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a change to the default scenario, as `lhe run --set` takes it (repeatable)")
    args = ap.parse_args(argv)
    from model.overrides import command_line_changes

    changes = command_line_changes(args.set).values
    start = time.perf_counter()
    runs = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for seed, r in zip(args.seeds, pool.map(measure, args.seeds, [changes] * len(args.seeds)), strict=True):
            runs[seed] = r
            print(f"seed {seed} done ({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
    print(report(runs))


if __name__ == "__main__":
    main()
