"""Pattern (MODEL.md section 9; seed 002, the fortress mentality): everyone a fortress under PbR.

What the fortress objective does, all else equal: the all-fortress place against the same place
where every organisation weighs the others' results and the place's health (collaborative), with the
same starting levers and the same policies, so the strategies differ only in their objective
(pattern_settings.objective_only). Over 12 paired seeds, under both headroom conventions, the
fortress place has more emergency admissions, more delayed transfers of care and a lower net
monetary benefit; its hospitals end better off and its commissioners worse off (hospitals pull in
activity the commissioners pay for). Ablation: with decisions frozen the objective never reaches a
lever, and the two places are the same to the penny.

The delayed transfers (seed 002: "admissions and delayed discharges rise") follow the admissions:
each frail person admitted who is fit to leave but has no care package waits in a bed. Small beside
the seeds' spread, the claim is judged over 36 seeds (pattern_settings.WIDE_SEEDS): +550 bed days
over ten years (25 of 36 seeds, p = 0.002) with the headroom spent, short of three seeds in four (a
strict xfail), and +602 (28 of 36, p = 0.0004) banked, holding; higher on the mean under both
conventions (tested). They were +610 (25 of 36) and +569 (26 of 36), short under both, while a rescued
year's national support counted in the rescued hospital's result (docs/ODD.md 7.28), and +874 (24 of
36) and +960 (30 of 36) before the forecasts came to count
electives against what there is to do, a council's programmes budgeted in full before its packages,
readmissions, strain and a case-managed patient's slower progression (docs/ODD.md 7.30; on seeds
1001-1036 then +766 and +631), and +1,309 (31 of 36) and +1,162
(31 of 36) while the forecasts gave a delayed day a variable cost the hospitals never pay (model.delivery
books variable costs with spells, not with delayed days) and priced other things as the simulation
does not (tests/test_forecasts_follow_the_model.py): the collaborative side valued a day's delay more
and kept fewer. Measured with
unmet social care need valued at the 0.05 once assumed (not since), seeds 1-6, one kind at a time given the collaborative objective in the fortress place: its hospitals take 548 days
off (seeds 1-3, year ends: an admission threshold of 1.05 against 1.19 and outreach at 0.31 against
0.13, early supported discharge about the same), its GP federations 662, its commissioners 140, and
its councils add 345 (a collaborative council tightens eligibility more: 0.016 frailty points added
to its threshold against 0.002; both, balancing their books, hold prevention at the lever's floor).
Measured by hand since (36 seeds; docs/patterns.md section 1): with hospitals' admission threshold held where it
starts in both places (``decisions.held_levers``) the extra delays fall to +236 (spent) and +402 (banked) with the
extra admissions (about 200 against 1,180); holding any one of six other levers instead, they rise to +500 to
+1,280 and hold under both conventions: what keeps them short is the spread the other levers' choices add.
On other seeds, with the levers free (make pattern-replication, docs/pattern-replication.md), the claim holds
under both conventions on 1001-1036 (30 and 29 of 36) and on 2001-2036 (33 and 31): over the 108 seeds together
81% and 79% of seeds have the claimed sign, so seeds 1-36 are the unlucky set of the three.

The fortress place's hospitals end better off (seed 002: "an acute provider that improves its financial
performance by increasing activity"): +£841k over ten years with the headroom spent, +£855k banked, better
in 11 of 12 seeds each (35 of 36 over seeds 1-36). This came out only once a rescued year's national
support was left out of the hospital's result (docs/ODD.md 7.28): counted as income, the distress finance
and write-offs, which go to whichever hospital is deeper in deficit, hid it (-£60k and -£61k, better in 2
of 12 seeds; -£49k and -£51k, 3 and 2 of 12, before the forecasts' latest corrections).

Not asserted (no longer): that the fortress place's GP federations end better off. They did (+£34k
over ten years, 12 of 12) while the forecasts left out that the A&E attendances which unmet routine
demand brings are admitted as any others are: the collaborative federations, weighing the place, put
time into case management (about 0.02 to 0.07 of their capacity) and lost quality pay. Counting those
admissions, case management at the margin brings more admissions through the routine contacts it takes
than it avoids, so the collaborative federations hold it near nothing and end better off (-£4.7k for the
fortress side, 0 of 12), though the fortress federations still shed referrals (about 0.05 against 0).
The papers' fortress pattern names the commissioners' and councils' results, not the GP federations'
(MODEL.md section 9).

Not asserted: that the fortress place's councils end worse off. Commissioners push continuing
healthcare onto them, but with their duty to meet eligible need counted
(``decisions.care_duty_weight``) a council saves little by rationing care under either objective,
and its result differs little: worse in the fortress place in 9 and 8 of 12 seeds with the headroom
spent and banked, yet £16k and £19k better off there on the mean over ten years (docs/patterns.md; measured before,
+£61k on the collaborative side in 9 of 12; +£41k, in 9 and 10 of 12, before the forecasts' corrections, and over 36 seeds then in 25 and 27 of
36, short of three in four). Without the duty it was +£2.5m, in 12 of 12 (with unmet need at 0.05).
"""

import numpy as np
import pytest
from pattern_settings import (
    CONVENTIONS,
    FORTRESS_PLACE,
    FROZEN,
    WIDE_SEEDS,
    conventions_short,
    holds,
    objective_only,
    on_the_mean,
    paired,
    total,
)

pytestmark = pytest.mark.slow


def places(convention: dict, extra: dict | None = None):
    base = {**convention, **(extra or {})}
    return (FORTRESS_PLACE, base), (FORTRESS_PLACE, {**base, **dict(objective_only(FORTRESS_PLACE))})


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_fortresses_admit_more_and_the_place_loses_net_benefit(convention):
    """The net benefit lost is judged on the net monetary benefit and on the net health benefit (the place's money
    as the health it would buy at the NHS's margin, every pound alike; model.health), which the headroom convention
    hardly moves: over seeds 1-36, +£2.66m and +£2.11m of NMB with the headroom spent and banked, +118 and +111
    QALYs of NHB (35 of 36 seeds each)."""
    fortress, collaborative = places(CONVENTIONS[convention])
    assert holds(paired(fortress, collaborative, total("emergency_admissions")))
    assert holds(paired(collaborative, fortress, total("net_monetary_benefit")))
    assert holds(paired(collaborative, fortress, total("net_health_benefit")))


DELAYS_SHORT = (
    "the fortress place's delayed transfers are higher on the mean (by signed rank) but in fewer than three seeds in "
    "four: +609 bed days over ten years with the headroom spent, in 24 of 36 seeds; banked +598, 25 of 36. Before "
    "community services gave health of their own and a cut below the start harmed more with each further unit cut "
    "(docs/ODD.md 7.5): +550 (25 of 36) and +602 (28 of 36, holding). While a rescued year's national support counted in the hospital's result (docs/ODD.md 7.28): +610 "
    "(25 of 36) and +569 (26 of 36). Before the forecasts came to count electives against what there is to do, a council's "
    "programmes budgeted in full before its packages, and the rest (docs/ODD.md 7.30): +874 (24 of 36) and +960 (30 of "
    "36, holding); before they stopped giving a delayed day a variable cost the hospitals never pay: +1,309 (31 of 36)")


@pytest.mark.parametrize("convention", conventions_short(DELAYS_SHORT, "headroom spent", "headroom banked"))
def test_fortresses_delay_more_discharges(convention):
    fortress, collaborative = places(CONVENTIONS[convention])
    assert holds(paired(fortress, collaborative, total("delayed_transfer_days"), seeds=WIDE_SEEDS))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_fortresses_delay_more_discharges_on_the_mean(convention):
    """What holds of the claim above, under both conventions: higher on the mean, by the signed-rank test."""
    fortress, collaborative = places(CONVENTIONS[convention])
    assert on_the_mean(paired(fortress, collaborative, total("delayed_transfer_days"), seeds=WIDE_SEEDS))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_commissioners_pay_for_the_fortresses(convention):
    fortress, collaborative = places(CONVENTIONS[convention])
    assert holds(paired(collaborative, fortress, total("commissioner")))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_fortress_hospitals_end_better_off(convention):
    """Their own results over ten years, national support left out (the ablation: decisions frozen, below)."""
    fortress, collaborative = places(CONVENTIONS[convention])
    assert holds(paired(fortress, collaborative, total("hospital")))


def test_ablation_with_decisions_frozen_the_objective_changes_nothing():
    fortress, collaborative = places(CONVENTIONS["headroom spent"], FROZEN)
    for measure in ("emergency_admissions", "delayed_transfer_days", "net_monetary_benefit", "net_health_benefit",
                    "commissioner", "council", "gp_federation", "hospital"):
        assert np.all(paired(fortress, collaborative, total(measure), seeds=range(1, 4)) == 0), measure
