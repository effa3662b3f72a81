"""The load generator: a separate process from the server, talking HTTP to 127.0.0.1 only.

Two shapes:
* closed loop (``create``, ``baseline``): C clients each send, wait, send again for D seconds;
  the figure is completed requests per second.
* open loop (``list``, ``detail``): requests are scheduled at a fixed rate whatever the server
  does, and latency is measured from the *scheduled* send time, so time spent queueing behind a
  slow response counts (no coordinated omission).

The default client is a minimal HTTP/1.1 client on asyncio streams: on a 2-core machine the
client shares the cores with the server, and httpx spends about four times the CPU per request
(measured: 0.8 vs 0.2 cores at the same rate), which capped the bare-insert baseline at the client.
``--client httpx`` is kept for comparison.

Reads the inputs picked by bench/prepare.py from --input, writes one JSON object to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import random
import resource
import sys
import time
from collections import Counter
from urllib.parse import urlencode, urlsplit

import httpx

REQUEST_TIMEOUT = 10.0  # seconds; a request slower than this is an error
DRAIN_TIMEOUT = 15.0  # seconds to wait for in-flight requests after the last one is sent
MAX_IN_FLIGHT = 1000  # open loop: beyond this the server has fallen over; stop sending
ERROR_SAMPLES = 5


class RawClient:
    """Just enough HTTP/1.1 for this bench: one connection per request (gunicorn's sync workers
    close after each response anyway), Content-Length bodies, nothing else."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.headers = {"Host": f"{self.host}:{self.port}", "Connection": "close", **headers}

    async def request(self, method: str, path: str, *, json_body=None, content: bytes | None = None,
                      params: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        return await asyncio.wait_for(
            self._request(method, path, json_body, content, params, headers or {}), REQUEST_TIMEOUT
        )

    async def _request(self, method, path, json_body, content, params, headers) -> tuple[int, str]:
        if params:
            path = f"{path}?{urlencode(params)}"
        body = json.dumps(json_body).encode() if json_body is not None else (content or b"")
        head = {**self.headers, **headers, "Content-Length": str(len(body))}
        if json_body is not None:
            head["Content-Type"] = "application/json"
        request = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n"
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(request.encode("latin-1") + body)
            status = int((await reader.readline()).split(b" ", 2)[1])
            length = None
            while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            data = await (reader.readexactly(length) if length is not None else reader.read())
        finally:
            writer.close()
        return status, data.decode("utf-8", "replace")


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), round(p / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def summarise(latencies: list[float]) -> dict:
    values = sorted(latencies)
    ms = lambda v: None if v is None else round(v * 1000, 2)  # noqa: E731
    return {
        "n": len(values),
        "p50": ms(percentile(values, 50)),
        "p90": ms(percentile(values, 90)),
        "p95": ms(percentile(values, 95)),
        "p99": ms(percentile(values, 99)),
        "max": ms(values[-1] if values else None),
        "mean": ms(sum(values) / len(values) if values else None),
    }


class Recorder:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.by_kind: dict[str, list[float]] = {}
        self.statuses: Counter[str] = Counter()
        self.errors = 0
        self.error_samples: list[str] = []

    def record(self, kind: str, latency: float, status: int | str, body: str = "") -> None:
        self.statuses[str(status)] += 1
        ok = isinstance(status, int) and 200 <= status < 300
        if not ok:
            self.errors += 1
            if len(self.error_samples) < ERROR_SAMPLES:
                self.error_samples.append(f"{status} {kind}: {body[:300]}")
            return
        self.latencies.append(latency)
        self.by_kind.setdefault(kind, []).append(latency)


def build_request(mode: str, data: dict, rng: random.Random, seq: int) -> tuple[str, str, dict, str]:
    """(method, path, kwargs, kind) for request number seq."""
    if mode == "create":
        payload = data["creates"][seq % len(data["creates"])]
        headers = {}
        if data.get("idempotency"):
            headers["Idempotency-Key"] = f"bench-{data['run_id']}-{seq}"
        return "POST", "/api/v1/workorders", {"json_body": payload, "headers": headers}, "create"
    if mode == "baseline":
        return "POST", "/bench/baseline-insert", {"content": f"bench {seq}".encode()}, "baseline"
    if mode == "detail":
        order_id = rng.choice(data["order_ids"])
        return "GET", f"/api/v1/workorders/{order_id}", {}, "detail"
    if mode == "list":
        params = rng.choice(data["lists"])
        query = {k: v for k, v in params.items() if not k.startswith("_")}
        return "GET", "/api/v1/workorders", {"params": query}, params.get("_kind", "list")
    raise ValueError(mode)


async def send(client, rec: Recorder, request: tuple, started: float) -> None:
    method, path, kwargs, kind = request
    try:
        if isinstance(client, RawClient):
            status, body = await client.request(method, path, **kwargs)
        else:
            if "json_body" in kwargs:
                kwargs["json"] = kwargs.pop("json_body")
            response = await client.request(method, path, **kwargs)
            status, body = response.status_code, ("" if response.is_success else response.text)
        rec.record(kind, time.perf_counter() - started, status, body if not 200 <= status < 300 else "")
    except (TimeoutError, httpx.HTTPError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
        rec.record(kind, time.perf_counter() - started, type(exc).__name__, str(exc))


async def closed_loop(client, data, mode: str, concurrency: int, duration: float, rec: Recorder) -> dict:
    seq = itertools.count()
    rng = random.Random(1)
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await send(client, rec, build_request(mode, data, rng, next(seq)), started)

    start = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))),
                           duration + REQUEST_TIMEOUT + DRAIN_TIMEOUT)
    return {"elapsed_s": time.perf_counter() - start, "sent": next(seq)}


async def open_loop(client, data, mode: str, rate: float, duration: float, rec: Recorder) -> dict:
    rng = random.Random(2)
    total = int(rate * duration)
    interval = 1.0 / rate
    tasks: set[asyncio.Task] = set()
    max_lag = 0.0
    aborted = False
    start = time.perf_counter()
    for i in range(total):
        scheduled = start + i * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        max_lag = max(max_lag, time.perf_counter() - scheduled)
        if len(tasks) >= MAX_IN_FLIGHT:
            aborted = True
            break
        task = asyncio.create_task(send(client, rec, build_request(mode, data, rng, i), scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    sent_in = time.perf_counter() - start
    if tasks:
        done, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT + DRAIN_TIMEOUT)
        for task in pending:
            task.cancel()
            rec.record("drain", REQUEST_TIMEOUT, "timeout")
    return {
        "elapsed_s": sent_in,
        "sent": total if not aborted else i,
        "achieved_rate": round(total / sent_in, 1) if sent_in else None,
        "max_dispatch_lag_ms": round(max_lag * 1000, 2),
        "aborted_overload": aborted,
    }


async def run(args: argparse.Namespace, data: dict) -> dict:
    host = urlsplit(args.base_url).hostname
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("loadgen: only 127.0.0.1 is allowed")
    headers = {"Authorization": f"Bearer {data['token']}"}
    concurrency = args.concurrency if args.mode in ("create", "baseline") else 256
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with contextlib.AsyncExitStack() as stack:
        if args.client == "httpx":
            client = await stack.enter_async_context(httpx.AsyncClient(
                base_url=args.base_url, headers=headers, limits=limits, timeout=REQUEST_TIMEOUT))
        else:
            client = RawClient(args.base_url, headers)
        if args.warmup > 0:  # imports, URL resolver, DB connection in every worker
            warm = Recorder()
            await closed_loop(client, data, args.mode if args.mode != "create" else "detail",
                              max(2, args.concurrency), args.warmup, warm)
        rec = Recorder()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        if args.mode in ("create", "baseline"):
            shape = await closed_loop(client, data, args.mode, args.concurrency, args.duration, rec)
        else:
            shape = await open_loop(client, data, args.mode, args.rate, args.duration, rec)
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    ok = len(rec.latencies)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "mode": args.mode,
        "shape": "closed" if args.mode in ("create", "baseline") else "open",
        "concurrency": args.concurrency if args.mode in ("create", "baseline") else None,
        "rate": args.rate if args.mode in ("list", "detail") else None,
        "duration_s": args.duration,
        **shape,
        "ok": ok,
        "errors": rec.errors,
        "throughput_per_s": round(ok / shape["elapsed_s"], 1) if shape["elapsed_s"] else None,
        "latency_ms": summarise(rec.latencies),
        "by_kind": {k: summarise(v) for k, v in sorted(rec.by_kind.items())},
        "statuses": dict(rec.statuses),
        "error_samples": rec.error_samples,
        # Near 1.0 means the load generator, not the server, was the limit.
        "client": args.client,
        "client_cpu_share": round(cpu / shape["elapsed_s"], 2) if shape["elapsed_s"] else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--input", required=True, help="JSON written by bench/prepare.py setup")
    parser.add_argument("--mode", choices=["create", "baseline", "list", "detail"], required=True)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--idempotency", action="store_true", help="send an Idempotency-Key with each create")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not (0 < args.duration <= 3600 and 0 < args.rate <= 10_000 and 0 < args.concurrency <= 512):
        parser.error("duration, rate or concurrency out of range")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    if soft != resource.RLIM_INFINITY and soft < want:  # one socket per in-flight request
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    with open(args.input) as fh:
        data = json.load(fh)
    data["idempotency"] = args.idempotency
    data["run_id"] = f"{time.time_ns():x}"
    result = asyncio.run(run(args, data))
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
