"""The population's running counts of the living agree with a count over everyone, month by month."""

import numpy as np
from lhe_runs import journal_model

from model.population import MULTIMORBID


def recount(pop, by: str, n: int) -> np.ndarray:
    return np.bincount(getattr(pop, by)[pop.alive], minlength=n)


def test_the_counts_of_the_living_follow_deaths_registrations_and_new_conditions():
    # many deaths, births, migrants and new conditions a month, and spare room that runs out (the arrays grow)
    m = journal_model({"health.deaths_per_1000": 80.0, "population.births_per_1000": 90.0,
                       "population.net_migration_per_1000": 40.0, "health.ltc_mean_at_50": 2.5,
                       "population.spare_capacity": 0.0}, 0, size=3_000, seed=5)
    pop = m.population
    first_capacity = pop.capacity
    deaths = conditions = 0
    for _ in range(14):
        ltc = pop.ltc.copy()
        m.step()
        deaths += m.month_counts["deaths"]
        conditions += int((pop.ltc[: ltc.size] > ltc).sum())
        assert pop.size == int(pop.alive.sum())
        assert pop.living_multimorbid() == int((pop.alive & (pop.ltc >= MULTIMORBID)).sum())
        for by, n in (("council", len(m.councils)), ("gp", len(m.gp_federations)), ("hospital", len(m.hospitals))):
            assert pop.living_by(by, n).tolist() == recount(pop, by, n).tolist(), by
        for co in m.councils:
            mine = pop.alive & (pop.council == co.index)
            expected = np.bincount(pop.hospital[mine], minlength=len(m.hospitals))
            assert pop.living_in_council_by_hospital(co.index, len(m.hospitals)).tolist() == expected.tolist()
    # what the counts had to follow happened: people died (their places taken by newcomers or left empty),
    # gained conditions, and the arrays grew to register newcomers
    assert deaths > 0 and conditions > 0
    assert pop.capacity > first_capacity


def test_stays_drawn_by_age_lengthen_by_the_ratio_a_decade_and_keep_the_mean_stay():
    """``demand.los_age_ratio_per_decade`` lengthens a stay for each ten years of age beyond what frailty brings:
    at 1.5 the mean stay drawn for someone aged 80 is 1.5^3 = 3.375 times that for someone aged 50 of the same
    frailty; at 1 they are the same. Either way the stays are scaled so their mean over the population's
    expected admissions is the scenario's mean stay at the start."""
    for ratio in (1.0, 1.5):
        m = journal_model({"demand.los_age_ratio_per_decade": ratio}, 0, size=3_000, seed=7)
        pop, d = m.population, m.params.demand
        adm = pop.expected_year()["admissions"]
        stay = (1 + (d.los_frailty_ratio - 1) * pop.frailty) * (pop._los_age_factor(pop.age) if ratio != 1.0 else 1.0)
        assert abs((adm * stay).sum() / adm.sum() / pop._los_norm - 1) < 1e-9
        pop.rng_stay = np.random.default_rng(11)
        people = np.flatnonzero(pop.alive)[:2]
        pop.frailty[people] = np.float32(0.2)
        pop.age[people[0]], pop.age[people[1]] = np.float32(50.0), np.float32(80.0)
        draws = np.repeat(people, 50_000)
        los = pop.lengths_of_stay(draws, np.full(draws.size, 20.0))  # long stays, so the one-day floor hardly binds
        older_over_younger = los[draws == people[1]].mean() / los[draws == people[0]].mean()
        assert abs(older_over_younger / ratio ** 3 - 1) < 0.03, (ratio, older_over_younger)
