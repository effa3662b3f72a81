"""Solve every VRPLIB VRPTW instance in a folder through the product's optimiser, and re-check it.

    .venv/bin/python bench/dispatch/vrptw.py DIR --time-limit SECONDS --out FILE.json

Per instance: gap to the best-known cost (the .sol file beside the .vrp, if any), wall time of
the optimiser call, and a feasibility re-check by bench/dispatch/vrptw_check.py, which shares no
code with the optimiser. The JSON holds, per instance, the name, the routes (customer numbers as
in the file), the cost and the seconds, so anyone can re-check it. See docs/dispatch-benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.dispatch import solomon  # noqa: E402
from bench.dispatch.vrptw_check import check  # noqa: E402
from dispatch.optimiser import ENGINES, solve  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="folder of .vrp files (with optional .sol files)")
    parser.add_argument("--time-limit", type=float, required=True, help="seconds per instance")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--engine", choices=ENGINES, default="auto")
    parser.add_argument("--workers", type=int, default=2, help="PyVRP processes (seeds) and VROOM threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vroom-level", type=int, default=None, help="VROOM exploration level (1-5)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="PyVRP workers restart from the best so far this often (default: the optimiser's)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="cpu: PyVRP runs count their own CPU seconds (a shared machine's load barely matters)")
    parser.add_argument("--only", nargs="*", default=None, help="instance names to run (default: all)")
    args = parser.parse_args(argv)

    files = sorted(args.dir.glob("*.vrp"))
    if args.only:
        files = [f for f in files if f.stem in set(args.only)]
    if not files:
        print(f"no .vrp file in {args.dir}", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    rows = []
    print(f"{'instance':<10} {'cost':>9} {'best':>9} {'gap %':>7} {'sec':>6}  check   engine")
    for path in files:
        instance = solomon.read(path)
        problem = solomon.to_problem(instance)
        began = time.perf_counter()
        plan = solve(problem, time_limit=args.time_limit, seed=args.seed, workers=args.workers,
                     engine=args.engine, vroom_level=args.vroom_level, clock=args.clock,
                     epochs=args.epochs)
        seconds = time.perf_counter() - began
        routes = solomon.routes_of(plan)
        verdict = check(instance, routes)
        best = solomon.best_known(path)
        gap = None if best is None else 100 * (verdict.cost - best) / best
        rows.append({
            "name": path.stem, "routes": routes, "cost": verdict.cost, "seconds": round(seconds, 3),
            "best_known": best, "gap_percent": None if gap is None else round(gap, 4),
            "feasible": verdict.feasible, "errors": verdict.errors[:10], "engine": plan.engine,
            "optimiser_cost": plan.cost / solomon.SCALE, "unassigned": len(plan.unassigned),
        })
        mark = "ok" if verdict.feasible else "FAIL"
        gap_text = "-" if gap is None else f"{gap:7.3f}"
        best_text = "-" if best is None else f"{best:9.1f}"
        print(f"{path.stem:<10} {verdict.cost:9.1f} {best_text:>9} {gap_text:>7} {seconds:6.2f}  {mark:<6}  "
              f"{plan.engine}", flush=True)
        for error in verdict.errors[:3]:
            print(f"    {error}")

    gaps = [r["gap_percent"] for r in rows if r["gap_percent"] is not None]
    summary = {
        "instances": len(rows),
        "feasible": sum(r["feasible"] for r in rows),
        "mean_gap_percent": round(statistics.fmean(gaps), 4) if gaps else None,
        "max_gap_percent": round(max(gaps), 4) if gaps else None,
        "mean_seconds": round(statistics.fmean(r["seconds"] for r in rows), 3),
        "max_seconds": round(max(r["seconds"] for r in rows), 3),
    }
    meta = {
        "time_limit": args.time_limit, "engine": args.engine, "workers": args.workers, "seed": args.seed,
        "vroom_level": args.vroom_level, "clock": args.clock, "epochs": args.epochs, "dir": str(args.dir),
        "cpus": os.cpu_count(),
        "python": platform.python_version(), "load_before": load_before, "load_after": os.getloadavg(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "summary": summary, "instances": rows}, indent=1))
    print(f"\n{summary['feasible']}/{summary['instances']} feasible; mean gap {summary['mean_gap_percent']} % "
          f"(max {summary['max_gap_percent']} %); mean {summary['mean_seconds']} s "
          f"(max {summary['max_seconds']} s); load {load_before[0]:.2f} -> {meta['load_after'][0]:.2f}")
    return 0 if summary["feasible"] == summary["instances"] else 1


if __name__ == "__main__":
    sys.exit(main())
