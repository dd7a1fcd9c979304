"""Pattern (MODEL.md section 9; seed 002, the fortress mentality): everyone a fortress under PbR.

What the fortress objective does, all else equal: the all-fortress place against the same place
where every organisation weighs the others' results and the place's health (collaborative), with the
same starting levers and the same policies, so the strategies differ only in their objective
(pattern_settings.objective_only). Over 12 paired seeds, under both headroom conventions, the
fortress place has more emergency admissions, more delayed transfers of care and a lower net
monetary benefit; its commissioners end worse off (hospitals pull in activity the commissioners pay
for) and its GP federations better off (referrals shed onto the commissioners' contracts free their
time). Ablation: with decisions frozen the objective never reaches a lever, and the two places are
the same to the penny.

The delayed transfers (seed 002: "admissions and delayed discharges rise") follow the admissions:
each frail person admitted who is fit to leave but has no care package waits in a bed. Small beside
the seeds' spread, the claim is judged over 36 seeds (pattern_settings.WIDE_SEEDS): +1,309 bed days
over ten years (31 of 36 seeds) with the headroom spent, +1,162 (31 of 36) banked. Measured with
unmet social care need valued at the 0.05 once assumed (not since), seeds 1-6, one kind at a time given the collaborative objective in the fortress place: its hospitals take 548 days
off (seeds 1-3, year ends: an admission threshold of 1.05 against 1.19 and outreach at 0.31 against
0.13, early supported discharge about the same), its GP federations 662, its commissioners 140, and
its councils add 345 (a collaborative council tightens eligibility more: 0.016 frailty points added
to its threshold against 0.002; both, balancing their books, hold prevention at the lever's floor).

Not asserted: that the fortress place's hospitals end better off. With the same starting levers and
policies on both sides they end about even (+£15k over ten years with the headroom spent, -£2k
banked, better in 6 of 12 seeds each).

Not asserted: that the fortress place's councils end worse off. Commissioners push continuing
healthcare onto them, but with their duty to meet eligible need counted
(``decisions.care_duty_weight``) a council saves little by rationing care under either objective,
and its result differs little: +£41k over ten years on the collaborative side, in 9 and 10 of 12
seeds (short of the 1% test); over 36 seeds, in 25 of 36 with the headroom spent (short of three in
four) and 27 of 36 banked. Without the duty it was +£2.5m, in 12 of 12 (with unmet need at 0.05).
"""

import numpy as np
import pytest
from pattern_settings import (
    CONVENTIONS,
    FORTRESS_PLACE,
    FROZEN,
    WIDE_SEEDS,
    holds,
    objective_only,
    paired,
    total,
)

pytestmark = pytest.mark.slow


def places(convention: dict, extra: dict | None = None):
    base = {**convention, **(extra or {})}
    return (FORTRESS_PLACE, base), (FORTRESS_PLACE, {**base, **dict(objective_only(FORTRESS_PLACE))})


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_fortresses_admit_more_delay_more_discharges_and_the_place_loses_net_benefit(convention):
    fortress, collaborative = places(CONVENTIONS[convention])
    assert holds(paired(fortress, collaborative, total("emergency_admissions")))
    assert holds(paired(fortress, collaborative, total("delayed_transfer_days"), seeds=WIDE_SEEDS))
    assert holds(paired(collaborative, fortress, total("net_monetary_benefit")))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_commissioners_pay_for_the_fortresses_and_gp_federations_gain(convention):
    fortress, collaborative = places(CONVENTIONS[convention])
    assert holds(paired(collaborative, fortress, total("commissioner")))
    assert holds(paired(fortress, collaborative, total("gp_federation")))


def test_ablation_with_decisions_frozen_the_objective_changes_nothing():
    fortress, collaborative = places(CONVENTIONS["headroom spent"], FROZEN)
    for measure in ("emergency_admissions", "delayed_transfer_days", "net_monetary_benefit", "commissioner", "council", "gp_federation"):
        assert np.all(paired(fortress, collaborative, total(measure), seeds=range(1, 4)) == 0), measure
