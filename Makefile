# Each target creates .venv (with a Python >= 3.12 found by tools/find-python)
# and installs the project into it when needed.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: run test bench bytecode fuzz lint clean help lock scenario-charts viz class teaching-screenshots pattern-charts pattern-sensitivity pattern-replication experiment-charts

help:
	@echo "make run    - set up .venv and run the default scenario (results/ + charts)"
	@echo "make test   - set up .venv and run the test suite"
	@echo "make bench  - benchmark the default scenario (median of 5, memory, profile) and sweeps (ARGS=--sweep: sweeps only)"
	@echo "make viz    - the teaching page on http://127.0.0.1:8765 (fetches its assets once; ARGS='SCENARIO --port N')"
	@echo "make class  - classroom mode on http://127.0.0.1:8766 (ARGS='SCENARIO --lan IFACE')"
	@echo "make teaching-screenshots - the real pages through docs/teaching.md's exercises and a class (needs chromium)"
	@echo "make pattern-charts - the papers' patterns against their ablations, on the tests' seeds: docs/patterns.md and its charts"
	@echo "make pattern-sensitivity - the patterns' assumptions moved together (about 10 min): docs/pattern-sensitivity.md"
	@echo "make pattern-replication - the patterns' tests on seeds from 1, 1001 and 2001 side by side (about 15 min): docs/pattern-replication.md"
	@echo "make fuzz   - draw afresh: scenarios that break a run (DRAWS=3000), and the property tests' places"
	@echo "make lint   - ruff"
	@echo "make lock   - move constraints.txt (the exact releases installed) to the newest that pyproject.toml allows"
	@echo "make scenario-charts - run the scenario library's cases; charts in docs/img/scenarios/, docs/scenarios.md"
	@echo "make experiment-charts - sweep the example experiments; one chart each in docs/img/experiments/"

$(STAMP): pyproject.toml constraints.txt
	@if [ ! -x $(PY) ]; then \
	    PYBIN=$$(tools/find-python) || exit 1; \
	    echo "Creating $(VENV) with $$PYBIN"; \
	    "$$PYBIN" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@$(MAKE) --no-print-directory bytecode
	@touch $(STAMP)

# The newest releases pyproject.toml's ranges allow, pinned in constraints.txt (its first lines kept).
lock: $(STAMP)
	$(PY) -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test]'
	@{ grep '^#' constraints.txt; $(PY) -m pip freeze --exclude-editable; } > constraints.txt.new
	@mv constraints.txt.new constraints.txt
	@touch $(STAMP)
	@echo "constraints.txt now pins what .venv holds; run make test before committing it"

# The package's own modules compiled once (pip compiles what it installs, not an editable project): where
# PYTHONDONTWRITEBYTECODE is set, Python would otherwise compile them again at every start, about 0.35 s.
# A module edited since is compiled afresh in memory, as it would be without these files.
bytecode:
	@$(PY) -m compileall -q model

run: $(STAMP)
	$(VENV)/bin/lhe run $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q -n auto --dist loadfile $(ARGS)

bench: $(STAMP) bytecode
	$(PY) benchmarks/bench.py $(ARGS)

viz: $(STAMP)
	$(PY) tools/fetch_viz_assets.py
	$(VENV)/bin/lhe viz $(ARGS)

class: $(STAMP)
	$(PY) tools/fetch_viz_assets.py
	$(VENV)/bin/lhe class $(ARGS)

pattern-charts: $(STAMP)
	$(PY) tools/pattern_charts.py

pattern-sensitivity: $(STAMP)
	$(PY) tools/pattern_sensitivity.py $(ARGS)

pattern-replication: $(STAMP)
	$(PY) tools/pattern_replication.py $(ARGS)

teaching-screenshots: $(STAMP)
	$(PY) tools/teaching_screenshots.py

scenario-charts: $(STAMP)
	$(PY) tools/scenario_charts.py $(ARGS)

experiment-charts: $(STAMP)
	$(PY) tools/experiment_charts.py $(ARGS)

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=explore LHE_FUZZ_EXPLORE=1 LHE_FUZZ_DRAWS=$(or $(DRAWS),3000) $(PY) -m pytest -q -p no:xdist \
	    tests/test_scenario_fuzz.py tests/test_audit.py tests/test_conservation.py tests/test_ledger.py tests/test_regimes.py tests/test_regimes_more.py

lint: $(STAMP)
	$(VENV)/bin/ruff check model tests benchmarks tools

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
