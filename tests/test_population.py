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
