"""Pattern 4, organisation-focused regulation against whole-system regulation: the outcomes where hospitals
are paid by activity (the baseline's mixed place under Payment by Results, every organisation learning).

What is claimed, the figures and the ablations are in test_regulation_pattern.py's docstring, with the
share collaborating, which that file tests. These tests are in a file of their own so that the suite's
workers, which take whole files (``--dist loadfile``), run them beside the share's: the two sets of
tests share no run (the share is measured in ``all-collaborative``, the outcomes in ``baseline``).
"""

import numpy as np
import pytest
from pattern_settings import (
    CONVENTIONS,
    LINE_OUT_OF_REACH,
    PREVENTION_HELD,
    REGULATION_OUTCOME_PLACE,
    WIDE_SEEDS,
    WIDEST_SEEDS,
    conventions_short,
    holds,
    on_the_mean,
    paired,
    regulators,
    total,
)

pytestmark = pytest.mark.slow


def fewer_admissions(r) -> float:
    return -total("emergency_admissions")(r)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_where_hospitals_are_paid_by_activity_the_whole_system_regulator_gives_fewer_emergency_admissions(convention):
    system, organisation = regulators(CONVENTIONS[convention], REGULATION_OUTCOME_PLACE)
    assert holds(paired(system, organisation, fewer_admissions))


# each convention over the seeds that judge it: with the headroom banked the difference went the other way in more
# than a seed in four (over seeds 1-72, 52 of 72 before the forecasts' corrections, 53 of 72 before national support
# left the results), so it is judged over WIDEST_SEEDS (pattern_settings)
NET_BENEFIT_SEEDS = {"headroom spent": WIDE_SEEDS, "headroom banked": WIDEST_SEEDS}


NET_BENEFIT_BANKED_SHORT = (
    "with the headroom banked the whole-system regulator's net monetary benefit is no higher over seeds 1-72: "
    "-£0.05m over ten years, higher in 41 of 72 (signed-rank p = 0.43); with it spent +£0.84m, 30 of 36 (holds). It "
    "held banked, +£0.73m, 66 of 72, until community services gave health of their own and a cut below the start "
    "harmed more with each further unit cut (docs/ODD.md 7.5). What it rests on (36 seeds, banked): judged on the "
    "place's money and health as its organisations forecast them over their three-year horizon, the whole-system "
    "regulator has councils cut prevention (0.21 to 0.32 below the organisation-focused regulator's places in the "
    "first three years) and GP federations case management, whose health comes as conditions avoided for years "
    "beyond the horizon: by year 10 the share of people with two or more conditions is 0.45 points higher and the "
    "year's QALYs 13.6 lower. With councils' prevention held where it starts the net benefit holds (the next test); "
    "with community services held it does not (+£0.08m, 19 of 36); with a five-year horizon +£0.40m, 25 of 36. The net "
    "health benefit, every pound priced alike, is higher on the mean over the same seeds (+24.1 QALYs, p = 0.0003; "
    "tested below)")


@pytest.mark.parametrize("convention", conventions_short(NET_BENEFIT_BANKED_SHORT, "headroom banked"))
def test_where_hospitals_are_paid_by_activity_the_whole_system_regulator_gives_the_higher_net_benefit(convention):
    """The difference is small beside the seeds' spread. The ablation that makes it go is the regulators'
    judgement taken out (test_regulation_pattern.py's last test: the places are the same to the penny)."""
    system, organisation = regulators(CONVENTIONS[convention], REGULATION_OUTCOME_PLACE)
    assert holds(paired(system, organisation, total("net_monetary_benefit"), seeds=NET_BENEFIT_SEEDS[convention]))


@pytest.mark.xfail(strict=True, reason=NET_BENEFIT_BANKED_SHORT)
def test_with_the_headroom_banked_the_whole_system_regulators_net_benefit_is_higher_on_the_mean():
    """With the headroom banked, over WIDEST_SEEDS: higher on the mean, by the signed-rank test. It held (about
    +£0.73m over ten years, lower in 6 of 72 seeds; in 19 of 72 while national support counted in the results, when
    only this held) until community services gave health of their own (docs/ODD.md 7.5): a strict xfail."""
    system, organisation = regulators(CONVENTIONS["headroom banked"], REGULATION_OUTCOME_PLACE)
    assert on_the_mean(paired(system, organisation, total("net_monetary_benefit"), seeds=WIDEST_SEEDS))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_the_whole_system_regulators_net_health_benefit_is_higher_on_the_mean_under_both_conventions(convention):
    """Priced alike, every pound as the health it would buy at the NHS's margin (the net health benefit,
    model.health), the whole-system regulator's net benefit no longer rests on where a commissioner's pound goes:
    higher on the mean under both conventions, over the seeds each is judged on (NET_BENEFIT_SEEDS). Measured: +33.6
    QALYs over ten years, higher in 27 of 36 seeds (p = 0.0009) with the headroom spent, where the NMB is +£0.84m, 30
    of 36; +24.1, 53 of 72 (p = 0.0003) banked, where it is -£0.05m, 41 of 72 (p = 0.43; the strict xfails above).
    With the headroom banked the share of seeds is one short of three in four, so what is claimed is the mean. On
    other seeds (make pattern-replication) it holds on 2001-2036 and 2001-2072 (25 of 36, p = 0.003; 53 of 72,
    p = 0.00001) but not on 1001-1036 and 1001-1072 (22 of 36, p = 0.036; 47 of 72, p = 0.017), where the NMB with
    the headroom spent falls short too: small beside the seeds' spread, it is judged on the tests' seeds as every
    claim is. The ablation that makes it go is the regulators' judgement taken out (test_regulation_pattern.py's
    last test: the places are the same to the penny)."""
    system, organisation = regulators(CONVENTIONS[convention], REGULATION_OUTCOME_PLACE)
    assert on_the_mean(paired(system, organisation, total("net_health_benefit"), seeds=NET_BENEFIT_SEEDS[convention]))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_with_councils_prevention_held_where_it_starts_the_whole_system_regulators_net_benefit_is_higher(convention):
    """What the claim above rests on with the headroom banked: with each council's prevention spending held where
    its starting strategy puts it, in both places (``decisions.held_levers``, as a ring-fenced public health grant
    holds it), the whole-system regulator's net benefit is higher under both conventions, over 36 seeds (measured:
    +£0.61m, higher in 31 of 36, banked; +£1.90m, 34 of 36, spent; with GP federations' case management held too,
    +£1.43m and +£2.23m, 35 and 36 of 36). Its ablation is the test above: with prevention free to move, banked, the
    difference is -£0.05m over 72 seeds (a strict xfail); with the regulators' judgement taken out the places are
    the same (test_regulation_pattern.py)."""
    system, organisation = regulators({**CONVENTIONS[convention], **PREVENTION_HELD}, REGULATION_OUTCOME_PLACE)
    assert holds(paired(system, organisation, total("net_monetary_benefit"), seeds=WIDE_SEEDS))


def _admissions_with_and_without_the_line(convention: str) -> tuple[np.ndarray, np.ndarray]:
    system, organisation = regulators(CONVENTIONS[convention], REGULATION_OUTCOME_PLACE)
    with_them = paired(system, organisation, fewer_admissions, seeds=WIDE_SEEDS)
    system, organisation = regulators({**CONVENTIONS[convention], **LINE_OUT_OF_REACH}, REGULATION_OUTCOME_PLACE)
    return with_them, paired(system, organisation, fewer_admissions, seeds=WIDE_SEEDS)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_ablation_with_the_organisation_regulators_line_out_of_reach_most_of_the_difference_in_admissions_goes(convention):
    with_them, without = _admissions_with_and_without_the_line(convention)
    assert without.mean() < 0.5 * with_them.mean()


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_ablation_with_the_organisation_regulators_line_out_of_reach_the_difference_in_admissions_goes(convention):
    _, without = _admissions_with_and_without_the_line(convention)
    assert not holds(without)
