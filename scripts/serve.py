"""`make run`'s last step: the web server in the terminal, the background work beside it.

Two processes run in the background for as long as the server does, their output in files under var/
rather than in the terminal a newcomer reads:

- ``manage.py run_periodic --loop``: the periodic jobs every minute (the SLA watch, forgetting old nonces);
  log in var/periodic.log;
- ``manage.py db_worker``: works the task queue in the database (notifications, service reports); log in
  var/worker.log;
- ``manage.py demo_providers``, started first: local stand-ins of the SMS gateway (Alibaba Cloud's SendSms) and of
  the WeChat official account's API (demo/providers.py), which the server, the worker and the periodic jobs are
  pointed at, so the customer's messages go out on SMS and WeChat through the real backends; log (each message
  taken) in var/providers.log, an SMS also in var/sms-outbox.log (the portal's sign-in code). With them, SF
  Express's stand-in on an accelerated clock, the courier of mail-in repairs (COURIER_BACKEND=sf), and the repair
  centre's bench robot, which keep the demo's mail-in units moving (each route push and bench step is a line of
  var/providers.log). An environment that names its own SMS backend (SMS_BACKEND), WeChat API (WECHAT_API_URL),
  payment backend (PAYMENT_BACKEND) or courier (COURIER_BACKEND) keeps it.

The web server and the processes use the database task queue (TASKS_BACKEND=database) unless TASKS_BACKEND
says otherwise; with ``immediate`` no worker is started (tasks run where they are queued). The links in messages
name the server's address (SITE_URL) unless SITE_URL says otherwise. Ctrl-C stops all.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("SERVE_LOG_DIR", ROOT / "var"))  # where the background logs go
PROVIDERS_STARTUP = 60.0  # seconds the stand-ins have to say where they listen
# The settings each stand-in answers for: an environment that names the first of a group keeps its own provider.
PROVIDER_GROUPS = {"SMS_BACKEND": ("SMS_BACKEND", "ALIYUN_SMS_URL", "ALIYUN_SMS_ACCESS_KEY_ID",
                                   "ALIYUN_SMS_ACCESS_KEY_SECRET", "ALIYUN_SMS_SIGN_NAME", "ALIYUN_SMS_CODE_TEMPLATE"),
                   "WECHAT_API_URL": ("WECHAT_API_URL",),
                   "PAYMENT_BACKEND": ("PAYMENT_BACKEND", "WECHATPAY_URL", "WECHATPAY_MCH_ID", "WECHATPAY_APP_ID",
                                       "WECHATPAY_SERIAL_NO", "WECHATPAY_PRIVATE_KEY", "WECHATPAY_PLATFORM_SERIAL",
                                       "WECHATPAY_PLATFORM_PUBLIC_KEY", "WECHATPAY_API_V3_KEY"),
                   "COURIER_BACKEND": ("COURIER_BACKEND", "SF_EXPRESS_URL", "SF_EXPRESS_PARTNER_ID",
                                       "SF_EXPRESS_CHECK_WORD", "SF_EXPRESS_MONTHLY_CARD")}


def background(env: dict[str, str]) -> list[tuple[str, list[str], Path]]:
    """(what, command, log file) of each background process for this configuration."""
    python = sys.executable
    jobs = [("periodic jobs (SLA watch)", [python, "manage.py", "run_periodic", "--loop"], VAR / "periodic.log")]
    if env["TASKS_BACKEND"] == "database":
        jobs.append(("task worker", [python, "manage.py", "db_worker", "--no-reload"], VAR / "worker.log"))
    elif env["TASKS_BACKEND"] == "redis":
        jobs.append(("task worker", [python, "manage.py", "rqworker", "default"], VAR / "worker.log"))
    return jobs


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _shown(log: Path) -> Path:
    return log.relative_to(ROOT) if log.is_relative_to(ROOT) else log


def start_providers(env: dict[str, str], started: list[subprocess.Popen]) -> None:
    """Start the SMS and WeChat stand-ins and point ``env`` at them (the groups it does not set itself)."""
    wanted = [group for first, group in PROVIDER_GROUPS.items() if first not in env]
    if not wanted:
        return
    target, log = VAR / "providers.json", VAR / "providers.log"
    target.unlink(missing_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen([sys.executable, "manage.py", "demo_providers", "--env-file", str(target)], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    started.append(process)
    print(f"Started the SMS gateway and WeChat API stand-ins in the background (pid {process.pid}); its log: "
          f"{_shown(log)}", flush=True)
    end = time.monotonic() + PROVIDERS_STARTUP
    while not target.exists() and process.poll() is None and time.monotonic() < end:
        time.sleep(0.2)
    if not target.exists():
        print(f"The stand-ins did not start (see {_shown(log)}): customer messages will fail.", flush=True)
        return
    pointed = json.loads(target.read_text(encoding="utf-8"))
    for group in wanted:
        env.update({name: pointed[name] for name in group})


def main(address: str) -> int:
    VAR.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("TASKS_BACKEND", "database")
    env.setdefault("SITE_URL", f"http://{address}")
    started: list[subprocess.Popen] = []
    # `kill` (SIGTERM) stops the background jobs too, as Ctrl-C does, also while they are starting.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        start_providers(env, started)
        for what, command, log in background(env):
            with open(log, "ab") as out:
                started.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, start_new_session=True))
            print(f"Started the {what} in the background (pid {started[-1].pid}); its log: {_shown(log)}",
                  flush=True)
        print(f"Starting the web server on http://{address}/ (Ctrl-C stops it and the background jobs).", flush=True)
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", address, "--noreload", "--insecure"],
                                  cwd=ROOT, env=env)
        try:
            return server.wait()
        except KeyboardInterrupt:
            # Ctrl-C in the terminal reached the server too; SIGTERM for when it did not (a `kill`, or a shell that
            # started this in the background with SIGINT ignored).
            server.terminate()
            try:
                return server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                return server.wait()
    except KeyboardInterrupt:
        return 130  # stopped before the server started
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"))
