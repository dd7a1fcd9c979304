"""The sweep commands behind ``lhe sweep | analyse | discover | report`` (the parsers live in model/cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2
EXIT_RUN_FAILED = 1
EXIT_INTERRUPTED = 130


def _err(text: str) -> int:
    print(f"lhe: error: {text}", file=sys.stderr)
    return EXIT_BAD_INPUT


def add_executor_options(p: argparse.ArgumentParser, positive_int) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--processes", type=processes_arg, default=None, metavar="N",
                   help="worker processes on this machine (default: all cores; 0: in this process)")
    g.add_argument("--scheduler", default=None, metavar="local[:N]|tcp://HOST:PORT",
                   help="run on Dask: a LocalCluster of N workers, or a running scheduler (needs lhe[distributed])")


def processes_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; a whole number of 0 or more is allowed") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"got {value}; a whole number of 0 or more is allowed")
    return value


def add_parsers(command, positive_int) -> None:
    """The sweep commands; ``command(name, **kw)`` makes a subcommand's parser (no abbreviations, --debug)."""
    s = command("sweep", help="run an experiment file's design: streamed to disk, resumable")
    s.add_argument("experiment", help="experiment name (in experiments/) or TOML file")
    s.add_argument("--out", type=Path, default=None, help="sweep folder (default: results/sweeps/<name>/)")
    add_executor_options(s, positive_int)
    s.add_argument("--dry-run", action="store_true", help="validate and print the plan; run nothing")
    s.add_argument("--extend", action="store_true",
                   help="the experiment's seeds or design size changed: add the new runs to --out, reusing finished ones")
    s.add_argument("--flush-every", type=positive_int, default=None, metavar="N",
                   help="write finished runs to disk every N runs (default 25, or every 10 s): what a kill can lose at most")
    s.add_argument("--quiet", action="store_true", help="no progress bar")

    a = command("analyse", help="a sweep's sensitivity indices (Sobol, Morris) or main effects (factorial)")
    a.add_argument("folder", type=Path, help="a sweep folder")
    a.add_argument("--resamples", type=positive_int, default=1000, help="bootstrap resamples for the intervals (default 1000)")

    d = command("discover", help="scenario discovery: which conditions make a case of interest (PRIM, CART)")
    d.add_argument("folder", type=Path, help="a sweep folder")
    d.add_argument("--where", required=True, metavar="EXPRESSION",
                   help='the case of interest, on outcomes and factors, e.g. "place_balance < 0"')
    d.add_argument("--threshold", type=_share, default=0.8, help="PRIM: the least density of the box reported (default 0.8)")
    d.add_argument("--peel", type=_share, default=0.05, help="PRIM: the share of runs peeled at each step (default 0.05)")
    d.add_argument("--depth", type=positive_int, default=3, help="CART: the tree's depth (default 3)")

    r = command("report", help="a sweep's charts (PNG, SVG) and one self-contained HTML page")
    r.add_argument("folder", type=Path, help="a sweep folder")


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; a number between 0 and 1 is allowed") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"got {value}; a number between 0 and 1 (exclusive) is allowed")
    return value


def cmd_sweep(args: argparse.Namespace) -> int:
    from model.experiments.cluster import SchedulerError
    from model.experiments.spec import load_experiment
    from model.experiments.storage import StoreError, finished_ids
    from model.experiments.sweep import describe_plan, run_sweep

    experiment = load_experiment(args.experiment)  # an ExperimentError exits 2 in model.cli.main
    out = args.out or Path("results") / "sweeps" / experiment.name
    if args.out is not None and out.exists() and not out.is_dir():
        return _err(f"--out: got {str(out)!r}; a folder (new, or a sweep folder to resume) is allowed, not a file")
    if args.dry_run:
        done = finished_ids(out) if (out / "manifest.json").is_file() else set()
        print(describe_plan(experiment, out, done)[1])
        return 0
    try:
        result = run_sweep(experiment, out, processes=args.processes, scheduler=args.scheduler, extend=args.extend,
                           progress=not args.quiet, flush_runs=args.flush_every)
    except (StoreError, SchedulerError) as e:
        return _err(str(e))
    except KeyboardInterrupt:
        print(f"lhe sweep: interrupted; finished runs are in {out}/ and the same command resumes", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"{result.finished} runs finished, {result.failed} failed, in {result.seconds:.1f} s; "
          + ("the sweep is complete" if result.complete else "some runs are missing or failed: run the same command again to retry them")
          + f"\nwrote {out}/: manifest.json, design.parquet, plan.parquet, runs/"
          + (", monthly/" if experiment.spec.keep_monthly else "") + (", COMPLETE.json" if result.complete else ""))
    return 0 if result.complete else EXIT_RUN_FAILED


def _folder(path: Path) -> str | None:
    if not (path / "manifest.json").is_file():
        return f"{path}: not a sweep folder (no manifest.json); `lhe sweep FILE --out {path}` makes one"
    return None


def cmd_analyse(args: argparse.Namespace) -> int:
    from model.experiments import analyse as A

    if (problem := _folder(args.folder)) is not None:
        return _err(problem)
    try:
        analyses = A.analyse(args.folder, resamples=args.resamples)
    except A.IncompleteDesign as e:
        return _err(str(e))
    print(A.format_tables(analyses).lstrip("\n"))
    written = A.write(args.folder, analyses)
    print(f"\nwrote {', '.join(str(p) for p in written)}")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from model.experiments import discover as D

    if (problem := _folder(args.folder)) is not None:
        return _err(problem)
    try:
        d = D.discover(args.folder, args.where, threshold=args.threshold, peel=args.peel, max_depth=args.depth)
    except D.ExpressionError as e:
        return _err(str(e))
    print(D.format_discovery(d))
    folder = D.write(args.folder, d)
    print(f"\nwrote {folder}/: prim_trajectory.parquet, prim_box.parquet, cart_leaves.parquet, cart_rules.txt, discovery.json")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from model.experiments.report import make_report

    if (problem := _folder(args.folder)) is not None:
        return _err(problem)
    page = make_report(args.folder)
    charts = sorted(p.name for p in page.parent.glob("*.png"))
    print(f"wrote {page} with {len(charts)} charts ({', '.join(charts)}), each also as SVG")
    return 0
