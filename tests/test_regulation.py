"""Regulation: special measures, graduated sanctions, national recognition, system leadership and the
transformation fund, checked by hand on a small place (model.regulation)."""

import typing

import pytest
from lhe_runs import journal_model

from model import LocalHealthEconomy
from model.scenario import OrganisationKind

KINDS = list(typing.get_args(OrganisationKind))
NHS_KINDS = [k for k in KINDS if k != "council"]  # the kinds the regulators of 2015 judged


def model(changes: dict, steps: int = 0) -> LocalHealthEconomy:
    return journal_model(changes, steps, size=3_000, seed=4)

def test_graduated_sanctions_make_seen_defectors_pay_collaborating_partners_more_each_year():
    # levers as the bundles set them, so the same organisations do the same harm each year
    m = model({"commons.shared_measures": True, "commons.graduated_sanctions": True, "commons.sanction_per_harm": 1.0,
               "commons.defection_memory": 0.5, "decisions.enabled": False}, steps=12)
    beyond = {o.account: o.harm - o.harm_line for o in m.organisations}  # the first year's harm beyond the tolerance
    for _ in range(12):
        m.step()
    m.ledger.check()
    paid, payees = {}, set()
    for step, t in m.ledger.journal:
        if t.kind == "sanction":
            paid.setdefault((step, t.payer), 0)
            paid[(step, t.payer)] += t.pence
            payees.add(t.payee)
    defectors = [o for o in m.organisations if o.defected]
    assert defectors and all(o.harm > m.params.governance.harm_tolerance * o.last_income for o in defectors)
    # it is the harm measured, not the label, that is sanctioned: every defector with a partner that did no
    # harm pays; those paid did none
    clean = {o.name for o in m.organisations if not o.defected}
    liable = [o for o in defectors if clean & set(m.network.successors(o.name))]
    assert liable and {p for _, p in paid} == {o.account for o in liable}
    assert not payees & {o.account for o in defectors}
    for o in liable:
        first, second = paid[(11, o.account)], paid[(23, o.account)]
        assert o.defection_score == pytest.approx(1.5)  # 1 the first year; half of it kept, plus 1, the second
        # graduated by the seriousness and the repetition: the harm beyond the tolerance times the score,
        # 1 the first year and 1.5 the second (split among the partners in whole pence)
        victims = len(clean & set(m.network.successors(o.name)))
        assert first == pytest.approx(1.0 * beyond[o.account] * 100, abs=victims)
        assert second == pytest.approx(1.5 * (o.harm - o.harm_line) * 100, abs=victims)
    assert m.sanctions_paid == pytest.approx(sum(paid.values()) / 100)


def test_old_defections_fade_from_the_score():
    m = model({"commons.graduated_sanctions": True, "commons.defection_memory": 0.25}, steps=0)
    org = m.organisations[0]
    org.defection_score, org.defected = 2.0, False
    m.regulator.apply_sanctions()
    assert org.defection_score == pytest.approx(0.5)


def test_an_organisation_focused_regulator_puts_a_deficit_into_special_measures():
    m = model({"adaptation.policy": "adaptive", "regulation.special_measures_deficit": 0.0}, steps=12)
    flagged = [o for o in m.organisations if o.in_special_measures]
    assert flagged and all(o.last_result < 0 for o in flagged)
    for o in flagged:
        assert o.strategy == "fortress" and o.attraction == {"fortress": 0.0, "collaborative": 0.0}
        assert all(m.network.edges[u, v]["trust"] == m.params.governance.initial_trust
                   for u, v in m.network.in_edges(o.name))
    assert [e["organisation"] for e in m.events_of("special_measures")] == [o.name for o in flagged]


def test_special_measures_without_an_imposed_fortress_leave_new_leadership_to_choose():
    """``regulation.special_measures_fortress`` false: the same organisations go into special measures, with
    what they learned erased and their relationships started again, but none is run as a fortress by rule."""
    changes = {"adaptation.policy": "adaptive", "regulation.special_measures_deficit": 0.0}
    imposed = model(changes, steps=12)
    free = model({**changes, "regulation.special_measures_fortress": False}, steps=12)
    flagged = [o.name for o in imposed.organisations if o.in_special_measures]
    assert flagged == [o.name for o in free.organisations if o.in_special_measures]
    assert all(imposed.forced_strategy(imposed.organisation(n)) == "fortress" for n in flagged)
    assert all(free.forced_strategy(free.organisation(n)) is None for n in flagged)
    assert any(free.organisation(n).strategy == "collaborative" for n in flagged)
    assert all(free.organisation(n).attraction == {"fortress": 0.0, "collaborative": 0.0} for n in flagged)


def test_a_whole_system_regulator_puts_no_one_in_special_measures():
    m = model({"adaptation.policy": "adaptive", "regulation.focus": "system", "regulation.special_measures_deficit": 0.0}, steps=12)
    assert not any(o.in_special_measures for o in m.organisations)


def test_national_recognition_spares_collaborators():
    m = model({"adaptation.policy": "fixed", "regulation.special_measures_deficit": 0.0,
               "commons.national_recognition": True}, steps=12)
    flagged = [o for o in m.organisations if o.in_special_measures]
    assert flagged and all(o.strategy == "fortress" for o in flagged)


def test_the_transformation_fund_pays_collaborators_for_its_years_only():
    m = model({"regulation.transformation_fund_share": 0.02, "regulation.transformation_fund_years": 1}, steps=14)
    m.ledger.check()
    steps = {step for step, t in m.ledger.journal if t.kind == "transformation_fund"}
    payees = {t.payee for _, t in m.ledger.journal if t.kind == "transformation_fund"}
    assert steps == set(range(1, 12))  # month 0 has no income yet; none after the first year
    assert all(m.organisation(p.split(":", 1)[1]).strategy == "collaborative" for p in payees)


def test_system_leadership_keeps_commissioners_collaborative():
    # (special measures, which replace a commissioner's leadership, are kept out of the way)
    m = model({"adaptation.policy": "adaptive", "commons.system_leadership": True, "regulation.special_measures_deficit": 1.0,
               "commissioners.0.strategy": "fortress"}, steps=36)
    assert all(c.strategy == "collaborative" for c in m.commissioners)


@pytest.mark.parametrize("judged", (True, False))
def test_a_kind_the_organisation_focused_regulator_does_not_judge_answers_to_no_regulator(judged):
    """``regulation.judged_kinds``: a council in deficit beyond the line is put in special measures, and its
    decisions and its learning count the line, only if councils are among the kinds judged (all kinds in the
    scenarios; NHS regulators judged NHS bodies). Left out, none of the three does: the ablation of each is
    the other case."""
    from model.decisions import View, objective

    changes = {"adaptation.policy": "adaptive", "regulation.judged_kinds": KINDS if judged else NHS_KINDS}
    m = model(changes, steps=12)
    co = m.councils[0]
    co.memory[-1] = -0.10 * co.last_income  # its last result: far beyond the 2% line
    co.special_measures_until = 0
    view = View(m)
    # tighter eligibility saves it money (less prevention would not: it budgets its packages before)
    cut = view.change(co, "eligibility_tightening", co.levers["eligibility_tightening"] + 0.02)
    weighs = objective(view, co, cut)
    m.params.decisions.regulator_weight = 0.0
    unweighed = objective(view, co, cut)
    payoff = m.policy.payoff(co, m)
    m.params.adaptation.weight_regulation = 0.0
    standing = payoff - m.policy.payoff(co, m)  # its learning's regulatory part, weighted
    m.regulator.regulate()
    assert bool(weighs > unweighed) is judged  # money saved lessens its shortfall below the line, if it is judged
    assert bool(standing < 0) is judged  # 8% of its income beyond the line, if it is judged; else nothing
    assert co.in_special_measures is judged
    assert (co.name in [e["organisation"] for e in m.events_of("special_measures")]) is judged


def support(m: LocalHealthEconomy, org) -> float:
    """Pounds national support has paid ``org``."""
    return sum(t.pence for _, t in m.ledger.journal if t.payer == "source:national_support" and t.payee == org.account) / 100


@pytest.mark.parametrize("regime", (True, False))
def test_a_council_whose_reserves_run_out_is_under_a_section_114_notice_then_the_government_intervenes(regime, monkeypatch):
    """``regulation.council_failure_regime``: a council whose reserves are below zero at a year end is under a
    section 114 notice (its decisions count a balanced year as their line, no money moves), and one still
    under it after ``council_intervention_years`` year ends gets government intervention: special measures,
    new leadership and exceptional financial support that brings its reserves back to zero exactly. The
    council is judged by no regulator here, so without the regime (the ablation) none of this happens and
    its reserves stay below zero."""
    from model.decisions import View, objective

    m = model({"regulation.council_failure_regime": regime, "regulation.judged_kinds": NHS_KINDS,
               "regulation.council_intervention_years": 1})
    co, cm = m.councils[0], m.commissioners[0]

    def a_year_with_reserves_run_out() -> None:
        for _ in range(11):
            m.step()
        # £5m below zero before the last month: moved to its commissioner, so the place's money is unchanged
        m.ledger.transfer(co.account, cm.account, max(m.ledger.balance(co.account) + 500_000_000, 0), "moved_by_test")
        m.step()

    a_year_with_reserves_run_out()
    assert co.reserves < -4e6
    assert co.in_failure_regime is regime
    assert [e["organisation"] for e in m.events_of("section_114")] == ([co.name] if regime else [])
    assert not support(m, co)  # no money in a notice's years
    assert m.regulator.own_line(co) == (0.0 if regime else None)
    with monkeypatch.context() as patched:
        # less prevention saves money a council that does not balance its books (one that does budgets its packages
        # before it, and spends what prevention no longer takes on them)
        patched.setattr(co.behaviour, "balances_books", False)
        view = View(m)
        cut = view.change(co, "prevention_ratio", co.levers["prevention_ratio"] - 0.2)
        weighs, weight = objective(view, co, cut), m.params.decisions.regulator_weight
        m.params.decisions.regulator_weight = 0.0
        assert bool(weighs > objective(view, co, cut)) is regime  # money saved lessens its shortfall below a balanced year
        m.params.decisions.regulator_weight = weight

    a_year_with_reserves_run_out()
    interventions = m.events_of("government_intervention")
    assert [e["organisation"] for e in interventions] == ([co.name] if regime else [])
    assert co.in_special_measures is regime
    if regime:
        written_off = interventions[0]["written_off"]
        assert written_off > 4e6
        assert support(m, co) == pytest.approx(written_off, abs=0.01)
        assert co.national_support == pytest.approx(support(m, co), abs=0.01)  # what it reports drawing
        assert m.ledger.balance(co.account) == 0  # brought back to zero, to the penny
        assert m.events_of("section_114") == m.events_of("section_114")[:1]  # one notice, not one a year
    else:
        assert co.reserves < -4e6
    m.ledger.check()


def test_each_organisation_reports_the_national_support_it_has_drawn():
    """A hospital below the distress line at a year end draws distress finance, and one below it after
    ``distress_years`` is put into administration and its deficit written off: each reports the pounds it has
    drawn (``national_support``, in the organisation table) as the ledger paid them, and they sum to the
    regulator's total."""
    m = model({}, steps=48)
    kinds = {e["event"] for e in m.events if e["event"] in ("distress_finance", "administration")}
    assert kinds == {"distress_finance", "administration"}  # both ways of drawing it happened
    for org in m.organisations:
        assert org.national_support == pytest.approx(support(m, org), abs=0.01), org.name
    assert sum(o.national_support for o in m.organisations) == pytest.approx(m.regulator.national_support, abs=0.01)
    assert m.regulator.national_support > 0
    table = m.organisation_table()
    last = table[table["month"] == table["month"].max()].set_index("name")["national_support"]
    assert last.to_dict() == pytest.approx({o.name: o.national_support for o in m.organisations})


def test_a_rescued_year_reads_as_the_year_it_was():
    """National support is financing from outside the place, not income: a rescued organisation's result for
    the year (``memory``, which its payoff, its forecasts and the regulator read) and its income leave it out,
    while its reserves hold the cash. Each year's result is what its account received less what it paid,
    national support apart."""
    m = model({}, steps=48)
    rescued = 0
    for org in m.organisations:
        for year, result in enumerate(org.memory):
            months = range(12 * year, 12 * year + 12)
            moved = [t for step, t in m.ledger.journal if step in months and t.kind != "opening_balance"]
            drawn = sum(t.pence for t in moved if t.payer == "source:national_support" and t.payee == org.account)
            net = sum(t.pence for t in moved if t.payee == org.account) - sum(t.pence for t in moved if t.payer == org.account)
            assert round(result * 100) == net - drawn, (org.name, year)
            rescued += drawn > 0
    assert rescued >= 2  # years with national support in them: leaving it out is tested
    h = max(m.hospitals, key=lambda o: o.national_support)
    assert h.last_income * 100 == pytest.approx(sum(t.pence for s, t in m.ledger.journal if s >= 36 and t.payee == h.account
                                                     and t.payer != "source:national_support"), abs=1)
