"""Adaptive strategies, trust and the rules of the commons: the mechanisms, checked by hand (regulation:
test_regulation.py).

(The papers' patterns over many seeds are a separate, slower matter.)
"""

import math

import pytest
from lhe_runs import journal_model

from model import LocalHealthEconomy
from model.adaptive import AdaptiveStrategies
from model.governance import peers, update_trust


def model(changes: dict, steps: int = 0) -> LocalHealthEconomy:
    return journal_model(changes, steps, size=3_000, seed=4)


def test_the_scenario_chooses_the_policy():
    assert isinstance(model({"adaptation.policy": "adaptive"}).policy, AdaptiveStrategies)
    assert not isinstance(model({}).policy, AdaptiveStrategies)


def test_experience_weighted_attraction_worked_by_hand(monkeypatch):
    # memory 0.5; an organisation with N = 2, A_f = 1.0, A_c = 0.0 plays fortress and scores 3.0; the
    # others (collaborative, seen: shared measures) score 1.0. Payoffs are judged against the place's
    # mean: with 17 organisations the mean is (3 + 16)/17 = 19/17, so it got 3 - 19/17 = 32/17 and its
    # partners 1 - 19/17 = -2/17.
    # N' = 0.5*2 + 1 = 2; A_f' = (0.5*2*1.0 + 32/17)/2 = 49/34; A_c' = (0.5*2*0.0 - 2/17)/2 = -1/17
    m = model({"adaptation.policy": "adaptive", "adaptation.memory": 0.5, "commons.shared_measures": True})
    org = m.organisation("Northvale General")
    assert len(m.organisations) == 17
    org.strategy, org.experience, org.attraction = "fortress", 2.0, {"fortress": 1.0, "collaborative": 0.0}
    pay = {o.name: (3.0 if o is org else 1.0) for o in m.organisations}
    monkeypatch.setattr(AdaptiveStrategies, "payoff", lambda self, o, mm: pay[o.name])
    for o in m.organisations:
        if o is not org:
            o.strategy = "collaborative"
    m.policy.observe(m)
    assert org.experience == pytest.approx(2.0)
    assert org.payoff == pytest.approx(32 / 17)
    assert org.attraction["fortress"] == pytest.approx(49 / 34)
    assert org.attraction["collaborative"] == pytest.approx(-1 / 17)


def test_an_unseen_alternative_only_fades(monkeypatch):
    # nothing visible (no shared measures, visibility 0): A_c' = 0.5*2*0.8/2 = 0.4 (it fades towards
    # "as good as the rest", 0 after payoffs are judged against the place's mean)
    m = model({"adaptation.policy": "adaptive", "adaptation.memory": 0.5, "commons.visibility_without_measures": 0.0})
    org = m.organisation("Northvale General")
    org.strategy, org.experience, org.attraction = "fortress", 2.0, {"fortress": 1.0, "collaborative": 0.8}
    monkeypatch.setattr(AdaptiveStrategies, "payoff", lambda self, o, mm: 3.0)
    for o in m.organisations:
        if o is not org:
            o.strategy = "collaborative"
    m.policy.observe(m)
    assert org.attraction["collaborative"] == pytest.approx(0.4)


def test_the_choice_is_a_logit_on_the_attractions_pulled_by_reciprocity():
    m = model({"adaptation.policy": "adaptive", "adaptation.imitation": 0.0, "adaptation.sensitivity": 2.0,
               "adaptation.reciprocity": 1.0})
    org = m.organisation("Abbey GP Federation")
    org.attraction = {"fortress": 0.5, "collaborative": 0.25}
    # its one partner, its commissioner, starts as a fortress and everyone knows each other's starting
    # stance: the perceived share collaborating is 0, the pull -0.5
    assert list(m.network.successors(org.name)) == ["Northvale CCG"]
    assert m.organisation("Northvale CCG").strategy == "fortress"
    m.policy.choose(org, m)
    assert org.p_collaborative == pytest.approx(1 / (1 + math.exp(-2.0 * (0.25 - 0.5 - 0.5))))
    # once the commissioner is seen collaborating, the pull is +0.5
    m.network.edges[org.name, "Northvale CCG"]["seen_defecting"] = False
    m.policy.choose(org, m)
    assert org.p_collaborative == pytest.approx(1 / (1 + math.exp(-2.0 * (0.25 + 0.5 - 0.5))))


def _trust_after_a_year(changes: dict) -> tuple[LocalHealthEconomy, dict]:
    """A year run (so each organisation's harm to the others is measured), then one more update of trust
    on that year's harm, from the trust it left."""
    # (no special measures: new leadership would reset the relationships this checks)
    m = model({"decisions.enabled": False, "regulation.special_measures_deficit": 1.0, **changes}, steps=12)
    before = {(u, v): d["trust"] for u, v, d in m.network.edges(data=True)}
    start = {(u, v): d["seen_defecting"] for u, v, d in m.network.edges(data=True)}
    update_trust(m)
    m.seen_before = start
    return m, before


def test_with_shared_measures_trust_rises_slowly_in_partners_doing_no_harm_and_falls_fast_in_defectors():
    m, before = _trust_after_a_year({"commons.shared_measures": True})
    gov = m.params.governance
    assert {o.defected for o in m.organisations} == {True, False}
    for u, v, d in m.network.edges(data=True):
        t = before[u, v]
        if not m.organisation(v).defected:
            assert d["trust"] == pytest.approx(t + gov.trust_gain * (1 - t)) and not d["seen_defecting"]
        else:
            assert d["trust"] == pytest.approx(t * (1 - gov.trust_loss)) and d["seen_defecting"]


def test_defection_is_the_harm_measured_not_the_label():
    m, _ = _trust_after_a_year({"commons.shared_measures": True})
    hospital = m.hospitals[0]
    # a hospital that admitted no one at the margin did its payers no harm, whatever its strategy
    m.delivery.tally.marginal[:] = 0.0
    from model.governance import measure_harm

    measure_harm(m)
    assert hospital.harm == 0.0 and not hospital.defected


def test_the_organisation_table_reports_the_harm_each_year_end_measured():
    """organisations.parquet's ``harm``, ``harm_line`` and ``defected``: before the first year end none, then
    through each year what the year end before it measured (model.governance.measure_harm)."""
    m = model({}, steps=0)
    measured: dict[int, dict[str, tuple[float, float, bool]]] = {}
    for month in range(1, 25):
        m.step()
        measured[month] = {o.name: (o.harm, o.harm_line, o.defected) for o in m.organisations}
    t = m.organisation_table()
    first = t[t.month <= 11]
    assert (first.harm == 0).all() and (first.harm_line == 0).all() and not first.defected.any()
    assert t[t.month == 12].harm.sum() > 0 and t[t.month == 12].defected.any()
    for month in (12, 18, 24):
        for row in t[t.month == month].itertuples():
            assert (row.harm, row.harm_line, row.defected) == measured[month][row.name]
    assert list(t[t.month == 18].harm) == list(t[t.month == 12].harm)  # a year's verdict holds until the next


def test_without_shared_measures_what_is_not_seen_changes_nothing_either_way():
    # visibility 0: no partner is seen, whatever it did, so no trust moves and every partner is still
    # pictured with the stance it started with; except a partner that shares its data, which is always seen
    m, before = _trust_after_a_year({"commons.visibility_without_measures": 0.0})
    open_books = {o.name for o in m.organisations if o.shares_data}
    assert open_books and len(open_books) < len(m.organisations)
    for u, v, d in m.network.edges(data=True):
        if v in open_books:
            assert d["trust"] != before[u, v] and d["seen_defecting"] == m.organisation(v).defected
            continue
        assert d["trust"] == before[u, v]
        assert d["seen_defecting"] == m.seen_before[u, v] == (m.organisation(v).strategy == "fortress")
    # visibility 0.3: about three edges in ten move
    m, before = _trust_after_a_year({"commons.visibility_without_measures": 0.3})
    moved = [d["trust"] != before[u, v] for u, v, d in m.network.edges(data=True)]
    assert 0.15 < sum(moved) / len(moved) < 0.45, sum(moved) / len(moved)


def test_an_organisation_compares_itself_with_peers_of_its_kind_that_share_a_partner():
    m = model({})
    abbey = m.organisation("Abbey GP Federation")
    same_commissioner = sorted(g.name for g in m.gp_federations if g.commissioner is abbey.commissioner and g is not abbey)
    assert peers(m, abbey) == same_commissioner and same_commissioner
    hospital = m.hospitals[0]
    assert peers(m, hospital) == sorted(h.name for h in m.hospitals[1:])
    # the two commissioners both contract with a hospital
    assert peers(m, m.commissioners[0]) == [m.commissioners[1].name]
