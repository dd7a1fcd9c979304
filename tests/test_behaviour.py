"""Behaviour with all else equal: each effect must come out of a mechanism.

Runs are paired on the same seeds (common random numbers) and averaged over
several seeds, so a difference is the behaviour's, not chance's. The mechanisms
here are those of the levers themselves (programmes, social care, a hospital's
activity), so the levers are held where each strategy's bundle puts them
(``decisions.enabled`` false); how incentives move the levers is tested in
tests/test_incentives.py.
"""

import numpy as np
import pytest

from model import LocalHealthEconomy, load_scenario

SEEDS = (1, 2, 3)
# cutting social care money: how much the delays rise varies widely between seeds (8% to 138%), so judged over more
CUT_SEEDS = range(1, 13)


def _place(changes: dict, seed: int, size: int = 40_000, steps: int = 72):
    s = load_scenario().with_changes({"population.size": size, "run.steps": steps, "decisions.enabled": False, **changes})
    return LocalHealthEconomy(s, rng=seed).run().place_table()


@pytest.fixture(scope="module")
def gp_runs():
    n = len(load_scenario().gp_federations)
    fortress = {f"gp_federations.{i}.strategy": "fortress" for i in range(n)}
    collaborative = {f"gp_federations.{i}.strategy": "collaborative" for i in range(n)}
    return [(_place(fortress, s), _place(collaborative, s)) for s in SEEDS]


def _yearly(df, col, year):
    return df[col].iloc[12 * year : 12 * year + 12].mean()


@pytest.mark.slow
def test_collaborative_gps_lower_admissions_of_people_with_two_or_more_conditions_after_the_lag(gp_runs):
    """Proactive case management pays after the lag (seed 004: three to five years)."""
    col = "emergency_admissions_2plus_ltc_per_1000"
    late = [_yearly(c, col, 5) - _yearly(f, col, 5) for f, c in gp_runs]
    assert all(d < 0 for d in late), late
    assert np.mean(late) < -0.05 * np.mean([_yearly(f, col, 5) for f, _ in gp_runs])


@pytest.mark.slow
def test_collaborative_gps_dip_before_the_benefits(gp_runs):
    """Clinical time moved to proactive care first raises A&E use and admissions (seed 001: a dip before
    the benefits): the time is taken as the team is recruited, the benefit comes as it embeds."""
    more_ae = [c["ae_attendances"].iloc[:24].sum() - f["ae_attendances"].iloc[:24].sum() for f, c in gp_runs]
    assert all(d > 0 for d in more_ae), more_ae
    col = "emergency_admissions_2plus_ltc_per_1000"
    first = [_yearly(c, col, 0) - _yearly(f, col, 0) for f, c in gp_runs]
    assert np.mean(first) > 0, first


@pytest.fixture(scope="module")
def social_care_cut():
    steps = 48
    return [(_place({"money.council_grant_growth": 0.0}, s, steps=steps),
             _place({"money.council_grant_growth": -0.10}, s, steps=steps)) for s in CUT_SEEDS]


@pytest.mark.slow
def test_cutting_social_care_money_raises_delayed_transfers(social_care_cut):
    """In every seed, and by more than a quarter over them all: over seeds 1-12 the delays after the first
    year rise 57% together, by seed from 8% (seed 9) to 138% (seed 3). Seeds 1-3 alone rise 70%, seeds 4-9
    43%, so a rise of half, which this test once asked of seeds 1-3, is not the mechanism's but the seeds'.
    Where it is small, a council that rations to the residents eligible when it plans, whatever its money
    (docs/calibration.md, Known gaps), leaves people waiting with its grant kept: in seeds 8 and 9 the cut
    adds 16% and 8% to 6,194 and 7,122 days, and with the councils funding what they afford
    (``social_care.packages_as_afforded``) it adds 113% and 232% to 2,526 and 2,085."""
    kept = [k["delayed_transfer_days"].iloc[12:].sum() for k, _ in social_care_cut]
    cut = [c["delayed_transfer_days"].iloc[12:].sum() for _, c in social_care_cut]
    assert all(c > k for k, c in zip(kept, cut, strict=True)), (kept, cut)
    assert sum(cut) > 1.25 * sum(kept), (kept, cut)


@pytest.mark.slow
def test_a_delay_starts_only_for_someone_leaving_hospital_who_needs_care_they_did_not_have(social_care_cut):
    """The people delayed rise in a month by no more than that month's people leaving hospital who need council
    care they did not have (``care_needed_on_discharge``, the flow docs/calibration.md compares with England's)."""
    for run in (r for pair in social_care_cut for r in pair):
        rise = run["delayed_transfers"].diff().fillna(run["delayed_transfers"])
        need = run["care_needed_on_discharge"]
        assert rise.max() > 0 and need.sum() > 0
        assert (rise <= need).all(), run.loc[rise > need, ["month", "delayed_transfers", "care_needed_on_discharge"]]


@pytest.mark.slow
def test_cutting_social_care_money_raises_unmet_need(social_care_cut):
    for kept, cut in social_care_cut:
        assert cut["unmet_social_care_need"].iloc[12:].mean() > kept["unmet_social_care_need"].iloc[12:].mean()


@pytest.mark.slow
def test_cutting_social_care_money_raises_emergency_admissions(social_care_cut):
    """Fewer packages: more people at home with unmet need, and more discharged without care, come back."""
    for kept, cut in social_care_cut:
        assert cut["emergency_readmissions"].iloc[12:].sum() > kept["emergency_readmissions"].iloc[12:].sum()
        assert cut["emergency_admissions"].iloc[12:].sum() > kept["emergency_admissions"].iloc[12:].sum()


@pytest.mark.slow
def test_fortress_hospital_under_pbr_ends_better_off_and_commissioner_worse_off():
    """Under PbR the fortress grows electives and admits at the margin; the commissioner pays for both,
    while the collaborative hospital pays for outreach and supported discharge and loses activity."""
    results = []
    for seed in SEEDS:
        ends = {}
        for strategy in ("fortress", "collaborative"):
            s = load_scenario().with_changes({"population.size": 40_000, "run.steps": 60, "decisions.enabled": False,
                                              "hospitals.0.strategy": strategy,
                                              "commissioners.0.strategy": "collaborative"})
            m = LocalHealthEconomy(s, rng=seed).run()
            # its own result: reserves less any national support it drew in distress or administration
            ends[strategy] = (m.hospitals[0].reserves - m.hospitals[0].national_support, sum(c.reserves for c in m.commissioners))
        results.append(ends)
    assert all(r["fortress"][0] > r["collaborative"][0] for r in results)
    assert all(r["fortress"][1] < r["collaborative"][1] for r in results)
