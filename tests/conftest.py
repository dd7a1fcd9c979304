"""Property-based tests (Hypothesis) draw the same examples on every run of ``make test``, so a result
does not change between two runs of the same code; ``make fuzz`` loads the ``explore`` profile, which
draws afresh (set HYPOTHESIS_PROFILE=explore to do the same for any test)."""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
