"""Pattern (MODEL.md section 9; seed 002, on the commons): in a mixed place where organisations learn
which strategy to follow, collaboration unravels, and graduated sanctions make defection costly.

The baseline place (PbR; of 17 organisations, 8 start collaborative), every organisation learning
(model.adaptive), under a whole-system regulator (so that no strategy is imposed by special
measures: that is the regulation pattern). Defection is measured harm (costs shifted onto partners:
continuing healthcare, delayed transfers, referrals shed, activity pulled in; model.governance), and
organisations reciprocate: they lean towards collaborating as far as they picture their partners
collaborating. Over 12 paired seeds, under both headroom conventions, with no rules of the commons
collaboration falls from where it started: as partners are seen doing harm, conditional
collaborators withdraw. Ablation: without reciprocity the fall disappears.

With both rules (shared measures and graduated sanctions) against the same rules with no sanction
(``commons.sanction_per_harm`` 0), emergency admissions fall over the 12 seeds under both conventions,
and so does the harm measured in the last year (with the headroom spent it fell short, lower in 9 of 12
seeds, a strict xfail, until community services gave health of their own and a cut below the start harmed
more with each further unit cut, docs/ODD.md 7.5; now 11 of 12, and 9 of 12 banked): a sanction grows with the harm beyond the
tolerance and with the score of seen defections (model.regulation), so each organisation that
expects to be seen counts it when it sets its levers (model.decisions.expected_sanction): a fortress
hospital stops admitting at the margin, a fortress commissioner pays its share of continuing
healthcare. Those are the NHS organisations' harm, and it falls with the sanctions in 12 of 12 seeds
under both conventions (-£63k spent, -£69k banked; tested, with the same ablation). The councils' harm
does not: their residents' delayed transfers, about £230k of the £320k measured in the last year. Over
seeds 1-36, with the headroom spent / banked, it is £13k higher / £8k lower with the sanctions, lower in
15 / 23 of 36 (a seed's difference spreads about £75k either way), while the commissioners' is lower in
36 / 33 and the hospitals' in 34 / 32. A council is cash-limited and counts a pound of its own only as far
as it would take its reserves below zero (``decisions.council_surplus_value`` 0, model.decisions
._own_value), an expected sanction too, and the councils end their years near that line. So what
puts the total at the criterion's edge with the headroom spent is the councils' harm, which the
sanctions do not reach and whose spread is larger than the fall they bring. With
``decisions.council_surplus_value`` 1 the councils' harm halves (£97k against £121k without sanctions),
is lower with them in 24 of 36, and the total in 33 of 36. The whole-system regulator's term on the place's
money (below) shrinks the NHS organisations' fall (£63k against £86k with ``decisions.regulator_weight`` 0,
spent, seeds 1-36) but hardly the count of seeds: the total falls in 28 of 36 with it, 29 without. Measured before the forecasts were brought into line with the simulation
(tests/test_forecasts_follow_the_model.py; docs/patterns.md has every figure as it is now), headroom
spent / banked: harm -£150k / -£143k in the last year, lower in 11
of 12 seeds each; admissions -765 / -696 over ten years, lower in 12 of 12 each. Ablation: with
``decisions.sanction_weight`` 0 (the sanctions are paid, but no lever's objective counts them) the
harm is no lower than with no sanction by the test (£3k lower, in 6 of 12 / £41k, in 8 of 12) and
admissions no different: the sanction that is only paid deters nothing.

Against the same rules with no sanction, the sanctions also end with more organisations collaborating
and a higher net monetary benefit; small beside the seeds' spread, so judged over three times the seeds
(pattern_settings.WIDE_SEEDS). Since a rescued year's national support left the rescued organisation's
result (docs/ODD.md 7.28) the share holds with the headroom banked (+0.18, 33 of 36) and not with it
spent (+0.07, 22 of 36, p = 0.007: a strict xfail); the net benefit held under neither, banked higher on
the mean (+£0.37m, 24 of 36, p = 0.002: tested) and spent not even that (+£0.20m, 40 of 72, p = 0.08:
strict xfails). Since community services gave health of their own and a cut below the start harmed more
with each further unit cut (docs/ODD.md 7.5) the net benefit banked holds over the 36 (on the page's 12 seeds
+£0.62m, 8 of 12); spent it still falls short (strict xfails). As measured now: the share +0.112, 31 of 36,
banked (holds) and +0.031, 23 of 36 (p = 0.08), spent; the net benefit +£0.52m, 27 of 36 (p = 0.0002),
banked (holds) and +£0.16m, 34 of 72 (p = 0.21), spent. Measured by hand (36 seeds, headroom spent, not
asserted), holding one lever where it starts in both places (``decisions.held_levers``): with GP federations'
referral shedding held the share holds (+0.177, 31 of 36; the net benefit +£0.35m, 21 of 36), and with none of
six others (the continuing healthcare share +0.074, 24 of 36; community investment +0.073, 23; eligibility
+0.065, 23; prevention +0.048, 21; the admission threshold +0.042, 20; case management +0.035, 21). Federations
that set their shedding themselves shed little under either rule (their harm in the last year under £1k, of
about £310k to £370k in all), leaving the sanctions little of theirs to act on; held at their starting bundles'
levels, the fortress federations go on shedding (about £26k of harm a year under either rule), and with the
sanctions more of the place turns collaborative. What the net benefit with the headroom spent rests on (36
seeds, by hand): the sanctions move the same levers under both conventions (commissioners pay more of
continuing healthcare, their share 0.75 of the standard against 0.62, 36 of 36 seeds; hospitals' admission
threshold 1.047 against 1.103; 517 fewer admissions, 36 of 36), and they move money from the commissioners to
the others: commissioners take continuing healthcare back from councils and pay sanctions themselves (£0.62m,
£0.14m back), and the councils, whose residents' delayed transfers are most of the harm, pay most of them
(£1.31m), to hospitals (£1.35m) and GP federations (£0.51m; seeds 1-12). Over ten years, spent: hospitals +£0.81m, GP federations +£0.53m, councils -£0.65m, commissioners -£0.53m, of which £0.59m is
headroom no longer spent outside the model. Banked, a pound moved is a pound wherever it lands (+£0.52m).
Spent, a commissioner's pound buys health outside the model worth more than a pound at the threshold and any
other organisation's counts as a pound: the place's money is higher (+£0.74m, 31 of 36) but 45.5 fewer QALYs
are bought outside (£0.91m), and the net benefit is about nil (-£6k, 15 of 36). The place's result, which the whole-system regulator judges against its control total,
now shows the hospitals' deficits that national support met: with the headroom spent it is below the
control total at every year end (10 of 10, seeds 1-12, in both arms; about 6 before), so the regulator's
term on the place's money weighs in every decision (the harm in the last year with sanctions £317k
against £282k before, without them £372k as before; above, where the fall is and is not). Before that change, since
the forecasts' latest corrections (docs/ODD.md 7.30): the share +0.17, 30 of 36, and the net benefit
+£0.59m, 29 of 36, banked; +0.05, 23 of 36, and +£0.33m, 42 of 72, spent. Measured before the forecasts'
corrections (headroom spent / banked): the share
in the last two years +0.13 / +0.23, higher in 28 / 32 of 36 seeds; the net monetary benefit over ten
years +£0.73m / +£0.53m, 27 / 28 of 36. They rest on different things. The net benefit is the sanctions
foreseen: with ``decisions.sanction_weight`` 0 it is gone (-£0.73m, 7 of 36 / -£0.18m, 17 of 36). The
share is the sanctions paid: with them not foreseen it still rises (+0.12 / +0.17, 29 / 32 of 36), for
what defectors pay their partners moves the payoffs each organisation learns from; its ablation is the
comparison itself (no sanction). These held on 12 seeds only from when the forecasts of what a place on
a waiting list costs in health counted the waits of everyone behind it (docs/ODD.md 7.30); before, the
share passed with the headroom spent only (+0.14, 11 of 12) and the net benefit under neither (+£0.69m,
9 of 12; +£0.25m, 7 of 12).

What does not hold (docs/patterns.md gives the figures): that the rules spread collaboration by label
against no rules at all. Shared measures alone end with about as many collaborating as no rules (+0.01,
8 of 12 seeds; fewer on average before a rescued year's national support left the rescued organisation's
result): every partner's harm is seen, collaborators' too, so reciprocity pulls away; the sanctions on
top raise the share a little (+0.06, 6 of 12, headroom spent). Harm is
what an organisation does with its levers, and the levers are chosen from its objective, not set by
its label: a fortress that foresees the sanction stops doing harm without turning collaborative. With
each organisation's levers held at its strategy's bundle (decisions off), so that harm follows the label,
the same sanctions raise the share collaborating by +0.27 (11 of 12 seeds, headroom spent) and +0.39 (10
of 12, banked): the learning mechanism works once harm follows the label.
"""

import numpy as np
import pytest
from pattern_settings import (
    COMMONS,
    COMMONS_BASE,
    COMMONS_PLACE,
    CONVENTIONS,
    FROZEN,
    NHS_KINDS,
    NO_SANCTION,
    NOT_FORESEEN,
    SANCTIONS,
    SEEDS,
    WIDE_SEEDS,
    WIDEST_SEEDS,
    conventions_short,
    harm_of,
    holds,
    on_the_mean,
    paired,
    run,
    total,
)

pytestmark = pytest.mark.slow


def fall(extra: dict) -> np.ndarray:
    """The share collaborating at the start less the share in the last two years, on each seed."""
    runs = [run(COMMONS_PLACE, {**COMMONS_BASE, **COMMONS["no rules"], **extra}, s) for s in SEEDS]
    return np.array([r["share_start"] - r["share_late"] for r in runs])


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_without_rules_collaboration_unravels(convention):
    assert holds(fall(CONVENTIONS[convention]))


def test_ablation_without_reciprocity_collaboration_does_not_unravel():
    assert not holds(fall({**CONVENTIONS["headroom spent"], "adaptation.reciprocity": 0.0}))


def sanctions_against_none(extra: dict, measure, seeds=SEEDS) -> np.ndarray:
    """With both rules against the same rules with no sanction, on each seed (``extra`` on both). The arm with no
    sanction leaves ``NOT_FORESEEN`` out: with no sanction, the weight a lever's objective puts on one weighs
    nothing, so the runs are the same to the bit (the test below) and each is run once."""
    rules = {**SANCTIONS, **extra}
    none = {k: v for k, v in {**rules, **NO_SANCTION}.items() if k not in NOT_FORESEEN}
    return paired((COMMONS_PLACE, rules), (COMMONS_PLACE, none), measure, seeds=seeds)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_with_no_sanction_the_weight_put_on_sanctions_changes_nothing(convention):
    """What lets the arm with no sanction stand for itself with sanctions not foreseen: the same place to the bit."""
    none = {**SANCTIONS, **CONVENTIONS[convention], **NO_SANCTION}
    for seed in range(1, 4):
        weighed, not_weighed = run(COMMONS_PLACE, {**none, **NOT_FORESEEN}, seed), run(COMMONS_PLACE, none, seed)
        assert weighed["table"].equals(not_weighed["table"]) and weighed["harm"] == not_weighed["harm"]


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_graduated_sanctions_make_defection_costly(convention):
    """The harm measured falls with the sanctions, as organisations foresee them in their levers: in the last year
    by £95k with the headroom spent (11 of 12 seeds) and £70k banked (9 of 12). With the headroom spent it fell
    short (£55k, 9 of 12, a strict xfail) until community services gave health of their own and a cut below the
    start harmed more with each further unit cut (docs/ODD.md 7.5); the councils' part still does not fall."""
    assert holds(-sanctions_against_none(CONVENTIONS[convention], lambda r: r["harm"]))


# the harm the NHS organisations did in the last year: the commissioners' continuing healthcare pushed onto councils,
# the GP federations' referrals shed, the hospitals' admissions at the margin
nhs_harm = harm_of(NHS_KINDS)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_graduated_sanctions_deter_the_nhs_organisations(convention):
    """The NHS organisations' harm falls with the sanctions under both conventions: they count a sanction they
    expect as the money it is. (The councils' does not: see the module.)"""
    assert holds(-sanctions_against_none(CONVENTIONS[convention], nhs_harm))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_graduated_sanctions_cut_emergency_admissions(convention):
    """Emergency admissions fall with the sanctions: a fortress hospital that foresees them stops admitting at
    the margin."""
    assert holds(-sanctions_against_none(CONVENTIONS[convention], total("emergency_admissions")))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_ablation_sanctions_not_foreseen_deter_nothing(convention):
    extra = {**CONVENTIONS[convention], **NOT_FORESEEN}
    assert not holds(-sanctions_against_none(extra, lambda r: r["harm"]))
    assert not holds(-sanctions_against_none(extra, nhs_harm))
    assert not holds(-sanctions_against_none(extra, total("emergency_admissions")))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_with_levers_held_at_the_label_sanctions_spread_collaboration(convention):
    """The diagnosis above: with each organisation's levers held at its strategy's bundle, so that
    harm follows the label, shared measures with sanctions end with more organisations collaborating
    than the same rules with no sanction (its ablation: sanction_per_harm 0); with the levers chosen it
    does not hold (measured in the docstring, not asserted)."""
    assert holds(sanctions_against_none({**CONVENTIONS[convention], **FROZEN}, lambda r: r["share_late"]))


NET_BENEFIT_SHORT = {
    "headroom spent": (
        "with the headroom spent, the sanctions' higher net monetary benefit (+£0.16m over ten years) is higher in 34 "
        "of 72 seeds (signed-rank p = 0.21), short of the three seeds in four the criterion asks (40 of 72, +£0.20m, "
        "before community services gave health of their own, docs/ODD.md 7.5; 42 of 72, +£0.33m, "
        "while a rescued year's national support counted in the rescued organisation's result, docs/ODD.md 7.28; 44 "
        "of 72 before the forecasts' latest corrections, 7.30; 52 of 72 before the forecasts were brought into line "
        "with the simulation, when it held over seeds 1-36, 27 of 36, and not over 37-72 or 1001-1036). The sanctions move "
        "money from the commissioners to the others (continuing healthcare taken back from councils, sanctions paid by "
        "commissioners and councils to hospitals and GP federations): the place's money is higher (+£0.74m over seeds 1-36) but £0.59m less "
        "headroom is spent on services outside the model, 45.5 fewer QALYs (the module's docstring). With every pound priced "
        "alike (the net health benefit) it is higher on the mean under both conventions (tested below)"),
}
# with the headroom banked it holds over WIDE_SEEDS since community services gave health of their own and a cut below
# the start harmed more with each further unit cut (docs/ODD.md 7.5); before, +£0.37m, 24 of 36 (a strict xfail), and
# +£0.59m, 29 of 36, while a rescued year's national support counted in the rescued organisation's result (7.28)
# each convention over the seeds that judge it: with the headroom spent the difference goes the other way in more than
# a seed in four, so it is judged over WIDEST_SEEDS (pattern_settings)
NET_BENEFIT_SEEDS = {"headroom spent": WIDEST_SEEDS, "headroom banked": WIDE_SEEDS}


SHARE_SPENT_SHORT = (
    "with the headroom spent, the sanctions' higher share collaborating in the last two years (+0.031) is higher in "
    "23 of 36 seeds (signed-rank p = 0.08), short of the criterion; banked +0.112, 31 of 36 (holds); with GP "
    "federations' referral shedding held where it starts in both places, spent, +0.177, 31 of 36 (the module's "
    "docstring). Before community services gave health of their own (docs/ODD.md 7.5): +0.07, 22 of 36, and +0.18, "
    "33 of 36, since a rescued year's national support left the rescued organisation's result (docs/ODD.md 7.28); "
    "before, +0.05, 23 of "
    "36, and +0.17, 30 of 36, since the "
    "forecasts came to count electives against what there is to do, a council's programmes budgeted in full, "
    "readmissions, strain and the rest (docs/ODD.md 7.30); it held under both before")


@pytest.mark.parametrize("convention", conventions_short(SHARE_SPENT_SHORT, "headroom spent"))
def test_graduated_sanctions_spread_collaboration(convention):
    """Against the same rules with no sanction (the ablation: no sanction paid), over WIDE_SEEDS: more
    organisations collaborate in the last two years."""
    assert holds(sanctions_against_none(CONVENTIONS[convention], lambda r: r["share_late"], seeds=WIDE_SEEDS))


@pytest.mark.parametrize("convention", conventions_short(NET_BENEFIT_SHORT["headroom spent"], "headroom spent"))
def test_graduated_sanctions_raise_the_net_benefit(convention):
    """Against the same rules with no sanction, the place's net monetary benefit is higher."""
    assert holds(sanctions_against_none(CONVENTIONS[convention], total("net_monetary_benefit"),
                                        seeds=NET_BENEFIT_SEEDS[convention]))


NET_BENEFIT_SPENT_MEAN_SHORT = (
    "with the headroom spent the sanctions' net monetary benefit is higher on the mean (+£0.16m over ten years) but "
    "the signed-rank test gives p = 0.21 over seeds 1-72, short of 0.01; p = 0.08 (+£0.20m) before community "
    "services gave health of their own (docs/ODD.md 7.5); p = 0.011 (+£0.33m) while a rescued year's "
    "national support counted in the rescued organisation's result (docs/ODD.md 7.28), and p = 0.0006 (+£0.43m) "
    "before the forecasts' latest corrections (7.30). The net health benefit, every pound priced alike, is higher on "
    "the mean over the same seeds (+27.4 QALYs, p = 0.0003; tested below)")


@pytest.mark.parametrize("convention", conventions_short(NET_BENEFIT_SPENT_MEAN_SHORT, "headroom spent"))
def test_the_sanctions_net_benefit_is_higher_on_the_mean(convention):
    """Over the seeds each convention is judged on (NET_BENEFIT_SEEDS): higher on the mean, by the signed-rank
    test. Banked +£0.52m over seeds 1-36, lower in 9 of 36; spent a strict xfail (+£0.16m over 1-72)."""
    assert on_the_mean(sanctions_against_none(CONVENTIONS[convention], total("net_monetary_benefit"),
                                              seeds=NET_BENEFIT_SEEDS[convention]))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_the_sanctions_net_health_benefit_is_higher_on_the_mean_under_both_conventions(convention):
    """Priced alike, every pound as the health it would buy at the NHS's margin (the net health benefit,
    model.health), the sanctions' net benefit no longer rests on where a commissioner's pound goes: higher on the
    mean under both conventions, over the seeds each is judged on (NET_BENEFIT_SEEDS). Measured: +27.4 QALYs over
    ten years, higher in 48 of 72 seeds (p = 0.0003) with the headroom spent, where the NMB is +£0.16m, 34 of 72
    (p = 0.21); +31.8, 28 of 36 (p = 0.0004) banked, where it is +£0.52m, 27 of 36. The share of seeds falls short of
    three in four with the headroom spent (48 of 72), so what is claimed is the mean. Ablation: the sanctions not
    foreseen (next test)."""
    assert on_the_mean(sanctions_against_none(CONVENTIONS[convention], total("net_health_benefit"),
                                              seeds=NET_BENEFIT_SEEDS[convention]))


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_ablation_sanctions_not_foreseen_raise_no_net_benefit(convention):
    """The net benefit is the sanctions foreseen in the levers: paid but counted by no lever's objective,
    they raise it no more than no sanction does."""
    extra = {**CONVENTIONS[convention], **NOT_FORESEEN}
    assert not holds(sanctions_against_none(extra, total("net_monetary_benefit"), seeds=WIDE_SEEDS))
    # nor the net health benefit on the mean, over the seeds its claim is judged on (+14.5 QALYs, 36 of 72, p = 0.16,
    # spent; +3.0, 18 of 36, p = 0.35, banked)
    assert not on_the_mean(sanctions_against_none(extra, total("net_health_benefit"), seeds=NET_BENEFIT_SEEDS[convention]))
