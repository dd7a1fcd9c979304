"""Property-based tests (Hypothesis) draw the same examples on every run of ``make test``, so a result
does not change between two runs of the same code; ``make fuzz`` loads the ``explore`` profile, which
draws afresh (set HYPOTHESIS_PROFILE=explore to do the same for any test).

The same examples whatever else the process has loaded: Hypothesis (6.131 on) now and then draws a
constant found in the source of the project's modules loaded so far, so a derandomized test drew one
set of examples alone and another after other tests had imported more of the model (the scenario
fuzz ran 232 of its 320 draws alone and 176 in a full suite, short of its own floor). The repeatable
profile draws from Hypothesis's own constants only (``tests/test_determinism.py`` checks it)."""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "repeatable")
settings.load_profile(PROFILE)


def _draw_no_local_constants() -> None:
    """Hypothesis keeps the pool of the project's constants in a private function; where it has none
    (older versions), its draws never depended on what was loaded."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the module
        return
    if hasattr(providers, "_get_local_constants"):
        none = providers.Constants()
        providers._get_local_constants = lambda: none


if PROFILE == "repeatable":
    _draw_no_local_constants()
