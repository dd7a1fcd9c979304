"""Net health (model.health): quality-adjusted life checked by hand, money outside the model, the
net monetary benefit's and the net health benefit's identities, valuing a change, and QALYs when social
care is cut."""

import numpy as np
import pytest
from lhe_runs import journal_model

from model import LocalHealthEconomy, load_scenario
from model.delivery import LONG_WAIT_BIN
from model.health import net_monetary_benefit, qalys_gained, utility
from model.ledger import to_pence
from model.metrics import yearly_figures
from model.population import MONTH_DAYS, MonthDemand
from model.scenario import ScenarioError

# round figures for working by hand; frailty values are exact in float32
HAND = {
    "net_health.anchor_to_norms": False,
    "net_health.norm_intercept": 0.9,
    "net_health.norm_per_year": -0.001,
    "net_health.norm_per_year_squared": 0.0,
    "net_health.ltc_decrements": [0.0, 0.1, 0.2, 0.3],
    "net_health.frailty_decrement": 0.4,
    "net_health.unmet_need_decrement": 0.05,
    "net_health.delayed_decrement": 0.1,
    "net_health.long_wait_decrement": 0.06,
    "net_health.emergency_admission_decrement": 0.12,
    "social_care.need_threshold": 0.3,
}
ALL_KEYS = ("qalys", "qalys_lost_unmet_need", "qalys_lost_delays", "qalys_lost_waits", "qalys_lost_admissions")


def three_people(changes: dict | None = None):
    """A place whose only people are A (50, no conditions, frailty 0), B (80, two conditions,
    frailty 0.25, a care package) and C (30, 3+ conditions, frailty 0.5, no package)."""
    m = journal_model({**HAND, **(changes or {})}, 0, size=300, seed=3)
    pop = m.population
    pop.alive[:] = False
    pop.alive[:3] = True
    pop.age[:3] = [50.0, 80.0, 30.0]
    pop.ltc[:3] = [0, 2, 3]  # 3 is the 3+ level
    pop.frailty[:3] = [0.0, 0.25, 0.5]
    pop.sc_met[:3] = [False, True, False]
    pop.delayed[:] = False
    m.delivery.waiting[:] = 0
    return m


def quiet_month(m, admitted=(), delayed_days=0.0):
    """Accrue a month with the given admissions and delayed transfer days and nothing else."""
    demand = MonthDemand(attended=np.array([], dtype=np.intp), admitted=np.asarray(admitted, dtype=np.intp),
                         readmitted=np.zeros(len(admitted), dtype=bool), referred=np.array([], dtype=np.intp),
                         gp_demand=np.zeros(1), gp_unmet=np.zeros(1))
    return m.net_health.accrue(demand, {"delayed_days": np.array([delayed_days, 0.0])})


# --- a person-month, by hand ----------------------------------------------------------------------
def test_three_people_accrue_the_qalys_worked_by_hand():
    m = three_people()
    month = quiet_month(m)
    # A: 0.9 - 0.001*50                              = 0.85
    # B: 0.9 - 0.001*80 - 0.2 - 0.4*0.25             = 0.52   (need met: a package)
    # C: 0.9 - 0.001*30 - 0.3 - 0.4*0.5 - 0.05       = 0.32   (frailty 0.5 >= 0.3, no package)
    assert month.people == 3
    assert month.lost_unmet_need == pytest.approx(0.05 / 12, rel=1e-12)
    assert month.qalys == pytest.approx((0.85 + 0.52 + 0.32) / 12, rel=1e-7)  # float32 per person
    assert month.qalys == pytest.approx(float(utility(m.params.net_health, [50, 80, 30], [0, 2, 3], [0, 0.25, 0.5],
                                                      [False, False, True]).sum()) / 12, rel=1e-7)


def test_a_death_stops_accrual():
    m = three_people()
    before = quiet_month(m).qalys
    m.population.alive[1] = False  # B dies
    after = quiet_month(m)
    assert after.people == 2
    assert before - after.qalys == pytest.approx(0.52 / 12, rel=1e-6)


def test_a_month_delayed_and_a_long_wait_take_off_their_decrements():
    m = three_people()
    base = quiet_month(m).qalys
    # two people-months delayed in hospital 0: 2 x 0.1 / 12
    delayed = quiet_month(m, delayed_days=2 * MONTH_DAYS)
    assert delayed.lost_delays == pytest.approx(2 * 0.1 / 12, rel=1e-12)
    assert base - delayed.qalys == pytest.approx(2 * 0.1 / 12, rel=1e-9)
    # 5 people waiting 4 months or more count; 3 waiting 3 months do not: 5 x 0.06 / 12
    m.delivery.waiting[0, 0, LONG_WAIT_BIN] = 4
    m.delivery.waiting[-1, -1, -1] = 1
    m.delivery.waiting[0, 0, LONG_WAIT_BIN - 1] = 3
    waits = quiet_month(m)
    assert waits.lost_waits == pytest.approx(5 * 0.06 / 12, rel=1e-12)
    assert base - waits.qalys == pytest.approx(5 * 0.06 / 12, rel=1e-9)
    # and an emergency admission: 0.12 / 12
    m.delivery.waiting[:] = 0
    assert base - quiet_month(m, admitted=[0]).qalys == pytest.approx(0.12 / 12, rel=1e-9)


def test_the_running_totals_add_up_the_months():
    m = three_people()
    months = [quiet_month(m).qalys for _ in range(3)]
    assert m.net_health.qalys_cumulative == pytest.approx(sum(months), rel=1e-15)


def test_the_fast_sum_is_the_sum_of_each_persons_utility_on_a_real_place():
    for anchored in (False, True):
        m = journal_model({"net_health.anchor_to_norms": anchored}, 14, size=4_000, seed=5)
        pop, p = m.population, m.params.net_health
        a = pop.alive
        unmet = (pop.frailty >= np.float32(m.params.social_care.need_threshold)) & ~pop.sc_met
        each = utility(p, pop.age[a], pop.ltc[a], pop.frailty[a], unmet[a], m.net_health.anchor)
        total, n, n_unmet = m.net_health.people(pop)
        assert n == a.sum() and n_unmet == (unmet & a).sum()
        assert total - n_unmet * p.unmet_need_decrement == pytest.approx(float(each.sum()), rel=1e-7)


# --- anchoring to the norms -----------------------------------------------------------------------
def test_anchored_the_place_starts_on_the_norm_and_unanchored_below_it_by_the_mean_decrement():
    anchored = journal_model({}, 0, size=5_000, seed=2)
    plain = journal_model({"net_health.anchor_to_norms": False}, 0, size=5_000, seed=2)
    pop, p = anchored.population, anchored.params.net_health
    a = pop.alive
    norm = utility(p, pop.age[a], 0, 0.0).mean() - p.ltc_decrements[0]
    loss = (np.asarray(p.ltc_decrements)[pop.ltc[a]] + p.frailty_decrement * pop.frailty[a].astype(float)).mean()
    for m, expected in ((anchored, norm), (plain, norm - loss)):
        total, n, _ = m.net_health.people(m.population)
        assert total / n == pytest.approx(expected, rel=1e-6)
    assert loss > 0.02  # the ablation is not empty: the decrements are counted twice without anchoring
    assert plain.net_health.anchor == (0.0, 0.0, 0.0)


# --- money outside the model and the net monetary benefit ------------------------------------------
@pytest.fixture(scope="module")
def run_36():
    return LocalHealthEconomy(load_scenario().with_changes({"population.size": 6_000, "run.steps": 36}), rng=4).run()


def test_money_spent_outside_the_model_buys_qalys_at_the_cost_per_qaly(run_36):
    t = run_36.place_table()
    p = run_36.params.net_health
    assert (t["other_services"].iloc[12:] > 0).all()  # plans find headroom from the first year end
    np.testing.assert_allclose(t["qalys_outside"], t["other_services"] / p.cost_per_qaly_outside, rtol=1e-12)


def test_the_money_spent_outside_is_a_twelfth_of_what_the_commissioners_plans_set_to_the_penny():
    m = journal_model({}, 12, size=3_000, seed=4)
    plans = sum(to_pence(c.other_services / 12) for c in m.commissioners) / 100
    assert plans > 0
    m.step()
    assert m.place_table()["other_services"].iloc[-1] == plans


def test_with_the_headroom_banked_nothing_is_bought_outside():
    m = journal_model({"money.commissioner_headroom_spent": 0.0, "run.steps": 24}, 24, size=3_000, seed=4)
    t = m.place_table()
    assert (t["other_services"] == 0).all() and (t["qalys_outside"] == 0).all()


def test_the_net_monetary_benefit_is_qalys_at_the_threshold_plus_the_change_in_the_places_balance(run_36):
    t = run_36.place_table()
    p = run_36.params.net_health
    assert p.threshold_per_qaly == 20_000
    # the place's own money: its surplus less the national support drawn that month (national_support is cumulative)
    support = t["national_support"].diff().fillna(t["national_support"])
    assert support.sum() > 0  # a hospital drew it in this run: the deduction is tested
    np.testing.assert_allclose(t["net_monetary_benefit"],
                               p.threshold_per_qaly * (t["qalys"] + t["qalys_outside"] + t["qalys_community"])
                               + t["place_surplus"] - support,
                               rtol=1e-12)
    np.testing.assert_allclose(t["qalys_cumulative"], t["qalys"].cumsum(), rtol=1e-12)
    np.testing.assert_allclose(t["qalys_outside_cumulative"], t["qalys_outside"].cumsum(), rtol=1e-12)
    np.testing.assert_allclose(t["qalys_community_cumulative"], t["qalys_community"].cumsum(), rtol=1e-12)
    assert (t["qalys_community"] != 0).any()  # community services moved from the start in this run: the term is tested
    # the money is the balance's change: the months' surpluses add up to it
    np.testing.assert_allclose(t["net_monetary_benefit_cumulative"], t["net_monetary_benefit"].cumsum(), rtol=1e-9)
    opening = run_36.net_health.opening_balance
    np.testing.assert_allclose(t["place_balance"] - opening, t["place_surplus"].cumsum(), rtol=0, atol=1e-3)
    assert net_monetary_benefit(p, 2.0, money=-1_000.0) == 2 * 20_000 - 1_000


def test_yearly_figures_carry_the_years_qalys_and_net_monetary_benefit(run_36):
    y = yearly_figures(run_36)
    t = run_36.place_table()
    for column in ("qalys", "qalys_outside", "qalys_community", "net_monetary_benefit"):
        assert y[column].shape == (3,)
        np.testing.assert_allclose(y[column], t[column].to_numpy().reshape(3, 12).sum(axis=1), rtol=1e-12)
    # a year's NMB is its QALYs at the threshold plus the place's result for the year, which leaves out the
    # national support drawn in it
    assert y["national_support"].sum() > 0  # a hospital drew it in this run: leaving it out is tested
    p = run_36.params.net_health
    np.testing.assert_allclose(y["net_monetary_benefit"],
                               p.threshold_per_qaly * (y["qalys"] + y["qalys_outside"] + y["qalys_community"]) + y["place"],
                               rtol=1e-9)
    assert 0.8 < t["qalys_per_person_year"].iloc[0] < 0.95


def test_the_net_health_benefit_is_the_qalys_plus_the_places_money_at_the_nhs_marginal_cost_of_a_qaly(run_36):
    t = run_36.place_table()
    p = run_36.params.net_health
    support = t["national_support"].diff().fillna(t["national_support"])
    assert support.sum() > 0  # national support is left out of the money here too
    qalys = t["qalys"] + t["qalys_outside"] + t["qalys_community"]
    np.testing.assert_allclose(t["net_health_benefit"], qalys + (t["place_surplus"] - support) / p.cost_per_qaly_outside,
                               rtol=1e-12)
    np.testing.assert_allclose(t["net_health_benefit_cumulative"], t["net_health_benefit"].cumsum(), rtol=1e-9)
    # the NMB at a threshold equal to the NHS's marginal cost of a QALY is the NHB in pounds
    np.testing.assert_allclose(t["net_health_benefit"] * p.cost_per_qaly_outside,
                               t["net_monetary_benefit"] - (p.threshold_per_qaly - p.cost_per_qaly_outside) * qalys,
                               rtol=1e-9)
    y = yearly_figures(run_36)
    np.testing.assert_allclose(y["net_health_benefit"],
                               y["qalys"] + y["qalys_outside"] + y["qalys_community"] + y["place"] / p.cost_per_qaly_outside,
                               rtol=1e-9)


def test_a_commissioners_pound_spent_outside_or_banked_is_the_same_net_health_benefit_not_the_same_nmb():
    """With decisions frozen (the levers where the bundles put them), the headroom convention changes nothing in
    the baseline's first three years but where a commissioner's headroom goes. The net health benefit prices every
    pound at the NHS's marginal cost of a QALY, so it is the same under both; the net monetary benefit counts a
    pound spent outside at ``threshold / cost_per_qaly_outside`` (about 1.55) and a pound banked at one, so it
    differs by the difference of the two on every pound spent."""
    runs = {}
    for spent in (1.0, 0.0):
        s = load_scenario().with_changes({"population.size": 6_000, "run.steps": 36, "decisions.enabled": False,
                                          "money.commissioner_headroom_spent": spent})
        runs[spent] = LocalHealthEconomy(s, rng=4).run().place_table()
    spent, banked = runs[1.0], runs[0.0]
    for column in ("emergency_admissions", "delayed_transfer_days", "qalys", "qalys_community"):
        np.testing.assert_array_equal(spent[column], banked[column])
    outside = spent["other_services"].sum()
    assert outside > 1e5 and banked["other_services"].sum() == 0
    p = load_scenario().net_health
    np.testing.assert_allclose(spent["net_health_benefit_cumulative"].iloc[-1],
                               banked["net_health_benefit_cumulative"].iloc[-1], rtol=1e-12)
    np.testing.assert_allclose(spent["net_monetary_benefit_cumulative"].iloc[-1]
                               - banked["net_monetary_benefit_cumulative"].iloc[-1],
                               (p.threshold_per_qaly / p.cost_per_qaly_outside - 1.0) * outside, rtol=1e-9)


def test_a_councils_money_priced_apart_moves_the_net_health_benefit_by_its_own_money_alone():
    """``net_health.council_cost_per_qaly`` prices the councils' own money (their balance less the national support
    they drew) apart from the NHS organisations'. It is valuation only: the runs are the same to the month but for
    the NHB, which moves by the councils' own money times the difference of the two prices; priced as the NHS's,
    the NHB is as unset. Here the councils are held to national criteria under their failure regime, so they run
    deficits and draw exceptional support, which is left out."""
    base = load_scenario().with_changes({"population.size": 6_000, "run.steps": 36,
                                         "social_care.national_eligibility": True,
                                         "regulation.council_failure_regime": True})
    k = base.net_health.cost_per_qaly_outside
    models = {}
    for price in (None, k, 54_224.0):
        s = base.with_changes({"net_health.council_cost_per_qaly": price}) if price is not None else base
        models[price] = LocalHealthEconomy(s, rng=5).run()
    tables = {price: m.place_table() for price, m in models.items()}
    unset, priced = tables[None], tables[54_224.0]
    pd_testing = __import__("pandas").testing
    pd_testing.assert_frame_equal(unset, tables[k])
    pd_testing.assert_frame_equal(unset.drop(columns=["net_health_benefit", "net_health_benefit_cumulative"]),
                                  priced.drop(columns=["net_health_benefit", "net_health_benefit_cumulative"]))
    # the councils' own money month by month, from the organisation table: reserves less the support drawn so far
    orgs = models[54_224.0].organisation_table()
    councils = orgs[orgs["kind"] == "council"].groupby("month")[["reserves", "national_support"]].sum()
    assert councils["national_support"].iloc[-1] > 0  # the councils were rescued: their own money leaves it out
    own = (councils["reserves"] - councils["national_support"]).to_numpy()
    assert own[-1] < own[0] - 1e5  # they ran deficits
    gap = (1 / 54_224.0 - 1 / k)
    # each month's NHB moves by the month's change in the councils' own money at the difference of the prices
    np.testing.assert_allclose((priced["net_health_benefit"] - unset["net_health_benefit"]).to_numpy()[1:],
                               np.diff(own) * gap, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(priced["net_health_benefit_cumulative"], priced["net_health_benefit"].cumsum(), rtol=1e-9)
    with pytest.raises(ScenarioError, match="council_cost_per_qaly"):
        base.with_changes({"net_health.council_cost_per_qaly": 10.0})


# --- valuing a change ------------------------------------------------------------------------------
def test_the_value_of_a_change_is_the_change_in_the_months_qalys():
    m = three_people()
    p = m.params.net_health
    base = quiet_month(m).qalys
    m.population.sc_met[2] = True  # C gets a package
    m.population.frailty[0] = 0.25  # A gains frailty
    changed = quiet_month(m, admitted=[0, 1], delayed_days=MONTH_DAYS / 2)
    m.delivery.waiting[0, 0, LONG_WAIT_BIN + 1] = 3
    waits = quiet_month(m, admitted=[0, 1], delayed_days=MONTH_DAYS / 2)
    gain = qalys_gained(p, unmet_need_months_avoided=1, frailty_months_avoided=-0.25, admissions_avoided=-2,
                        delayed_months_avoided=-0.5)
    assert changed.qalys - base == pytest.approx(gain, rel=1e-6)
    assert waits.qalys - changed.qalys == pytest.approx(qalys_gained(p, long_wait_months_avoided=-3), rel=1e-9)
    # deaths and money outside: at their own rates
    assert qalys_gained(p, deaths_avoided=2) == 2 * p.qalys_per_death
    assert qalys_gained(p, spent_outside=p.cost_per_qaly_outside * 3) == pytest.approx(3.0)
    assert qalys_gained(p) == 0.0


# --- social care cut: QALYs fall, and the unmet-need part goes with its decrement --------------------
def social_care(cut: bool, decrement: float):
    # (levers held: organisations that weigh health would otherwise decide differently when unmet need is
    # valued differently, and this checks the accounting, on the same lives)
    changes = {"population.size": 8_000, "run.steps": 36, "net_health.unmet_need_decrement": decrement,
               "decisions.enabled": False}
    if cut:
        changes["social_care.packages_per_1000"] = 7.0  # half the baseline's packages
    return LocalHealthEconomy(load_scenario().with_changes(changes), rng=11).run().place_table()


def test_qalys_fall_when_social_care_is_cut_and_the_unmet_need_part_goes_with_its_decrement():
    full, cut = social_care(False, 0.05), social_care(True, 0.05)
    assert cut["unmet_social_care_need"].sum() > 1.1 * full["unmet_social_care_need"].sum()
    assert cut["qalys_cumulative"].iloc[-1] < full["qalys_cumulative"].iloc[-1]
    lost = cut["qalys_lost_unmet_need"].sum() - full["qalys_lost_unmet_need"].sum()
    assert lost > 0
    # ablation: valued at 0, unmet need takes nothing off, though the place lives the same months
    full0, cut0 = social_care(False, 0.0), social_care(True, 0.0)
    assert (cut0["qalys_lost_unmet_need"] == 0).all() and (full0["qalys_lost_unmet_need"] == 0).all()
    assert cut0["unmet_social_care_need"].equals(cut["unmet_social_care_need"])
    fall = full["qalys_cumulative"].iloc[-1] - cut["qalys_cumulative"].iloc[-1]
    fall0 = full0["qalys_cumulative"].iloc[-1] - cut0["qalys_cumulative"].iloc[-1]
    # the fall is smaller by exactly the unmet-need part's difference
    assert fall - fall0 == pytest.approx(lost, rel=1e-6)


# --- the scenario ---------------------------------------------------------------------------------
def test_the_condition_decrements_need_four_levels():
    with pytest.raises(ScenarioError, match=r"net_health\.ltc_decrements.*4 entries"):
        load_scenario().with_changes({"net_health.ltc_decrements": [0.0, 0.1]})


def test_the_small_solver_solves_as_exact_arithmetic_does_and_refuses_a_singular_system():
    """``_solve`` (the anchor's 3x3 system, solved in Python's floats so every machine gets the same bits)
    agrees with exact rational arithmetic to a few units in the last place, on a system as badly
    conditioned as the anchor's, and on one that needs a row swap."""
    from fractions import Fraction

    from model.health import _solve

    def exact(a, b):
        m = [[Fraction(v) for v in row] + [Fraction(w)] for row, w in zip(a, b, strict=True)]
        n = len(b)
        for col in range(n):
            piv = next(r for r in range(col, n) if m[r][col] != 0)
            m[col], m[piv] = m[piv], m[col]
            for r in range(n):
                if r != col:
                    f = m[r][col] / m[col][col]
                    m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
        return [float(m[r][n] / m[r][r]) for r in range(n)]

    age = np.linspace(0.0, 1.0, 101)
    powers = [np.ones_like(age), age, age * age]
    gram = [[float(np.sum(a * b)) for b in powers] for a in powers]
    rhs = [float(np.sum(a * (0.1 + 0.3 * age * age))) for a in powers]
    for a, b in ((gram, rhs), ([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]], [3.0, 2.0, 4.0])):
        got, want = _solve(a, b), exact(a, b)
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert _solve(gram, rhs) == pytest.approx([0.1, 0.0, 0.3], abs=1e-9)
    with pytest.raises(ValueError, match="singular"):
        _solve([[1.0, 2.0], [2.0, 4.0]], [1.0, 2.0])
