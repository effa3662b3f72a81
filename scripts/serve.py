"""`make run`'s last step: the web server in the terminal, the background work beside it.

Two processes run in the background for as long as the server does, their output in files under var/
rather than in the terminal a newcomer reads:

- ``manage.py run_periodic --loop``: the periodic jobs every minute (the SLA watch, forgetting old nonces);
  log in var/periodic.log;
- ``manage.py db_worker``: works the task queue in the database (notifications, service reports); log in
  var/worker.log.

The web server and both processes use the database task queue (TASKS_BACKEND=database) unless TASKS_BACKEND
says otherwise; with ``immediate`` no worker is started (tasks run where they are queued). Ctrl-C stops all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("SERVE_LOG_DIR", ROOT / "var"))  # where the background logs go


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


def main(address: str) -> int:
    VAR.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("TASKS_BACKEND", "database")
    started: list[subprocess.Popen] = []
    for what, command, log in background(env):
        with open(log, "ab") as out:
            started.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True))
        shown = log.relative_to(ROOT) if log.is_relative_to(ROOT) else log
        print(f"Started the {what} in the background (pid {started[-1].pid}); its log: {shown}", flush=True)
    # `kill` (SIGTERM) stops the background jobs too, as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
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
