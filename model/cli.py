"""The `lhe` command: run places, compare them, sweep experiments, list scenarios and regimes.

Bad input (a scenario file or a command-line value) ends with a message that
names the file or option, the value and what is allowed, and exit code 2. A
run that fails part-way keeps its tables so far, marked partial, and ends with
one line saying what failed, in which month and where, and exit code 1; the
traceback is shown only with ``--debug``. Results never overwrite an earlier
run's folder unless ``--force`` says so.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2
EXIT_RUN_FAILED = 1


def _whole_number(minimum: int, allowed: str):
    """An argparse type: a whole number of at least ``minimum``, refused in the words of ``allowed``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"got {text!r}; {allowed} is allowed") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"got {value}; {allowed} is allowed")
        return value

    return parse


_positive_int = _whole_number(1, "a whole number of at least 1")
_seed = _whole_number(0, "a whole number of 0 or more")


def _port(text: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    value = _whole_number(1, "a port from 1 to 65535")(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"got {value}; a port from 1 to 65535 is allowed")
    return value


def _folder(text: str) -> Path:
    """An argparse type: a folder path, not empty and without control characters."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"got {text!r}; a folder path is allowed (e.g. results/my-run)")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise argparse.ArgumentTypeError(f"got {text!r}; a folder path without control characters is allowed")
    return Path(text)


def build_parser() -> argparse.ArgumentParser:
    from model.experiments.commands import add_parsers, processes_arg

    # every parser refuses abbreviations: a mistyped --step must not quietly mean --steps
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    common.add_argument("--debug", action="store_true", help="show the Python traceback when something fails")
    p = argparse.ArgumentParser(prog="lhe", description="Simulate a local health economy: fortress or system of care.",
                                allow_abbrev=False)
    p.add_argument("--debug", action="store_true", dest="debug_all", help="show the Python traceback when something fails")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, **kw: Any) -> argparse.ArgumentParser:
        return sub.add_parser(name, allow_abbrev=False, parents=[common], **kw)

    r = command("run", help="run a scenario and write tables and charts")
    r.add_argument("scenario", nargs="?", default=None, help="scenario name or TOML file (default: baseline)")
    r.add_argument("--seed", type=_seed, default=None, help="random seed (default: the scenario's)")
    r.add_argument("--seeds", type=_positive_int, default=None, metavar="N", help="run N seeds (seed, seed+1, ...) on local processes")
    r.add_argument("--steps", type=_positive_int, default=None, help="months to simulate (default: the scenario's)")
    r.add_argument("--out", type=_folder, default=None, help="output folder (default: results/<scenario>-seed<N>/)")
    r.add_argument("--force", action="store_true", help="replace the results already in the output folder (a single run)")
    r.add_argument("--processes", type=processes_arg, default=None,
                   help="worker processes for --seeds (default: all cores; 0: in this process)")
    r.add_argument("--scheduler", default=None, metavar="local[:N]|tcp://HOST:PORT", help="run --seeds on Dask (needs lhe[distributed])")
    r.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="change a parameter by its path, e.g. --set population.size=50000 (repeatable; VALUE is TOML)")
    r.add_argument("--no-charts", action="store_true", help="write tables only")
    r.add_argument("--quiet", action="store_true", help="no progress bar")

    c = command("compare", help="run payment arrangements on the same place and seeds; rank them")
    c.add_argument("scenario", nargs="?", default=None, help="scenario name or TOML file (default: baseline)")
    c.add_argument("--regimes", type=_names, default=None, metavar="A,B,C",
                   help="arrangements to compare, by name, comma-separated (default: every one that applies to the place)")
    c.add_argument("--seeds", type=_positive_int, default=20, metavar="N",
                   help="seeds per arrangement (seed, seed+1, ...), shared by every arrangement (default: 20)")
    c.add_argument("--seed", type=_seed, default=None, help="first seed (default: the scenario's)")
    c.add_argument("--steps", type=_positive_int, default=None, help="months to simulate (default: the scenario's)")
    c.add_argument("--out", type=_folder, default=None, help="output folder (default: results/<scenario>-compare/)")
    c.add_argument("--processes", type=processes_arg, default=None, help="worker processes (default: all cores; 0: in this process)")
    c.add_argument("--scheduler", default=None, metavar="local[:N]|tcp://HOST:PORT", help="run on Dask (needs lhe[distributed])")
    c.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="change a parameter by its path for every arrangement (repeatable; VALUE is TOML)")
    c.add_argument("--rank-by", type=_outcome, default="net_health_benefit", metavar="OUTCOME",
                   help="the outcome the table is ranked on (default: net_health_benefit, the place's QALYs with "
                        "its money priced as the QALYs it would buy, which does not turn on where commissioners' "
                        "headroom goes)")
    c.add_argument("--headroom", choices=("spent", "banked", "both"), default=None,
                   help="what commissioners do with the headroom their plans find: spend it on services outside "
                        "the model, bank it, or run the comparison under both on the same seeds and say which "
                        "outcomes order the arrangements alike (default: the scenario's setting)")
    c.add_argument("--across", default=None, metavar="PATH=V1,V2",
                   help="run the comparison under each setting of one parameter (two to four values, each TOML) on "
                        "the same seeds and say which outcomes order the arrangements alike, e.g. "
                        "net_health.council_cost_per_qaly=3800,54224")
    c.add_argument("--quiet", action="store_true", help="no progress bar")

    add_parsers(command, _positive_int)

    vz = command("viz", help="the place live in the browser, for teaching (one place per browser session)")
    vz.add_argument("scenario", nargs="?", default=None, help="the place to start from (default: baseline)")
    vz.add_argument("--port", type=_port, default=8765, help="port (default 8765)")
    vz.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")

    cl = command("class", help="classroom mode: students play the organisations from their own browsers")
    cl.add_argument("scenario", nargs="?", default=None, help="the place to play (default: teach-place)")
    cl.add_argument("--port", type=_port, default=8766, help="port (default 8766)")
    cl.add_argument("--lan", default=None, metavar="INTERFACE",
                    help="serve the classroom's network on this interface (a name such as eth0, or its address); "
                         "default: this machine only (127.0.0.1)")
    cl.add_argument("--seed", type=_seed, default=None, help="random seed (default: the scenario's)")
    cl.add_argument("--window", type=_positive_int, default=90, metavar="SECONDS",
                    help="seconds students have to decide each simulated year (default 90)")
    for served in (vz, cl):
        served.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                            help="change a parameter of the place by its path (repeatable; VALUE is TOML), "
                                 "e.g. net_health.council_cost_per_qaly=54224")

    command("scenarios", help="list the ready-made scenarios")
    s = command("show", help="describe a scenario: its opening comment, then every parameter with its source")
    s.add_argument("scenario", help="scenario name or TOML file")
    command("regimes", help="list the payment regimes and their parameters")
    return p


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"got {text!r}; one or more arrangement names, comma-separated, are allowed")
    return names


def _outcome(text: str) -> str:
    from model.compare import OUTCOMES

    if text not in OUTCOMES:
        raise argparse.ArgumentTypeError(f"got {text!r}; one of {', '.join(OUTCOMES)} is allowed")
    return text


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, read; an unknown option is refused with the command's own options listed."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        command = commands.choices[args.command]
        known = sorted({o for a in command._actions for o in a.option_strings if o.startswith("--")})
        command.error(f"unrecognized arguments: {' '.join(extra)}; {command.prog}'s options are: {', '.join(known)}")
    args.debug = args.debug or args.debug_all  # `lhe --debug run ...` as well as `lhe run ... --debug`
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from model.outputs import OutputError
    from model.scenario import ScenarioError

    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "compare":
            return cmd_compare(args)
        if args.command in ("sweep", "analyse", "discover", "report"):
            from model.experiments import commands

            return getattr(commands, f"cmd_{args.command}")(args)
        if args.command == "viz":
            return cmd_viz(args)
        if args.command == "class":
            return cmd_class(args)
        if args.command == "scenarios":
            return cmd_scenarios()
        if args.command == "show":
            return cmd_show(args)
        if args.command == "regimes":
            return cmd_regimes()
    except (ScenarioError, OutputError) as e:
        print(f"lhe: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("lhe: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `lhe regimes | head`): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # noqa: BLE001 - a fault of the program, not of the input: one line, the traceback on request
        if args.debug:
            traceback.print_exc()
        first = (str(e).strip().splitlines() or [""])[0]
        print(f"lhe: error: {type(e).__name__}: {first}" + ("" if args.debug else " (--debug shows the traceback)"), file=sys.stderr)
        return EXIT_RUN_FAILED
    return 0


def _parse_sets(items: list[str]) -> dict[str, Any]:
    from model.overrides import command_line_changes

    return command_line_changes(items).values


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from model.overrides import command_line_changes
    from model.scenario import load_scenario

    # no monitor thread beside the progress bars: the chart drawers fork only a process with one thread
    tqdm.monitor_interval = 0

    changes = command_line_changes(args.set, args.steps, args.seed)
    scenario = changes.apply(load_scenario(args.scenario))
    if args.seeds:
        return _run_seeds(args, scenario, changes.values)
    return _run_single(args, scenario)


def _run_single(args: argparse.Namespace, scenario) -> int:
    """Run one place into its folder: tables, run.json and charts, then the completion record;
    a run that stops part-way keeps its tables so far with a record saying why."""
    from model.drawers import ChartDrawers
    from model.outputs import PARTIAL, RunFolder, default_folder, prepare_folder

    seed = scenario.run.seed
    out = args.out if args.out is not None else default_folder(scenario.name, f"seed{seed}")
    folder = RunFolder(prepare_folder(out, force=args.force, option="--out" if args.out is not None else None))
    # forked before the model's imports: they import the plotting code on the other core meanwhile
    drawers = None if args.no_charts else ChartDrawers()
    from tqdm import tqdm

    from model.economy import LocalHealthEconomy
    from model.failures import attempt

    t0 = time.perf_counter()
    with tqdm(total=scenario.run.steps, desc=f"{scenario.name} seed {seed}", unit="month", disable=args.quiet, file=sys.stderr) as bar:
        run = attempt(lambda: LocalHealthEconomy(scenario), bar.update, on_failure=_traceback_if(args.debug))
    seconds = time.perf_counter() - t0
    model = run.model
    if model is not None and run.months_done:
        place, orgs = model.place_table(), model.organisation_table()
        if drawers is not None and run.finished:
            drawers.start(place, orgs, out, scenario.name)  # they draw while the tables are written
        folder.write_parquet("place.parquet", place)
        folder.write_parquet("organisations.parquet", orgs)
    error = run.failure.error if run.failure else ("interrupted" if run.interrupted else None)
    folder.write_json("run.json", _run_record(scenario, [seed], seconds, error, events=model.events if model is not None else None))
    record = {"scenario": scenario.name, "seed": seed, "steps": scenario.run.steps, "months_done": run.months_done}
    if not run.finished:
        if drawers is not None:
            drawers.close()
        why = run.failure.record() if run.failure else {"error": "interrupted (Ctrl-C)", "month": run.months_done + 1}
        folder.partial({**record, **why})
        kept = f"the tables of months 1 to {run.months_done} are kept" if run.months_done else "no month finished; its record is"
        what = run.failure.describe() if run.failure else f"interrupted in month {run.months_done + 1}"
        hint = "; --debug shows the traceback" if run.failure and not args.debug else ""
        print(f"lhe: error: {what}; {kept} in {out}, marked partial ({PARTIAL}){hint}", file=sys.stderr)
        return 130 if run.interrupted else EXIT_RUN_FAILED
    try:
        folder.written([] if drawers is None else drawers.finish())
    except Exception as e:  # noqa: BLE001 - the tables are kept; the folder says what is missing
        _traceback_if(args.debug)(e)
        folder.partial({**record, "error": f"charts: {type(e).__name__}: {e}"})
        print(f"lhe: error: the run finished but its charts failed: {type(e).__name__}: {e}; the tables are kept in {out}, "
              f"marked partial ({PARTIAL})", file=sys.stderr)
        return EXIT_RUN_FAILED
    folder.complete({**record, "seconds": round(seconds, 3)})
    print(summary(place, orgs, scenario.name, seconds))
    for line in _events(model):
        print(line)
    print(f"\nwrote {out}/: {', '.join(folder.files)}, COMPLETE.json")
    return 0


def _traceback_if(debug: bool):
    """With --debug, print an exception's traceback where it is caught."""

    def show(error: BaseException) -> None:
        if debug:
            traceback.print_exception(error)

    return show


def _run_seeds(args: argparse.Namespace, scenario, changes: dict[str, Any]) -> int:
    import pandas as pd
    from tqdm import tqdm

    from model.experiments import multirun
    from model.experiments.runner import RunResult, RunSpec, combine, run_many, write_tables
    from model.outputs import default_folder, mark_complete

    first = scenario.run.seed
    seeds = list(range(first, first + args.seeds))
    out = args.out if args.out is not None else default_folder(scenario.name, f"seeds{first}-{seeds[-1]}")
    # the validated scenario (changes applied) goes to the workers; they never read its file
    specs = [RunSpec(scenario=scenario, seed=s) for s in seeds]
    try:  # before any run: resume this command's folder, or refuse one holding anything else
        resumed = multirun.prepare(out, "run --seeds", {"scenario": scenario.digest(), "seeds": seeds})
    except multirun.FolderInUse as e:
        print(f"lhe: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    t0 = time.perf_counter()
    results, failed = [], []

    def folder(spec) -> Path:
        return out / "seeds" / f"seed={spec.seed}"

    def save(result) -> None:
        # each seed is saved as it finishes, then marked complete: a later failure or a kill loses nothing
        if result.place is not None and result.ok:
            write_tables(folder(result.spec), result.place, result.organisations)
            multirun.mark_run(folder(result.spec), multirun.run_key(result.spec), result.seconds, result.worker)
        (failed if not result.ok else results).append(result)

    todo = []
    for spec in specs:
        if resumed and multirun.finished(folder(spec), multirun.run_key(spec)):
            results.append(RunResult(spec, pd.read_parquet(folder(spec) / "place.parquet"),
                                     pd.read_parquet(folder(spec) / "organisations.parquet"), 0.0))
        else:
            todo.append(spec)
    with tqdm(total=len(specs), desc=f"{scenario.name} x{len(specs)} seeds", unit="run", disable=args.quiet, file=sys.stderr) as bar:
        if results:
            bar.write(f"resuming {out}: {len(results)} of {len(specs)} seeds already finished there", file=sys.stderr)
            bar.update(len(results))
        if todo:
            for _ in run_many(todo, processes=args.processes, on_result=save, scheduler=args.scheduler):
                bar.update(1)
    seconds = time.perf_counter() - t0
    place, orgs = combine(sorted(results, key=lambda r: r.spec.seed))
    if results:
        write_tables(out, place, orgs)
    _write_run_json(out, scenario, seeds, seconds, "; ".join(f"seed {r.spec.seed}: {r.error.strip().splitlines()[-1]}" for r in failed) or None)
    for r in failed:
        print(f"lhe: seed {r.spec.seed} failed:\n{r.error}", file=sys.stderr)
    if not results:
        return EXIT_RUN_FAILED
    charts = [] if args.no_charts else _charts(place, orgs, out, f"{scenario.name} ({len(results)} seeds)")
    if not failed:
        mark_complete(out, {"runs": len(specs), "seconds": round(seconds, 3)})
    print(summary(place, orgs, f"{scenario.name}, {len(results)} seeds (medians)", seconds))
    print(f"\nwrote {out}/: place.parquet, organisations.parquet (with a seed column), run.json, seeds/" + (", " + ", ".join(c.name for c in charts) if charts else ""))
    return EXIT_RUN_FAILED if failed else 0


def _import_in_background(module: str):
    """Import a module on a thread while the model runs (NumPy releases the lock for most
    of a month's work), so loading the plotting library costs the command little time."""
    import importlib
    import threading

    thread = threading.Thread(target=importlib.import_module, args=(module,), daemon=True)
    thread.start()
    return thread


def _charts(place, orgs, out: Path, title: str) -> list[Path]:
    from model.report import make_charts

    return make_charts(place, orgs, out, title)


def _events(model) -> list[str]:
    """The run's contracting events, a line each."""
    out = []
    for e in model.events:
        if e["event"] == "tender_won":
            bids = ", ".join(f"{n} £{b / 1e6:,.2f}m" for n, b in sorted(e["bids"].items(), key=lambda kv: kv[1]))
            out.append(f"  month {e['step']}: {e['commissioner']}'s {e['scope']} tender won by {e['winner']} "
                       f"(bids {bids}; today's value £{e['value'] / 1e6:,.2f}m, true cost £{e['true_cost'] / 1e6:,.2f}m)")
        elif e["event"] == "top_up":
            out.append(f"  month {e['step']}: {e['contract']} asked for £{e['pounds'] / 1e6:,.2f}m more: "
                       + ("granted" if e["granted"] else "refused"))
        elif e["event"] == "contract_ended":
            out.append(f"  month {e['step']}: {e['winner']} handed back {e['contract']} after losing £{e['loss'] / 1e6:,.2f}m; "
                       f"termination cost £{e['termination_cost'] / 1e6:,.2f}m")
    return out


def summary(place, orgs, title: str, seconds: float) -> str:
    """A few lines on how the place fared: first year against last."""
    med = place.groupby("month").median(numeric_only=True) if "seed" in place.columns else place.set_index("month")
    # national support drawn in the twelve months to each month (the column runs from the start)
    med = med.assign(national_support_in_year=med["national_support"].diff(12).fillna(med["national_support"]))
    first, last = med.iloc[:12], med.iloc[-12:]
    years = len(med) / 12

    def row(label: str, col: str, fmt: str, agg: str = "mean", scale: float = 1.0) -> str:
        """First year against last: the mean over the year, its sum, or its last value."""
        pick = {"last": lambda s: s.iloc[-1], "sum": lambda s: s.sum()}.get(agg, lambda s: s.mean())
        a, b = pick(first[col]) * scale, pick(last[col]) * scale
        return f"  {label:<38}{format(a, fmt):>12}{format(b, fmt):>12}"

    lines = [f"{title}: {years:g} years simulated in {seconds:.1f} s", f"  {'':<38}{'first year':>12}{'last year':>12}",
             row("emergency admissions per 1,000", "emergency_admissions_per_1000", ".1f"),
             row("delayed transfer days a month", "delayed_transfer_days", ",.0f"),
             row("elective waiting list", "waiting_list", ",.0f", "last"),
             row("bed occupancy", "bed_occupancy", ".0%"),
             row("65+ emergency bed days/1,000 a year", "emergency_bed_days_65plus_per_1000", ",.0f"),
             row("unmet social care need (people)", "unmet_social_care_need", ",.0f"),
             row("spending / inflows", "spending_to_inflows", ".3f"),
             row("place balance, £m (year end)", "place_balance", ",.1f", "last", 1e-6),
             row("  without national support, £m", "place_balance_own", ",.1f", "last", 1e-6),
             row("national support drawn in the year, £m", "national_support_in_year", ",.1f", "last", 1e-6),
             row("QALYs per person-year", "qalys_per_person_year", ".4f"),
             row("QALYs bought outside the model", "qalys_outside", ",.1f", "sum"),
             row("QALYs from community services' change", "qalys_community", ",.1f", "sum"),
             row("net monetary benefit, £m (the year's)", "net_monetary_benefit", ",.1f", "sum", 1e-6),
             row("net health benefit, QALYs (the year's)", "net_health_benefit", ",.1f", "sum")]
    final = orgs[orgs["month"] == orgs["month"].max()]
    if "seed" in final.columns:
        final = final.groupby(["name", "kind", "strategy"], as_index=False)["reserves"].median()
    lines.append("  reserves at the end, £m:")
    for kind in ("commissioner", "council", "hospital", "gp_federation", "prime_contractor"):
        sub = final[final["kind"] == kind]
        if len(sub):
            items = ", ".join(f"{r.name} ({r.strategy[0]}) {r.reserves / 1e6:,.1f}" for r in sub.itertuples())
            lines.append(f"    {kind}: {items}")
    if "contracts_ended" in med and med["contracts_ended"].iloc[-1] > 0:
        lines.append(f"  contracts ended early: {med['contracts_ended'].iloc[-1]:g}")
    return "\n".join(lines)


def _write_run_json(out: Path, scenario, seeds: list[int], seconds: float, error: str | None,
                    events: list[dict[str, Any]] | None = None) -> None:
    from model.outputs import write_json

    write_json(out / "run.json", _run_record(scenario, seeds, seconds, error, events))


def _run_record(scenario, seeds: list[int], seconds: float, error: str | None,
                events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """run.json: what was run (scenario, parameters, seeds, versions) and how it ended."""
    from model.scenario import resolved_parameters

    versions = {}
    for pkg in ("lhe", "mesa", "numpy", "pandas", "pyarrow", "networkx", "pydantic", "matplotlib"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    record = {
        "scenario": scenario.name,
        "scenario_file": scenario.origin,
        "scenario_hash": scenario.digest(),
        "seeds": seeds,
        "seed": seeds[0] if len(seeds) == 1 else None,
        "steps": scenario.run.steps,
        "status": "failed" if error else "ok",
        "error": error,
        "seconds": round(seconds, 3),
        "python": platform.python_version(),
        "packages": versions,
        "git_commit": _git_commit(),
        "parameters": resolved_parameters(scenario),
        "sources": scenario.sources,
    }
    if events is not None:
        record["events"] = events  # contracting: tenders won, top-ups asked, contracts ended
    return record


def _git_commit() -> str | None:
    try:
        here = Path(__file__).resolve().parent
        res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
        if res.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=here, capture_output=True, text=True, timeout=5).stdout.strip()
        return res.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def cmd_compare(args: argparse.Namespace) -> int:
    from model.compare import CONVENTIONS, HEADROOM, TERMS, plan
    from model.outputs import default_folder
    from model.scenario import ScenarioError

    changes = _parse_sets(args.set)
    if args.seed is not None:
        changes["run.seed"] = args.seed
    if args.headroom is not None and HEADROOM in changes:
        raise ScenarioError("--set", HEADROOM, changes[HEADROOM],
                            "--headroom sets it for the comparison; give one or the other")
    across = None
    if args.across is not None:
        from model.overrides import parse_across

        across = parse_across(args.across)
        if args.headroom == "both":
            raise ScenarioError(across.option, across.path, across.given,
                                "--headroom both is already a comparison across settings; give one or the other")
    if args.headroom in CONVENTIONS:
        changes[HEADROOM] = CONVENTIONS[args.headroom]
    if across is not None:
        if across.path == "run.seed":
            raise ScenarioError(across.option, across.path, across.given,
                                "the seeds are the comparison's own (--seed, --seeds), the same under every setting; "
                                "vary another parameter")
        if across.path == "run.steps" and args.steps is not None:
            raise ScenarioError(across.option, across.path, across.given,
                                "--steps sets it for the comparison; give one or the other")
        if across.path in changes:
            raise ScenarioError(across.option, across.path, across.given,
                                f"{'--headroom' if across.path == HEADROOM else '--set'} sets it for the comparison; "
                                "give one or the other")
        if not across.path.startswith(TERMS + "."):  # a regime's terms are checked against the arrangements taking them
            across.check(args.scenario)
        leaf = across.path.rsplit(".", 1)[-1]
        folders = {c: f"{leaf}-{_folder_safe(c)}" for c in across.labels}
        if len(set(folders.values())) < len(folders):
            raise ScenarioError(across.option, across.path, across.given,
                                "values that differ in more than punctuation (each names a folder)")
        return _compare_across(args, changes, across.path, dict(zip(across.labels, across.values, strict=True)),
                               folders, "settings", f"{across.path}: " + ", ".join(across.labels), across.option)
    if args.headroom == "both":
        return _compare_across(args, changes, HEADROOM, dict(CONVENTIONS), {c: f"headroom-{c}" for c in CONVENTIONS},
                               "conventions", "commissioners' headroom spent and banked", "--headroom both")
    p = plan(args.scenario, args.regimes, args.seeds, args.steps, changes, names_from="--regimes")
    out = args.out if args.out is not None else default_folder(p.scenario.name, "compare")
    code, _, _ = _compare_in(args, p, out)
    return code


def _folder_safe(text: str) -> str:
    """A setting's label as part of a folder's name: letters, digits, '.', '_' and '-' kept, the rest '_'."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def _compare_across(args: argparse.Namespace, changes: dict, path: str, settings: dict[str, Any],
                    folders: dict[str, str], stem: str, describe: str, option: str) -> int:
    """A whole comparison under each setting of ``path`` on the same seeds, each in its own folder under the output
    folder, then side by side (:func:`settings_table`), with ``stem``.parquet and ``stem``.png beside them."""
    from model.compare import TERMS, plan, rank
    from model.experiments import multirun
    from model.outputs import default_folder, mark_complete
    from model.scenario import ScenarioError

    try:
        plans = {c: plan(args.scenario, args.regimes, args.seeds, args.steps, {**changes, path: v}, names_from="--regimes")
                 for c, v in settings.items()}
    except ScenarioError as e:  # a setting refused (a regime's term, checked here): said against the option
        if e.field == path:
            raise ScenarioError(option, e.field, e.value, e.allowed) from None
        raise
    missing = object()
    term = path.startswith(TERMS + ".")  # a regime's term: absent where the arrangement's regimes do not take it
    for c, p in plans.items():  # an arrangement that sets the parameter itself would not be compared across it
        for a, own in p.changes.items():
            held = own.get(TERMS, {}).get(path[len(TERMS) + 1:], missing) if term else own.get(path, missing)
            if (held is missing and not term) or (held is not missing and held != settings[c]):
                raise ScenarioError(option, path, settings[c],
                                    f"arrangement {a} sets {path} itself, so it cannot be compared across it; "
                                    "leave it out with --regimes or vary another parameter")
    first = next(iter(plans.values()))
    out = args.out if args.out is not None else default_folder(first.scenario.name, "compare")
    key = {"headroom": "both"} if stem == "conventions" else {"across": path}
    try:
        multirun.prepare(out, "compare", {**key, "plans": {
            c: {"scenario": p.scenario.digest(), "arrangements": p.changes, "seeds": p.seeds, "steps": p.steps}
            for c, p in plans.items()}})
    except multirun.FolderInUse as e:
        print(f"lhe: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    summaries, longs, codes = {}, {}, []
    for c, p in plans.items():
        label = f", commissioners' headroom {c}" if stem == "conventions" else f", {path} = {c}"
        code, summaries[c], longs[c] = _compare_in(args, p, out / folders[c], label)
        codes.append(code)
        if summaries[c] is None:
            return code
        print()
    print(settings_table(summaries, args.rank_by, path, out, longs, stem=stem, folders=folders))
    # imported in the background by the comparisons above
    from model.compare_report import comparison_chart

    comparison_chart(longs, out / f"{stem}.png",
                     f"{first.scenario.name}: {describe}, {len(first.seeds)} seeds, {first.scenario.run.steps} months",
                     order=list(rank(summaries[next(iter(plans))], by=args.rank_by)["arrangement"]), rank_by=args.rank_by)
    if max(codes) == 0:
        mark_complete(out, {"settings": list(summaries), "parameter": path, "rank_by": args.rank_by})
    return max(codes)


def _compare_in(args: argparse.Namespace, p, out: Path, label: str = ""):
    """Run one comparison's plan into ``out`` and print its ranked table; the exit code, the summary and the
    long table (both None when nothing ran or every run failed)."""
    import warnings

    import pandas as pd
    from tqdm import tqdm

    from model.compare import OUTCOMES, RunFailedWarning, rank, run_plan, summarise
    from model.experiments import multirun
    from model.experiments.runner import write_tables
    from model.outputs import mark_complete, write_parquet

    try:  # before any run: resume this comparison's folder, or refuse one holding anything else
        resumed = multirun.prepare(out, "compare", {"scenario": p.scenario.digest(), "arrangements": p.changes,
                                                    "seeds": p.seeds, "steps": p.steps})
    except multirun.FolderInUse as e:
        print(f"lhe: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT, None, None
    charting = _import_in_background("model.compare_report")
    t0 = time.perf_counter()

    def run_folder(spec) -> Path:
        return out / "runs" / spec.arrangement / f"seed={spec.seed}"

    def reuse(spec):
        folder = run_folder(spec)
        return pd.read_parquet(folder / "place.parquet") if multirun.finished(folder, multirun.run_key(spec)) else None

    with tqdm(total=len(p.specs), desc=f"{p.scenario.name}{label}: {len(p.arrangements)} arrangements x {len(p.seeds)} seeds",
              unit="run", disable=args.quiet, file=sys.stderr) as bar:

        def save(result) -> None:
            # each run is saved as it finishes, then marked complete: a later failure or a kill loses nothing
            if result.place is not None and result.ok:
                write_tables(run_folder(result.spec), result.place, result.organisations)
                multirun.mark_run(run_folder(result.spec), multirun.run_key(result.spec), result.seconds, result.worker)
            bar.update(1)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RunFailedWarning)  # reported below, with the traceback
            kept = sum(reuse(s) is not None for s in p.specs) if resumed else 0
            if kept:
                bar.write(f"resuming {out}: {kept} of {len(p.specs)} runs already finished there", file=sys.stderr)
                bar.update(kept)
            long = run_plan(p, processes=args.processes, on_result=save, scheduler=args.scheduler,
                            reuse=reuse if resumed else None)
    seconds = time.perf_counter() - t0
    failed = long.attrs.get("failed", [])
    write_parquet(out / "comparison.parquet", long)
    error = "; ".join(f"{f['arrangement']} seed {f['seed']}: {f['error'].strip().splitlines()[-1]}" for f in failed) or None
    _write_run_json(out, p.scenario, p.seeds, seconds, error)
    record = json.loads((out / "run.json").read_text())
    record.update({
        "command": "compare",
        "scenario_file": p.source,
        "arrangements": {a: p.changes[a] for a in p.arrangements},
        "outcomes": {name: {"column": o.column, "over": o.over, "higher_is_better": o.higher_is_better} for name, o in OUTCOMES.items()},
        "rank_by": args.rank_by,
        "failed_runs": [{"arrangement": f["arrangement"], "seed": f["seed"]} for f in failed],
    })
    (out / "run.json").write_text(json.dumps(record, indent=2, default=str))
    if not failed:
        mark_complete(out, {"runs": len(p.specs), "seconds": round(seconds, 3)})
    for f in failed:
        print(f"lhe: {f['arrangement']}, seed {f['seed']} failed:\n{f['error']}", file=sys.stderr)
    if long.empty:
        print(f"lhe: every run failed; their tables so far are in {out}/runs/", file=sys.stderr)
        return EXIT_RUN_FAILED, None, None
    summary_table = summarise(long)
    ranked = rank(summary_table, by=args.rank_by)
    charting.join()
    from model.compare_report import comparison_chart

    comparison_chart(long, out / "comparison.png", f"{p.scenario.name}{label}: {len(p.seeds)} seeds, {p.scenario.run.steps} months",
                     order=list(ranked["arrangement"]), rank_by=args.rank_by)
    print(ranked_table(summary_table, ranked, args.rank_by,
                       f"{p.scenario.name}{label}: {len(p.arrangements)} arrangements x {len(p.seeds)} seeds, "
                       f"{p.scenario.run.steps} months ({len(p.specs)} runs in {seconds:.1f} s)", len(p.seeds)))
    if len(ranked) > 1:
        print()
        print(paired_table(long, ranked, args.rank_by))
    print(f"\nwrote {out}/: comparison.parquet, comparison.png, run.json, runs/<arrangement>/seed=<n>/")
    return (EXIT_RUN_FAILED if failed else 0), summary_table, long


def paired_table(long, ranked, rank_by: str) -> str:
    """Each arrangement against the best on the ranking's outcome, seed by seed: the mean difference with its
    95% interval and the seeds on which it did better or worse (:func:`model.compare.paired_with`)."""
    from model.compare import OUTCOMES, paired_with

    o = OUTCOMES[rank_by]
    best = str(ranked["arrangement"].iloc[0])
    paired = paired_with(long, rank_by, best).set_index("arrangement")
    unit = f", {o.unit}" if o.unit else ""
    lines = [f"paired with the best, {best}, on the same seeds: *{o.label}{unit} ({o.when}), arrangement less {best}, "
             f"{'higher' if o.higher_is_better else 'lower'} is better; an interval across 0: not told apart on these seeds; "
             f"p, Holm: the paired t test's p-value adjusted by Holm's method over the {max(len(paired), 1)} arrangements "
             f"paired with {best}, below 0.05: told apart with the chance of any false call among them at most 5%"]
    cells = []
    for i, a in zip(ranked["rank"], ranked["arrangement"], strict=True):
        if a == best or a not in paired.index:
            continue
        r = paired.loc[a]
        interval = f"{format(r['low'] * o.scale, o.fmt)} to {format(r['high'] * o.scale, o.fmt)}"
        cells.append((str(i), a, format(r["mean"] * o.scale, o.fmt), interval, _p_cell(r["p holm"]),
                      f"{int(r['better'])} / {int(r['worse'])} of {int(r['n'])}"))
    headers = ("#", "arrangement", "difference", "95% interval", "p, Holm", "better / worse, seeds")
    widths = [max(len(h), *(len(c[k]) for c in cells)) if cells else len(h) for k, h in enumerate(headers)]
    for row in (headers, *cells):
        padded = [v.rjust(w) if k in (0, 2, 3, 4) else v.ljust(w) for k, (v, w) in enumerate(zip(row, widths, strict=True))]
        lines.append(("  " + "  ".join(padded)).rstrip())
    return "\n".join(lines)


def _p_cell(p: float) -> str:
    """A p-value as printed: three decimals, below 0.001 as such, '-' where there was nothing to test."""
    return "-" if p != p else "<0.001" if p < 0.001 else f"{p:.3f}"


def settings_table(summaries, rank_by: str, path: str, out: Path | None = None, longs=None, *,
                   stem: str = "settings", folders: dict[str, str] | None = None) -> str:
    """The comparison under each setting of the parameter ``path`` side by side: the ranking on ``rank_by`` under
    each, and which outcomes order the arrangements alike under every setting. Given each setting's long table
    (``longs``), each outcome whose order differs also says whether the pairs that swapped (each setting against
    the first) differ beyond chance, seed by seed (:func:`model.compare.swaps`). The tables are written to ``out``/``stem``.parquet
    (and swaps.parquet) if ``out`` is given."""
    from model.compare import (
        CONVENTIONS,
        HEADROOM,
        OUTCOMES,
        agreement,
        ranks_under,
        swaps_against_first,
    )
    from model.outputs import write_parquet

    side = ranks_under(summaries)
    agree = agreement(side)
    swapped = swaps_against_first(longs) if longs is not None and len(longs) >= 2 else None
    settings = list(summaries)
    every = "both" if len(settings) == 2 else f"all {len(settings)}"
    by = OUTCOMES[rank_by]
    sub = side[side["outcome"] == rank_by]
    sub = sub.sort_values([f"rank {settings[0]}", "arrangement"], kind="stable")
    if path == HEADROOM and set(settings) <= set(CONVENTIONS):
        head = (f"under both conventions for commissioners' headroom ({HEADROOM}: "
                + ", ".join(f"{c} {CONVENTIONS[c]:g}" for c in settings) + "), the same seeds")
    else:
        head = f"under each setting of {path} ({', '.join(settings)}), the same seeds"
    lines = [head, f"ranked by *{by.label} ({by.when}; {'higher' if by.higher_is_better else 'lower'} is better):"]
    name_w = max(len("arrangement"), *(len(a) for a in sub["arrangement"]))
    cells = {c: [format(v * by.scale, by.fmt) for v in sub[f"mean {c}"]] for c in settings}
    width = {c: max(len(c), *(len(x) for x in cells[c])) for c in settings}
    lines.append(f"  {'arrangement':<{name_w}}" + "".join(f"  {'#':>2} {c:>{width[c]}}" for c in settings))
    for i, a in enumerate(sub["arrangement"]):
        lines.append(f"  {a:<{name_w}}" + "".join(f"  {int(sub[f'rank {c}'].iloc[i]):>2} {cells[c][i]:>{width[c]}}"
                                                  for c in settings))
    row = agree.set_index("outcome").loc[rank_by]
    lines.append(f"  the order is {'the same' if row['same_order'] else 'different'} under {every}")
    same = [OUTCOMES[o].heading for o in agree.loc[agree["same_order"], "outcome"]]
    lines.append(f"outcomes ordering the arrangements alike under {every}: " + ("; ".join(same) or "none"))
    differ = agree.loc[~agree["same_order"]].to_dict("records")
    lines.append("outcomes whose order differs" + (" (arrangements whose rank moved; the best under each):" if differ else ": none"))
    for r in differ:
        bests = [r[f"best {c}"] for c in settings]
        best = (f"{bests[0]} under {every}" if all(b == bests[0] for b in bests)
                else "; ".join(f"{b} {c}" for b, c in zip(bests, settings, strict=True)))
        lines.append(f"  {OUTCOMES[r['outcome']].heading}: {r['moved']} of {len(sub)} moved; best: {best}")
        if swapped is not None:
            for other in settings[1:]:
                pairs = swapped[(swapped["outcome"] == r["outcome"]) & (swapped["second"] == other)]
                lines.extend(_swap_lines(pairs, [settings[0], other], f"{settings[0]} against {other}, " if len(settings) > 2 else ""))
    if swapped is not None and differ:
        family = int(swapped[["p first", "p second"]].notna().to_numpy().sum())
        lines.append("  (pairs swapped: arrangements whose order turns" + (f", each setting against {settings[0]}" if len(settings) > 2 else "")
                     + "; both ways: each setting's paired 95% interval excludes 0, on opposite sides; one way: only one "
                     f"does; within chance: neither; Holm: the same with the {family} paired tests above adjusted together "
                     "by Holm's method, so that the chance of any false call among them is at most 5%)")
    if out is not None:
        write_parquet(out / f"{stem}.parquet", side)
        if swapped is not None:
            write_parquet(out / "swaps.parquet", swapped)
        lines.append(f"\nwrote {out}/: {stem}.parquet (each outcome's ranks and means under each), "
                     + ("swaps.parquet (each pair that swapped, paired seed by seed), " if swapped is not None else "")
                     + f"{stem}.png, " + ", ".join(f"{(folders or {}).get(c, c)}/" for c in settings))
    return "\n".join(lines)


SWAPS_LISTED = 5  # pairs listed under each verdict; the rest are in swaps.parquet


def _swap_lines(pairs, settings, prefix: str = "") -> list[str]:
    """One outcome's swapped pairs between two settings: the count of each verdict (each interval on its own, then
    Holm-corrected over the whole table), and the pairs turned round or
    holding one way."""
    from model.compare import OUTCOMES, SWAP_VERDICTS

    if pairs.empty:
        return [f"    {prefix}no pair swapped" + (": the order differs by ties alone" if not prefix else "")]
    counts, holm = pairs["verdict"].value_counts(), pairs["verdict holm"].value_counts()
    lines = [f"    {prefix}pairs swapped {len(pairs)}: " + ", ".join(f"{v} {int(counts.get(v, 0))}" for v in SWAP_VERDICTS)
             + "; Holm: " + ", ".join(f"{v} {int(holm.get(v, 0))}" for v in SWAP_VERDICTS)]
    o = OUTCOMES[pairs["outcome"].iloc[0]]
    for verdict in SWAP_VERDICTS[:2]:
        these = pairs[pairs["verdict"] == verdict].to_dict("records")
        for r in these[:SWAPS_LISTED]:
            cells = "; ".join(f"{c} {format(r[f'mean {k}'] * o.scale, o.fmt)} ({format(r[f'low {k}'] * o.scale, o.fmt)} "
                              f"to {format(r[f'high {k}'] * o.scale, o.fmt)})" for c, k in zip(settings, ("first", "second"), strict=True))
            after = "" if r["verdict holm"] == verdict else f" (Holm: {r['verdict holm']})"
            lines.append(f"      {verdict}: {r['a']} less {r['b']}: {cells}{after}")
        if len(these) > SWAPS_LISTED:
            lines.append(f"      {verdict}: {len(these) - SWAPS_LISTED} more (swaps.parquet)")
    return lines


def ranked_table(summary_table, ranked, rank_by: str, title: str, seeds: int) -> str:
    """The ranked table: arrangements best first, each outcome's mean with its 95% interval."""
    from model.compare import OUTCOMES

    cells = {(r.arrangement, r.outcome): r for r in summary_table.itertuples()}
    order = list(ranked["arrangement"])
    by = OUTCOMES[rank_by]
    lines = [title,
             f"ranked by *{by.label} ({by.when}; {'higher' if by.higher_is_better else 'lower'} is better), best first,"
             " equal means sharing a rank; each cell: mean across seeds ±half-width of its 95% interval"]
    ns = {a: cells[(a, rank_by)].n for a in order}
    if any(n != seeds for n in ns.values()):
        lines.append("some runs failed: n is the number of seeds that finished")

    def block(heading: str, names: list[str], headers: list[str]) -> None:
        rows = []
        for a in order:
            row = []
            for name in names:
                o, c = OUTCOMES[name], cells.get((a, name))
                if c is None:
                    row.append("-")
                    continue
                half = (c.high - c.mean) * o.scale
                row.append(f"{format(c.mean * o.scale, o.fmt)} ±{format(half, o.fmt.lstrip(','))}")
            rows.append(row)
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        name_w = max(len("arrangement"), *(len(a) for a in order))
        extra = any(n != seeds for n in ns.values())
        lines.append("")
        lines.append(f"{heading}")
        head = f"  {'#':>2} {'arrangement':<{name_w}}" + (f" {'n':>3}" if extra else "")
        lines.append(head + "".join(f"  {h:>{w}}" for h, w in zip(headers, widths, strict=True)))
        for i, a, row in zip(ranked["rank"], order, rows, strict=True):
            line = f"  {i:>2} {a:<{name_w}}" + (f" {ns[a]:>3}" if extra else "")
            lines.append(line + "".join(f"  {v:>{w}}" for v, w in zip(row, widths, strict=True)))

    # each column's heading says what it is, when it is taken (unless its block says so) and which way is better
    blocks = [
        ("balances, £m", ["place_balance_own", "place_balance", "balance_commissioner", "balance_council", "balance_hospital", "balance_gp_federation"]),
        ("net health: net monetary benefit, £m, and QALYs", ["net_monetary_benefit", "net_health_benefit", "qalys",
                                                              "qalys_outside", "qalys_community"]),
        ("care", ["emergency_admissions_per_1000", "delayed_transfer_days", "emergency_bed_days_65plus_per_1000", "waiting_list",
                  "unmet_social_care_need"]),
        ("strategies, trust and regulation", ["share_collaborative", "mean_trust", "in_special_measures", "national_support"]),
    ]
    placed = {n for _, names in blocks for n in names}
    if any(n not in placed for n in OUTCOMES):
        blocks.append(("other outcomes", [n for n in OUTCOMES if n not in placed]))
    lines.append("columns: ↑ higher is better, ↓ lower is better; end: at the end of the run, run: over the whole run, "
                 "12-mo mean: mean of the last 12 months")
    for heading, names in blocks:
        whens = {OUTCOMES[n].when for n in names}
        shared = len(whens) == 1
        headers = [f"{'*' if n == rank_by else ''}{OUTCOMES[n].heading}"
                   + ("" if shared else f" ({OUTCOMES[n].when_short})")
                   + (" ↑" if OUTCOMES[n].higher_is_better else " ↓") for n in names]
        block(f"{heading}, {whens.pop()}" if shared else heading, names, headers)
    return "\n".join(lines)


def cmd_viz(args: argparse.Namespace) -> int:
    """Serve the teaching page until Ctrl-C or SIGTERM (model.vizserve)."""
    from model.vizserve import ServeError, serve_viz

    try:
        return serve_viz(args.scenario, args.host, args.port, sets=args.set)
    except ServeError as e:
        print(f"lhe viz: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


def cmd_class(args: argparse.Namespace) -> int:
    """Serve classroom mode until Ctrl-C or SIGTERM (model.vizserve)."""
    from model.vizserve import ServeError, serve_class

    try:
        return serve_class(args.scenario, args.port, lan=args.lan, seed=args.seed, window=args.window, sets=args.set)
    except ServeError as e:
        print(f"lhe class: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


def cmd_scenarios() -> int:
    from model.scenario import list_scenarios, load_scenario

    names = list_scenarios()
    width = max((len(n) for n in names), default=0) + 2
    for name in names:
        print(f"{name:<{width}}{load_scenario(name).description}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """The scenario's description (the comment block opening its file), then every
    resolved parameter as ``path = value`` with its source, grouped by section."""
    from model.scenario import load_scenario, resolved_parameters

    scenario = load_scenario(args.scenario)
    path = Path(scenario.origin)
    chain = _extends_chain(path)
    print(f"{scenario.name}: {path}" + (f" (extends {' -> '.join(chain)})" if chain else ""))
    if scenario.description:
        print(scenario.description)
    comment = opening_comment(path)
    if comment:
        print()
        print(comment)
    sources = scenario.sources
    params = resolved_parameters(scenario)
    sections = [k for k in params if isinstance(params[k], dict | list)]
    for section in sections:
        rows = list(_flatten(params[section], section))
        print(f"\n[{section}]" + ("" if rows else "  (none)"))
        for key, value in rows:
            source = _source_of(key, sources)
            print(f"  {key} = {json.dumps(value)}" + (f"  <- {source}" if source else ""))
    return 0


def opening_comment(path: Path) -> str:
    """The comment block at the top of a scenario file, without the ``#`` marks."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            lines.append(stripped[1:][1:] if stripped[1:2] == " " else stripped[1:])
        elif stripped or lines:
            break
    return "\n".join(lines).strip("\n")


def _extends_chain(path: Path) -> list[str]:
    """The scenarios a file extends, nearest first (for display only)."""
    import tomllib

    from model.scenario import ScenarioError, scenario_path

    chain: list[str] = []
    seen = {path.resolve()}
    while True:
        try:
            parent = tomllib.loads(path.read_text(encoding="utf-8")).get("extends")
        except (OSError, tomllib.TOMLDecodeError):
            return chain
        if not isinstance(parent, str):
            return chain
        chain.append(parent)
        try:
            relative = Path(parent)
            path = scenario_path(path.parent / relative if relative.suffix == ".toml" and not relative.is_absolute() else parent)
        except ScenarioError:
            return chain
        if path.resolve() in seen:
            return chain
        seen.add(path.resolve())


def _flatten(node: Any, prefix: str):
    """(path, value) pairs; a list of plain values is one value, a list of tables is indexed."""
    if isinstance(node, dict):
        if not node:
            yield prefix, node
        for k, v in node.items():
            yield from _flatten(v, f"{prefix}.{k}")
    elif isinstance(node, list) and any(isinstance(v, dict | list) for v in node):
        for i, v in enumerate(node):
            yield from _flatten(v, f"{prefix}.{i}")
    else:
        yield prefix, node


def _source_of(key: str, sources: dict[str, str]) -> str | None:
    """A parameter's source: its own, or that of the figure it is part of."""
    parts = key.split(".")
    for n in range(len(parts), 0, -1):
        found = sources.get(".".join(parts[:n]))
        if found:
            return found
    return None


def cmd_regimes() -> int:
    from model.regimes import REGIMES

    width = max(12, *(len(n) + 2 for n in REGIMES))
    pw = max([len(p) + 2 for r in REGIMES.values() for p in r.parameters] or [0])
    for name, regime in REGIMES.items():
        print(f"{name:<{width}}{regime.description}  [scopes: {', '.join(sorted(regime.scopes))}]")
        for pname, param in regime.parameters.items():
            span = f"{param.low:g} to {param.high:g}"
            print(f"    {pname:<{pw}}default {param.default:<6g} range {span:<10}  {param.description}")
    if any(r.parameters for r in REGIMES.values()):
        print("\nset a parameter in a scenario under [contracting.terms], e.g. --set 'contracting.terms={NAME = VALUE}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
