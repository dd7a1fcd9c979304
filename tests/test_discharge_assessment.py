"""Assessment on leaving hospital (model.delivery, docs/ODD.md 7.3 step 8): people leaving an emergency
stay without a care package, frail enough, are assessed by their council before they go, and wait
``social_care.discharge_assessment_days`` in their bed for it."""

import numpy as np
import pytest
from lhe_runs import journal_model

from model.population import MONTH_DAYS

SIZE, SEED = 10_000, 5


def stepped(changes: dict, steps: int):
    return journal_model(changes, steps, size=SIZE, seed=SEED)


def test_at_zero_days_the_assessment_changes_nothing_but_its_count():
    """Zero in, nothing out: at 0 days, assessing people from frailty 0.347 (the baseline) or almost none
    (1.0, the schema's top, which only frailty at its cap reaches) gives the same run to the bit, bar the
    count of the assessed."""
    runs = {thr: stepped({"social_care.discharge_assessment_frailty": thr, "social_care.discharge_assessment_days": 0.0}, 24)
            for thr in (0.347, 1.0)}
    a, b = (runs[thr].place_table() for thr in (0.347, 1.0))
    assert a["assessed_on_discharge"].sum() > 100 * b["assessed_on_discharge"].sum()
    assert a.drop(columns="assessed_on_discharge").equals(b.drop(columns="assessed_on_discharge"))
    assert runs[0.347].organisation_table().equals(runs[1.0].organisation_table())


def test_the_first_months_extra_delayed_days_are_the_days_times_those_who_waited():
    """In the first month nothing has yet responded: the same people are admitted and placed, and the
    delayed bed days grow by the assessment's days for each person who waited and left; each of them
    gains that share of a delayed month's frailty (health.delayed_deconditioning), no one else."""
    base, slow = (stepped({"social_care.discharge_assessment_days": days}, 1) for days in (0.0, 4.0))
    waited = slow.delivery.waited_for_assessment
    assert waited.size >= 3 and base.delivery.waited_for_assessment.size == 0
    extra = slow.report["delayed_transfer_days"] - base.report["delayed_transfer_days"]
    assert extra == pytest.approx(4.0 * waited.size)
    # counted too as the councils' delays (the harm partners measure) and the commissioners' populations'
    assert slow.delivery.tally.delayed_days.sum() - base.delivery.tally.delayed_days.sum() == pytest.approx(4.0 * waited.size)
    assert slow.delivery.year_counts[:, 1].sum() - base.delivery.year_counts[:, 1].sum() == pytest.approx(4.0 * waited.size)
    gain = slow.params.health.delayed_deconditioning * 4.0 / MONTH_DAYS
    pop_s, pop_b = slow.population, base.population
    alive = pop_s.alive & pop_b.alive
    diff = pop_s.frailty.astype(float) - pop_b.frailty.astype(float)
    at = waited[alive[waited] & (pop_b.frailty[waited] < 1.0 - gain)]
    assert diff[at] == pytest.approx(gain, rel=1e-3)
    others = np.setdiff1d(np.flatnonzero(alive), waited)
    assert np.all(diff[others] == 0.0)


def test_a_longer_assessment_keeps_more_people_in_beds_and_costs_more_health():
    """Over two years, with everything responding, seeds 1-6: more days of assessment give more delayed
    transfer days, more bed days and more QALYs lost to delays, in order on the mean over the seeds, and
    six days more than none in every seed. Two days against none is small beside a seed's own waits for a
    package once decisions diverge: over seeds 1-6 and 1001-1006 it is in order in eleven, and in seed 1005
    (1,841 delayed days at none, 1,496 at two days) not, which is how this test, once run on seed 5 alone,
    failed there."""
    seeds = range(1, 7)
    days = (0.0, 2.0, 6.0)
    tables = [[journal_model({"social_care.discharge_assessment_days": d}, 24, size=SIZE, seed=seed).place_table()
               for d in days] for seed in seeds]
    for column in ("delayed_transfer_days", "bed_days", "qalys_lost_delays"):
        totals = np.array([[t[column].sum() for t in by_seed] for by_seed in tables])  # seed x days
        assert all(row[0] < row[2] for row in totals), (column, totals)
        mean = totals.mean(axis=0)
        assert mean[0] < mean[1] < mean[2], (column, mean)
