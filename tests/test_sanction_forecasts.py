"""What an organisation expects a change to cost it in graduated sanctions (model.decisions.expected_sanction)."""

import pytest
from lhe_runs import journal_model

from model.decisions import Change, View, expected_sanction
from model.governance import partners

RULES = {"commons.shared_measures": True, "commons.graduated_sanctions": True, "commons.sanction_per_harm": 1.0,
         "commons.defection_memory": 0.5}


def at_year_end(changes: dict):
    return journal_model(changes, 12, size=3_000, seed=4)


def harmed(view: View, org, added: float) -> Change:
    change = Change()
    change.harm[org.account] += added
    return change


def test_it_is_the_harm_added_beyond_the_tolerance_times_the_score_it_would_have():
    m = at_year_end(RULES)
    view = View(m)
    org = next(o for o in m.organisations
               if o.defected and any(not m.organisation(p).defected for p in partners(m, o)))
    score = org.defection_score * 0.5 + 1.0
    assert expected_sanction(view, org, harmed(view, org, 1_000.0)) == pytest.approx(1_000.0 * score)
    # cutting the harm to the line saves all of it beyond the line, and no more
    beyond = org.harm - org.harm_line
    assert expected_sanction(view, org, harmed(view, org, -beyond - 5_000.0)) == pytest.approx(-beyond * score)


def test_harm_within_the_tolerance_costs_nothing():
    m = at_year_end(RULES)
    view = View(m)
    org = next(o for o in m.organisations if o.harm_line > 0 and o.harm < o.harm_line - 100.0)
    assert expected_sanction(view, org, harmed(view, org, 50.0)) == 0.0
    assert expected_sanction(view, org, harmed(view, org, org.harm_line - org.harm + 200.0)) > 0


def test_without_graduated_sanctions_or_with_no_partner_to_pay_it_expects_none():
    m = at_year_end({**RULES, "commons.graduated_sanctions": False})
    view = View(m)
    org = next(o for o in m.organisations if o.defected)
    assert expected_sanction(view, org, harmed(view, org, 1_000.0)) == 0.0
    m = at_year_end(RULES)
    view = View(m)
    org = next(o for o in m.organisations if o.defected)
    for p in partners(m, org):
        m.organisation(p).defected = True  # every partner did harm too: none would be paid
    assert expected_sanction(view, org, harmed(view, org, 1_000.0)) == 0.0


def test_unseen_it_expects_the_chance_one_of_its_partners_sees_it():
    m = at_year_end({**RULES, "commons.shared_measures": False, "commons.visibility_without_measures": 0.3})
    view = View(m)
    org = next(o for o in m.organisations if o.defected and not o.shares_data
               and any(not m.organisation(p).defected for p in partners(m, o)))
    clean = sum(not m.organisation(p).defected for p in partners(m, org))
    score = org.defection_score * 0.5 + 1.0
    assert expected_sanction(view, org, harmed(view, org, 1_000.0)) == pytest.approx((1 - 0.7 ** clean) * 1_000.0 * score)
