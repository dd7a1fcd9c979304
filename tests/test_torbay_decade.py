"""Torbay set as seed 003 describes it (scenarios/torbay-2000s.toml): its arrangements with the money of
the 2000s, held against what the seed reports of them, each claim beside the variant that takes its
mechanism away.

Seed 003 reports that Torbay's delayed transfers of care became negligible and that its daily occupied
beds fell by a third (750 in 1998/9 to 502 in 2009/10). The model gives the first in its decade and not on
2015's money (the `torbay` scenario); it gives a sixth to three tenths fewer occupied beds only against the
same place run by fortresses without the pool, not as a fall over the years (docs/scenarios.md,
torbay-2000s).

Measured over seeds 1-12 (the full place, ten years): delays over the run 0.07 to 0.49 days a month per
1,000 in the case and 0.97 to 1.94 on 2015's money (England's social-care delays in September 2015: 0.83);
without the pool more delays in 11 of 12 seeds and more unmet need in 12; with the council a fortress more
of both in 12; with everyone a fortress and no pool 288 occupied beds a day in the tenth year against 217,
more in 12 of 12, and more emergency admissions in 12. The tests run seeds 1-6; on seeds 1001-1006 every
claim holds too (the case's delays 0.08 to 0.39, on 2015's money 1.01 to 2.11; the case's tenth-year
beds 0.23 to 0.32 fewer than the fortress place's).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from test_calibration import england_delayed_days_per_1000_a_month

from model import LocalHealthEconomy, load_scenario

SEEDS = range(1, 7)
NO_POOL = {"contracting.pooled_budgets": [], "contracting.terms": {}}
CASE = load_scenario("torbay-2000s")
# every organisation the case names, each by its place in its list
EVERYONE_FORTRESS = {f"{kind}.{i}.strategy": "fortress" for kind in ("commissioners", "councils", "hospitals", "gp_federations")
                     for i in range(len(getattr(CASE, kind)))}
VARIANTS = {
    "the case": ("torbay-2000s", {}),
    "2015's money": ("torbay", {}),  # the money's ablation: the same arrangements on the scenarios' clock
    "no pool": ("torbay-2000s", NO_POOL),
    "council a fortress": ("torbay-2000s", {"councils.0.strategy": "fortress"}),
    "everyone a fortress, no pool": ("torbay-2000s", {**NO_POOL, **EVERYONE_FORTRESS}),
}

pytestmark = pytest.mark.slow


@functools.cache
def outcomes(variant: str, seed: int) -> dict[str, float]:
    scenario, changes = VARIANTS[variant]
    m = LocalHealthEconomy(load_scenario(scenario).with_changes(changes), rng=seed).run()
    p = m.place_table()
    last = p[p.month > p.month.max() - 12]
    return {
        "delayed_per_1000_a_month": float(p.delayed_transfer_days.mean() / p.population.mean() * 1000),
        "delayed_days": float(p.delayed_transfer_days.sum()),
        "unmet_need": float(p.unmet_social_care_need.sum()),  # person-months
        "occupied_beds_last_year": float(last.bed_days.sum() / 365),
        "admissions_last_year": float(last.emergency_admissions.sum()),
    }


def higher(variant: str, measure: str) -> list[float]:
    """``measure`` in ``variant`` less in the case, seed by seed."""
    return [outcomes(variant, s)[measure] - outcomes("the case", s)[measure] for s in SEEDS]


def test_set_in_its_decade_torbays_delays_stay_below_englands_and_not_on_2015s_money():
    """In its decade the council's money keeps pace with the packages its residents need and the pot adds
    the NHS's share, so few wait in a bed: over the run below England's social-care delays of September
    2015 in every seed. The same arrangements on 2015's money (the council's grant falling 2% a year, the
    NHS's growing 1%) ration packages and the delays come as a wave, above England's in every seed."""
    england = england_delayed_days_per_1000_a_month(2015)
    case = [outcomes("the case", s)["delayed_per_1000_a_month"] for s in SEEDS]
    on_2015 = [outcomes("2015's money", s)["delayed_per_1000_a_month"] for s in SEEDS]
    assert all(d < england for d in case), (england, case)
    assert all(d > england for d in on_2015), (england, on_2015)


@pytest.mark.parametrize("ablation", ["no pool", "council a fortress"])
def test_the_pool_and_a_collaborative_council_keep_torbays_delays_and_unmet_need_down(ablation):
    """Without the pooled budget the council has only its own money for care; a fortress council rations
    it to balance its books and keeps no packages for people leaving hospital. Either way more of its
    residents wait in beds over the run and more live with care needs unmet, in all but one seed at most."""
    for measure in ("delayed_days", "unmet_need"):
        more = higher(ablation, measure)
        assert np.mean(more) > 0 and sum(d > 0 for d in more) >= len(more) - 1, (measure, more)


def test_integrated_torbay_uses_fewer_beds_than_the_same_place_run_by_fortresses():
    """Seed 003's third fewer occupied beds, as a difference between places rather than over the years: with
    everyone a fortress and no pool (each organisation starting from its fortress bundle and deciding as a
    fortress: the hospital admits at the margin, the GP federations shed referrals, the council rations to
    balance its books) the place uses more beds in its tenth year and admits more, in every seed, and the
    case's tenth-year beds are a sixth or more below (0.19 to 0.30 over seeds 1-12). Over the years the
    case's occupied beds dip by about a tenth by the third year and come back with demand by the tenth
    (about 214 a day, 195, then 210 to 230; without the demand trend beyond ageing and conditions they stay
    about a tenth below, seeds 1-3), where Torbay's fell by a third."""
    beds = higher("everyone a fortress, no pool", "occupied_beds_last_year")
    admissions = higher("everyone a fortress, no pool", "admissions_last_year")
    assert all(d > 0 for d in beds) and all(d > 0 for d in admissions), (beds, admissions)
    fewer = [1 - outcomes("the case", s)["occupied_beds_last_year"]
             / outcomes("everyone a fortress, no pool", s)["occupied_beds_last_year"] for s in SEEDS]
    assert min(fewer) >= 1 / 6, fewer
