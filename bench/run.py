"""The API benchmark: work-order creation, list and detail through a real HTTP server.

For each database (SQLite, PostgreSQL) it builds the scale data set in a dedicated database
(migrate + ``manage.py demo --scale N``), starts gunicorn on a free 127.0.0.1 port and drives it
from a separate load-generator process (bench/loadgen.py):

1. create    closed loop, C clients, D seconds: POST /api/v1/workorders → creations/s
2. baseline  the same against a bare view doing one INSERT (bench/baseline_urls.py)
3. list      open loop at a fixed rate: filtered, paged GET /api/v1/workorders → p50/p95/p99
4. detail    open loop at a fixed rate: GET /api/v1/workorders/{id} → p50/p99

Prints a table with PASS/FAIL against the targets and writes bench/results/<stamp>-<db>.json and
bench/results/latest-<db>.json. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
SQLITE_FILE = ROOT / "var" / "bench.sqlite3"
PG_HOST, PG_PORT, PG_DB = "127.0.0.1", 5432, "aftersales_bench"
PG_ADMIN_URL = f"postgres://postgres@{PG_HOST}:{PG_PORT}/postgres"
PG_URL = f"postgres://postgres@{PG_HOST}:{PG_PORT}/{PG_DB}"

TARGET_RATIO = 0.40  # creation throughput / bare-insert throughput
TARGET_P99_MS = 100.0  # list and detail, at the fixed rate, on PostgreSQL
SERVER_START_TIMEOUT = 60.0
BUILD_TIMEOUT = 4 * 3600.0
PHASE_SLACK = 90.0  # seconds a load-generator run may take beyond its duration + warm-up
SAMPLES = 2000  # request inputs picked up front per kind
PHASES = ("create", "baseline", "list", "detail")
IDLE_WAIT_LIMIT = 120.0  # seconds to wait for the server to drain before a phase
IDLE_TICKS = 2  # CPU ticks per worker in half a second that still count as idle


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- environment and data set -----------------------------------------------------------------

def db_env(db: str, pg_options: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "ROOT_URLCONF_OVERRIDE")}
    env.update(DEBUG="0", LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1", DJANGO_SETTINGS_MODULE="aftersales.settings")
    if db == "postgres":
        # --pg-options ends up in the connection's OPTIONS (dj-database-url reads the query string).
        env["DATABASE_URL"] = PG_URL + (f"?{pg_options}" if pg_options else "")
    else:
        env["SQLITE_PATH"] = str(SQLITE_FILE)
    return env


def postgres_answers() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            return True
    except OSError:
        return False


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True,
                         connect_timeout=5) as conn:
        conn.execute(sql)


def pg_database_exists() -> bool:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True,
                         connect_timeout=5) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone() is not None


def manage(env: dict, *args: str, timeout: float = BUILD_TIMEOUT) -> None:
    cmd = [sys.executable, "manage.py", *args]
    log("$ " + " ".join(cmd[1:]))
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, timeout=timeout)


def prepare(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(BENCH / "prepare.py"), *args], cwd=ROOT, env=env, check=True, timeout=600,
        stdout=subprocess.PIPE, text=True,
    )
    return json.loads(out.stdout)


def dataset_info(db: str, env: dict) -> dict:
    if db == "postgres" and not pg_database_exists():
        return {"ready": False}
    if db == "sqlite" and not SQLITE_FILE.exists():
        return {"ready": False}
    try:
        return prepare(env, "info")
    except subprocess.CalledProcessError:
        return {"ready": False}


def build_dataset(db: str, env: dict, scale: int, seed: int) -> float:
    """Drop and rebuild the bench database; returns the seconds spent."""
    if not (ROOT / "demo" / "management" / "commands" / "demo.py").exists():
        raise SystemExit("bench: the demo command (demo/management/commands/demo.py) is not there yet")
    if db == "postgres":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DB}")
    else:
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_FILE) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "demo", "--seed", str(seed), "--scale", str(scale))
    built = time.perf_counter() - started
    analyze_started = time.perf_counter()
    prepare(env, "analyze")
    log(f"{db}: ANALYZE took {time.perf_counter() - analyze_started:.1f}s")
    return built


# --- the server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn in its own session, so Ctrl-C reaches us first and we stop it in order."""

    def __init__(self, env: dict, workers: int, worker_class: str, threads: int, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "ROOT_URLCONF_OVERRIDE": "bench.baseline_urls"}
        self.cmd = [
            sys.executable, "-m", "gunicorn", "aftersales.wsgi", "-b", f"127.0.0.1:{self.port}",
            "-w", str(workers), "-k", worker_class, "--threads", str(threads),
            "--timeout", "60", "--graceful-timeout", "5", "--backlog", "2048",
            "--error-logfile", str(log_path), "--log-level", "warning",
        ]
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log(f"gunicorn on {self.url} ({' '.join(self.cmd[self.cmd.index('-w'):self.cmd.index('--timeout')])})")
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}): {self.tail_log()}")
            try:
                import httpx

                if httpx.get(self.url + "/bench/baseline-insert", timeout=2).status_code == 405:
                    return
            except Exception:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {SERVER_START_TIMEOUT:.0f}s: {self.tail_log()}")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def tail_log(self) -> str:
        try:
            return self.log_path.read_text()[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        log("gunicorn stopped")


# --- CPU accounting (Linux /proc; absent elsewhere) -------------------------------------------

def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def machine_ticks() -> tuple[int, int]:
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values), idle


# --- phases -----------------------------------------------------------------------------------

def wait_idle(pids: list[int], hz: int, limit: float = IDLE_WAIT_LIMIT) -> float:
    """Wait until the workers stop using CPU; returns the seconds waited.

    After an overloaded open-loop phase, requests the load generator gave up on are still queued
    in gunicorn's backlog; without this wait the next phase would be measured behind them.
    """
    started = time.perf_counter()
    last = cpu_ticks(pids)
    while time.perf_counter() - started < limit:
        time.sleep(0.5)
        now = cpu_ticks(pids)
        if now - last <= IDLE_TICKS * len(pids):
            break
        last = now
    return time.perf_counter() - started


def run_phase(server: Gunicorn, input_path: Path, mode: str, args: argparse.Namespace, out_dir: Path) -> dict:
    out = out_dir / f"{mode}.json"
    cmd = [
        sys.executable, str(BENCH / "loadgen.py"), "--base-url", server.url, "--input", str(input_path),
        "--mode", mode, "--duration", str(args.duration), "--concurrency", str(args.concurrency),
        "--rate", str(args.rate), "--warmup", str(args.warmup), "--client", args.client, "--out", str(out),
    ]
    if args.idempotency and mode == "create":
        cmd.append("--idempotency")
    log(f"phase {mode}: {args.duration:g}s " + (
        f"closed loop, {args.concurrency} clients" if mode in ("create", "baseline") else f"at {args.rate:g} req/s"
    ))
    hz = os.sysconf("SC_CLK_TCK")
    workers = server.worker_pids()
    waited = wait_idle(workers, hz)
    if waited > 1:
        log(f"waited {waited:.0f}s for the server to finish the previous phase's queued requests")
    srv0, (all0, idle0) = cpu_ticks(workers), machine_ticks()
    wall0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, timeout=args.duration + args.warmup + PHASE_SLACK)
    wall = time.perf_counter() - wall0
    srv1, (all1, idle1) = cpu_ticks(workers), machine_ticks()
    result = json.loads(out.read_text())
    # Includes the warm-up; a rough "who used the cores" for reading the figures, not a metric.
    result["server_cpu_cores"] = round((srv1 - srv0) / hz / wall, 2)
    result["machine_busy"] = round(1 - (idle1 - idle0) / (all1 - all0), 2) if all1 > all0 else None
    return result


def verdicts(db: str, phases: dict) -> dict:
    """The targets the phases that ran can decide (with --phases, a check whose phase did not run is absent)."""
    checks: dict[str, dict] = {}
    if "create" in phases and "baseline" in phases:
        create, base = phases["create"], phases["baseline"]
        ratio = (create["throughput_per_s"] / base["throughput_per_s"]) if base["throughput_per_s"] else None
        checks["creation_ratio"] = {"value": round(ratio, 3) if ratio is not None else None,
                                    "target": f">= {TARGET_RATIO}", "pass": ratio is not None and ratio >= TARGET_RATIO}
    for mode in ("list", "detail"):
        if mode in phases:
            value = phases[mode]["latency_ms"]["p99"]
            checks[f"{mode}_p99_ms"] = {"value": value, "target": f"< {TARGET_P99_MS:g}",
                                        "pass": value is not None and value < TARGET_P99_MS}
    checks["no_errors"] = {"value": sum(p["errors"] for p in phases.values()), "target": "0"}
    checks["no_errors"]["pass"] = checks["no_errors"]["value"] == 0
    return {
        "applies": db == "postgres",  # the targets are set for PostgreSQL; SQLite is shown for comparison
        "complete": set(phases) == set(PHASES),
        "checks": checks,
        "pass": set(phases) == set(PHASES) and all(c["pass"] for c in checks.values()),
    }


def fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}{unit}"
    return f"{value:,}{unit}"


def print_report(report: dict) -> None:
    p, v = report["phases"], report["verdict"]
    title = f"{report['db']} · scale {report['scale']:,} · {report['dataset']['work_orders']:,} work orders"
    print("\n" + title + "\n" + "=" * len(title))
    print(f"{'phase':<10}{'req/s':>10}{'ok':>8}{'err':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'srv cpu':>9}{'client':>8}")
    for name in PHASES:
        if name not in p:
            continue
        r = p[name]
        lat = r["latency_ms"]
        print(f"{name:<10}{fmt(r['throughput_per_s']):>10}{r['ok']:>8}{r['errors']:>6}{fmt(lat['p50']):>9}"
              f"{fmt(lat['p95']):>9}{fmt(lat['p99']):>9}{fmt(lat['max']):>9}{fmt(r['server_cpu_cores']):>9}"
              f"{fmt(r['client_cpu_share']):>8}")
    if "list" in p:
        slow = sorted(p["list"]["by_kind"].items(), key=lambda kv: -(kv[1]["p99"] or 0))
        print("list by filter (p50 / p99 ms): " + ", ".join(f"{k} {s['p50']}/{s['p99']}" for k, s in slow))
    suffix = "" if v["applies"] else "   (targets are for PostgreSQL; shown for comparison)"
    if not v["complete"]:
        suffix += "   (partial run: --phases)"
    print(f"targets{suffix}")
    for key, check in v["checks"].items():
        value = check["value"]
        value = f"{value:.3f}" if key == "creation_ratio" and value is not None else fmt(value)
        print(f"  {'PASS' if check['pass'] else 'FAIL'}  {key:<15} {value} (target {check['target']})")
    for name, r in p.items():
        for sample in r["error_samples"]:
            print(f"  error in {name}: {sample}")


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def bench_one(db: str, args: argparse.Namespace) -> dict | None:
    env = db_env(db, args.pg_options)
    if db == "postgres" and not postgres_answers():
        log(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}: skipping the PostgreSQL run")
        return None
    build_s = None
    info = dataset_info(db, env) if args.reuse else {"ready": False}
    if info.get("ready") and info.get("work_orders", 0) >= args.scale:
        log(f"{db}: reusing the data set ({info['work_orders']:,} work orders)")
        # The orders earlier runs opened are vacuumed and counted as a server's autovacuum would have done
        # in the minutes between runs (this machine's server runs with autovacuum off): otherwise every
        # run's list phase would meet the fresh rows of all the runs before it (docs/benchmarks.md).
        started = time.perf_counter()
        prepare(env, "analyze")
        done = "VACUUM ANALYZE" if db == "postgres" else "ANALYZE"
        log(f"{db}: {done} of the reused data set took {time.perf_counter() - started:.1f}s")
    else:
        log(f"{db}: building the data set at scale {args.scale:,}")
        build_s = build_dataset(db, env, args.scale, args.seed)
        log(f"{db}: data set built in {build_s:.1f}s")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp_dir = Path(tmp)
        inputs = prepare(env, "setup", str(SAMPLES), str(args.seed))
        input_path = tmp_dir / "input.json"
        input_path.write_text(json.dumps(inputs))
        server = Gunicorn(env, args.workers, args.worker_class, args.threads, tmp_dir / "gunicorn.log")
        try:
            server.start()
            phases = {mode: run_phase(server, input_path, mode, args, tmp_dir) for mode in args.phases}
        finally:
            server.stop()
        server_log = server.tail_log()
    report = {
        "db": db,
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "scale": args.scale,
        "dataset": inputs["counts"],
        "build_seconds": round(build_s, 1) if build_s is not None else None,
        "settings": {"duration_s": args.duration, "rate": args.rate, "concurrency": args.concurrency,
                     "workers": args.workers, "worker_class": args.worker_class, "threads": args.threads,
                     "warmup_s": args.warmup, "idempotency_key": args.idempotency, "client": args.client,
                     "phases": args.phases, "pg_options": args.pg_options if db == "postgres" else ""},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "phases": phases,
    }
    report["verdict"] = verdicts(db, phases)
    report["creation_vs_baseline"] = report["verdict"]["checks"].get("creation_ratio", {}).get("value")
    if server_log.strip():
        report["server_log_tail"] = server_log
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    # A partial (--phases) run does not replace the latest full result.
    for name in (f"{stamp}-{db}.json", *([f"latest-{db}.json"] if report["verdict"]["complete"] else [])):
        (RESULTS / name).write_text(json.dumps(report, indent=2) + "\n")
    print_report(report)
    log(f"wrote bench/results/{stamp}-{db}.json")
    return report


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Work-order API benchmark (docs/benchmarks.md).")
    parser.add_argument("--scale", type=int, default=1_000_000, help="extra work orders and products (demo --scale)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--rate", type=float, default=100.0, help="requests/s in the list and detail phases")
    parser.add_argument("--concurrency", type=int, default=8, help="clients in the create and baseline phases")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up before each phase")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw",
                        help="load generator's HTTP client (raw asyncio streams cost a quarter of httpx's CPU)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--idempotency", action="store_true", help="send an Idempotency-Key with each create")
    parser.add_argument("--reuse", action="store_true", help="keep the bench database if it already has the data")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a PostgreSQL target fails")
    parser.add_argument("--pg-options", default="", metavar="QUERY",
                        help="PostgreSQL connection OPTIONS as a URL query string, for experiments, e.g. "
                             "'server_side_binding=true&prepare_threshold=5' (docs/benchmarks.md)")
    parser.add_argument("--phases", default=",".join(PHASES),
                        help="comma-separated subset of the phases to run, in the usual order (tuning runs)")
    args = parser.parse_args(argv)
    requested = {p.strip() for p in args.phases.split(",") if p.strip()}
    if not requested or requested - set(PHASES):
        parser.error(f"--phases takes a subset of {','.join(PHASES)}")
    args.phases = [p for p in PHASES if p in requested]
    if args.scale < 0 or not 0 < args.duration <= 3600 or not 0 < args.rate <= 5000 or not 1 <= args.workers <= 64:
        parser.error("an option is out of range")

    # SIGTERM becomes an exception too, so the finally blocks stop gunicorn.
    signal.signal(signal.SIGTERM, _interrupt)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    reports = []
    try:
        for db in dbs:
            report = bench_one(db, args)
            if report:
                reports.append(report)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    if len(reports) > 1:
        print("\nsummary")
        for r in reports:
            c, p = r["verdict"]["checks"], r["phases"]
            parts = [f"{m} {fmt(p[m]['throughput_per_s'])}/s" for m in ("create", "baseline") if m in p]
            if "creation_ratio" in c:
                parts.append(f"ratio {c['creation_ratio']['value']}")
            parts += [f"{m} p99 {fmt(c[f'{m}_p99_ms']['value'])} ms" for m in ("list", "detail") if f"{m}_p99_ms" in c]
            print(f"  {r['db']:<9} " + ", ".join(parts) + f" → {'PASS' if r['verdict']['pass'] else 'FAIL'}")
    failed = any(r["verdict"]["applies"] and not r["verdict"]["pass"] for r in reports)
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
