"""The teaching page renders without a browser, steps the model, and switches a strategy."""

import pytest

solara = pytest.importorskip("solara")
import ipyvuetify as v  # noqa: E402

from model import viz  # noqa: E402


@pytest.fixture()
def rendered():
    model = viz.TeachingEconomy(population=10_000)
    page = viz.make_page(model)
    box, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
    return model, rc


def test_the_page_steps_the_model(rendered):
    model, rc = rendered
    assert model.month == 0
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.month == 1


def test_switching_an_organisation_makes_it_a_fortress(rendered):
    model, rc = rendered
    name = model.organisations[0].name
    model.set_strategy(name, "collaborative")
    rc.find(v.Btn, children=["Make fortress"]).widget.click()
    assert model.organisation(name).strategy == "fortress"


def test_the_controls_build_the_place_they_describe():
    m = viz.TeachingEconomy(collaborative_share=1.0, acute_regime="block", regulation="system", adaptive=True,
                            shared_measures=True, graduated_sanctions=True, conflict_resolution=True,
                            participation=True, system_leadership=True, national_recognition=True,
                            population=10_000, seed=3)
    assert all(o.strategy == "collaborative" for o in m.organisations)
    assert {c.regime.name for c in m.contracts if c.scope == "acute"} == {"block"}
    assert m.params.regulation.focus == "system" and m.params.adaptation.policy == "adaptive"
    c = m.params.commons
    assert all((c.shared_measures, c.graduated_sanctions, c.conflict_resolution, c.participation,
                c.system_leadership, c.national_recognition))
    none = viz.TeachingEconomy(collaborative_share=0.0, population=10_000)
    assert all(o.strategy == "fortress" for o in none.organisations)


def test_lhe_viz_binds_this_machine_only_by_default_and_refuses_an_unknown_place(capsys):
    from model.cli import build_parser, main

    args = build_parser().parse_args(["viz"])
    assert args.host == "127.0.0.1" and args.port == 8765
    assert main(["viz", "no-such-place"]) == 2
    assert "no-such-place" in capsys.readouterr().err
