"""Pattern (MODEL.md section 9; seeds 001 and 002): organisation-focused regulation breaks
collaboration that whole-system regulation sustains.

Every organisation starts collaborative and learns (model.adaptive). An organisation-focused
regulator judges each organisation on its own deficit: in decisions each pound of it beyond the
special measures threshold counts again, in learning it weighs against the strategy that led there,
and an organisation past the threshold goes into special measures (new leadership, pushed to fix its
own finances as a fortress). A whole-system regulator judges the place as one against its control
total, its people's health counted with its money (``regulation.system_health_weight``; seed 002:
"metrics that reflect whole-system performance"). Under both headroom conventions, the share of
organisations collaborating in the last two years is higher on the mean under the whole-system regulator, over
36 paired seeds: banked +0.09, higher in 27 of 36, at the criterion's edge; with the headroom spent +0.07, 25 of
36, short of it (a strict xfail) since community services gave health of their own and a cut below the start
harmed more with each further unit cut (docs/ODD.md 7.5), before which it was +0.09, 27 of 36, and +0.08,
27 of 36. It held again once a rescued year's national support left the rescued organisation's
result (docs/ODD.md 7.28): before, +0.04, 24 of 36, and +0.08, 26 of 36 (a strict xfail), and +0.037,
20 of 36, and +0.057, 23 of 36, before the forecasts came to count electives against what there is to
do, a council's programmes budgeted in full, readmissions, strain and the rest (7.30). It was +0.136 (31 of 36) and
+0.114 (33 of 36) until the forecasts were brought into line with the simulation
(tests/test_forecasts_follow_the_model.py: continuing healthcare paid at the share a commissioner
chose, A&E attendances from unmet routine demand admitted as any others, a delayed day without a
variable cost of its own, readmissions priced once). What moved it: under the organisation-focused
regulator the GP federations no longer go into special measures (seeds 1-6, by hand: none at a time in
the last two years, against 2.2 of the ten before). They had put 2% to 12% of their time into case
management and lost quality pay to it until past the line; counting the admissions among the A&E
attendances the routine contacts it takes bring, case management at the margin brings more admissions
than it avoids, and they hold it at 0 to 2%. The
difference is small beside the seeds' spread, and whether it passed has moved with changes elsewhere:
28 of 36 with the headroom spent, one seed above the least allowed, before a hospital's forecast of
elective capacity counted only what there is to do and a month passed between listing and treatment
(docs/ODD.md 7.2, 7.21), then 25 of 36 until a council's forecast of its eligibility counted whom its
own rule would make eligible (7.30), then 26 of 36 (+0.101; a strict xfail) until the forecasts of what
one more on a waiting list costs in health counted the waits of everyone behind them (7.30); on 12 seeds
whether it passed was partly luck (pattern_settings.WIDE_SEEDS). On other seeds (make pattern-replication,
docs/pattern-replication.md) the banked share holds on 1001-1036 (29 of 36) and not on 2001-2036 (22), and the
spent one holds on 1001-1036 (29) and not on 2001-2036 (19): over the 108 seeds together it has the claimed sign
in 72% and 68% of them, short of three in four under both conventions. Ablation: with the regulator's judgement
taken out of decisions and learning and no special measures, the two regulators give the same place
to the penny.

What the share counts is the fortress special measures impose (``regulation.special_measures_fortress``,
an assumption after seed 002). In the last two years about 2.3 more of the place's 17 organisations
are in special measures at a time under the organisation-focused regulator (seeds 1-36; 1.0 while a
rescued year's national support counted in its result, 7.28; 4.1 before the forecasts' corrections,
most of them GP federations whose deficits slid past the line).
Ablation: with special measures imposing no strategy (``pattern_settings.NO_FORTRESS_IMPOSED``: the
same new leadership, what was learned erased and relationships started again, choosing as any
organisation does) the share no longer differs that way: it is lower under the whole-system regulator
(-0.11, higher in 8 of 36 seeds, with the headroom spent; -0.08, 9 of 36, banked; -0.18 and -0.16, 4 of
36 each, before national support left the results). Measured by hand
(not asserted), with new leadership keeping what was learned as well: -0.06 and -0.05 (10 and 12 of
36); with no special measures at all and the line left in decisions and learning: -0.08 and -0.04
(9 and 15 of 36). So that organisations choose collaboration more under a whole-system regulator is
not reproduced: the model's organisations, judged on their own deficits, do not learn the fortress
from the judgement alone. Among those not in special measures the share is about the same under
both (-0.06, 14 of 36, with the headroom spent). docs/patterns.md section 6 measures every claim
without the rule.

Judged on outcomes where hospitals are paid by activity (the baseline's mixed place under Payment by
Results, every organisation learning): emergency admissions are lower under the whole-system
regulator, over 12 paired seeds and under both conventions (seed 002: "an acute provider that
improves its financial performance by increasing activity may add to the pressures facing
commissioners"; "faced with persistent demands from regulators to improve performance" its leaders
turn to the fortress). A hospital judged on its own deficit earns its way out at the margin, with
admissions the tariff pays for, and one past the threshold is put in special measures and run as a
fortress; judged on the place, an admission is a cost to the place. Ablation: with the
organisation-focused regulator's line out of reach (``special_measures_deficit`` 1, a deficit of a
whole year's income: it puts nobody in special measures, and no organisation's decisions or learning
count a pound below it) the difference in admissions goes, over 36 seeds (pattern_settings.WIDE_SEEDS):
+30 and +108 admissions avoided with the headroom spent and banked (higher in 17 and 24 of 36: no longer
by the criterion), against +586 and +624 (36 and 36 of 36) with the line; both tests pass, that it no
longer holds and that most of it goes (below half). (Before national support left the results, docs/ODD.md
7.28: +63 and +138 against +422 and +484.) Until the forecasts were brought into line with the
simulation (above) a residual held (+161 and +138, 29 and 28 of 36; a strict xfail), and before the
forecasts of what one more on a waiting list costs in health counted the waits of everyone behind them
(7.30) it was +110 and +111 against +399 and +432. With both regulators' judgement out (the ablation
below) the places are the same. No one of the three ways the line acts
is needed alone: with special measures taken out and the line left in decisions and learning, or the
line taken out of decisions alone, or out of learning alone, the difference still holds (measured by
hand, not asserted).

Judged on net benefit in the same place (small beside the seeds' spread): the place's net monetary
benefit is higher under the whole-system regulator with the headroom spent (+£0.84m over ten years, 30 of
36 seeds) and not with it banked, judged over 72 seeds (pattern_settings.WIDEST_SEEDS): -£0.05m, 41 of 72
(strict xfails). Until community services gave health of their own and a cut below the start harmed more
with each further unit cut (docs/ODD.md 7.5): +£1.57m, 32 of 36, and +£0.73m, 66 of 72 (33 of 36 over
seeds 1-36). Banked it rests on prevention: judged on the place's money and health as its organisations
forecast them over their three-year horizon, the whole-system regulator has councils cut prevention and GP
federations case management, whose health comes as conditions avoided years later; with councils' prevention
held where it starts in both places (``decisions.held_levers``) it holds under both conventions (+£0.61m, 31 of
36 banked; +£1.90m, 34 of 36 spent; test_regulation_outcomes.py), with community services held instead it does
not (+£0.08m, 19 of 36 banked). The population's own QALYs are lower under the whole-system regulator (-57.6 and
-43.7 over ten years, higher in 3 and 6 of 36 seeds). While a rescued year's national support counted in the rescued organisation's
result (docs/ODD.md 7.28): +£1.01m, 30 of 36, spent, and banked on the mean only, +£0.43m, 53 of 72, one
seed short of three in four (a strict xfail). Banked it held (+£0.65m, 59 of 72) between the forecasts
being first brought into line with the simulation and their latest corrections; before, 52 of 72
(+£0.42m); it moves with each change to the model. Measured by hand in
earlier versions: the population's own QALYs lower under the whole-system regulator (higher in 14 and 12
of 36 seeds), for it judges the place's money, and hospitals judged on it also do fewer electives, so
waits are longer (measured since: -28.5 and -16.1 QALYs over ten years, higher in 5 of 36 seeds each). Partly
like the admissions it rests on the organisation-focused regulator's line: with the line out of reach it
holds with the headroom spent and not banked (+£0.68m, 27 of 36; +£0.31m, 24 of 36; measured, not asserted;
+£0.42m, 26 of 36, and +£0.29m, 22 of 36, while national support counted in the results; +£0.99m, 30 of 36,
and +£0.35m, 27 of 36, before the forecasts' corrections). It goes
with both regulators' judgement taken out (the last test: the places are the same to the penny). It does not rest on valuing unmet
social care need as Longo et al. (2023) do (``net_health.unmet_need_decrement`` 0.27): at the 0.05 once
assumed it holds under both conventions (36 and 29 of 36, docs/patterns.md section 6; before its latest
measure it held with the headroom spent and not banked, +£0.46m, 24 of 36, p = 0.014).

In the all-collaborative place under alliance contracts, where the share differs, outcomes do not: a
hospital paid a block budget has no activity to earn its way out with, and there the net monetary
benefit is about even or a little worse under the whole-system regulator (-£0.58m over ten years with
the headroom spent, better in 5 of 12 seeds; -£0.49m with it banked, 7 of 12), with emergency
admissions a little higher (+57 and +41 over ten years at 10,000 people, in 11 and 10 of 12 seeds):
collaborators judged on a place in deficit cut programmes that cost money before they pay back, while
hospitals in special measures under the other regulator cut activity the block pays for anyway (seeds 1-12, measured by hand).

Before the councils' duty was counted, more councils collaborated under the whole-system
regulator (0.94 of council-years against 0.67, seeds 1-6) and spent less on prevention and withdrew
more NHS money from care; with the councils' levers held where they start the outcomes differed as
little, so the councils were not the cause.

What the share rests on (docs/patterns.md section 6): with councils left out of the
organisation-focused regulator's judgement (``regulation.judged_kinds`` without them: no special
measures for them, no line in their decisions or learning) the share's difference no longer holds
(higher in 17 and 12 of 36 seeds) while the whole-system regulator's higher net monetary benefit
holds with the headroom spent and not banked (33 and 26 of 36), and the regulators of 2015 did not judge
councils. By kind (seeds 1-12,
organisations collaborating over the last two years, whole-system less organisation-focused, headroom
spent / banked): councils +0.67 / +0.72 of the place's two, GP federations +1.24 / +1.45 of its ten;
with councils not judged, councils -0.35 / -0.21 and GP federations +0.78 / +0.82 (measured by
hand, not asserted). So the councils' part turns round, and the GP federations' part, two thirds to
four fifths of the difference, shrinks by about two fifths: judging councils moves their partners'
learning as well as their own, and not through reciprocity (without it the same, headroom spent:
+1.16 against +0.74). Most of the GP federations' lead comes through the relationships term of
their payoff (the trust partners hold in them, which special measures reset): with its weight at 0
it is +0.37 with councils judged and -0.01 without; with the population term's weight at 0 instead,
+1.87 and +1.44. How judging councils moves it by about 0.4 either way is not traced. A council's
own failure regime in the regulator's
place (``regulation.council_failure_regime``: a section 114 notice once its reserves run out, then
government intervention) does not bring the share's difference back (17 and 20 of 36) and keeps the
net monetary benefit's (30 and 28 of 36).

The figures measured by hand (not asserted) in this docstring were measured before the elective
forecast's change and the month between listing and treatment (at commit 20769a6), unless they say
otherwise; those the tests assert, and docs/patterns.md's, at the latest change of the forecasts.

The tests of the outcomes (emergency admissions and the net monetary benefit where hospitals are paid by
activity, and the line's ablation) are in test_regulation_outcomes.py: a file of their own, so that the
suite's workers, which take whole files, run them beside the share's.
"""

import numpy as np
import pytest
from pattern_settings import (
    CONVENTIONS,
    NO_FORTRESS_IMPOSED,
    NO_JUDGEMENT,
    REGULATION_OUTCOME_PLACE,
    REGULATION_PLACE,
    WIDE_SEEDS,
    conventions_short,
    holds,
    paired,
    regulators,
    total,
)

pytestmark = pytest.mark.slow


SHARE_SPENT_SHORT = (
    "with the headroom spent the share collaborating in the last two years is higher under the whole-system "
    "regulator on the mean (+0.073, signed-rank p = 0.002) but in 25 of 36 seeds, two short of three in four; banked "
    "+0.09, 27 of 36 (holds). It held, +0.09 and +0.08, 27 and 27 of 36, until community services gave health of "
    "their own and a cut below the start harmed more with each further unit cut (docs/ODD.md 7.5); at the criterion's "
    "edge, it has moved with each change to the model (the module's docstring)")


@pytest.mark.parametrize("convention", conventions_short(SHARE_SPENT_SHORT, "headroom spent"))
def test_whole_system_regulation_sustains_collaboration(convention):
    system, organisation = regulators(CONVENTIONS[convention])
    assert holds(paired(system, organisation, lambda r: r["share_late"], seeds=WIDE_SEEDS))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_ablation_with_special_measures_imposing_no_fortress_the_share_no_longer_differs(convention):
    """The share's difference is the fortress special measures impose: with new leadership choosing its
    strategy as any organisation does, it no longer holds and turns round (lower under the whole-system
    regulator on average), over the same 36 seeds. Whether it holds with special measures imposing a
    fortress is the test above."""
    system, organisation = regulators(CONVENTIONS[convention])
    with_it = paired(system, organisation, lambda r: r["share_late"], seeds=WIDE_SEEDS)
    system, organisation = regulators({**CONVENTIONS[convention], **NO_FORTRESS_IMPOSED})
    without = paired(system, organisation, lambda r: r["share_late"], seeds=WIDE_SEEDS)
    assert not holds(without)
    assert without.mean() < 0 < with_it.mean()


@pytest.mark.parametrize("place", (REGULATION_PLACE, REGULATION_OUTCOME_PLACE))
def test_ablation_without_the_regulators_judgement_they_give_the_same_place(place):
    system, organisation = regulators({**CONVENTIONS["headroom spent"], **NO_JUDGEMENT}, place)
    for measure in ("share_late", "place", "net_monetary_benefit", "net_health_benefit", "emergency_admissions"):
        get = (lambda r: r["share_late"]) if measure == "share_late" else total(measure)
        assert np.all(paired(system, organisation, get, seeds=range(1, 4)) == 0), measure
