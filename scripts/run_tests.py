"""Run the test suite; browser tests run when Chromium is installed, and we say so when it is not."""

import os
import subprocess
import sys
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
args = [sys.executable, "-m", "pytest", *sys.argv[1:]]
if not Path(CHROMIUM).exists():
    print(f"NOTE: {CHROMIUM} not found: browser tests are SKIPPED. Install Debian's chromium to run them.")
    args += ["-m", "not browser"]
db = os.environ.get("DATABASE_URL") or "SQLite (embedded)"
print(f"Running tests against: {db.split('@')[-1]}")
sys.exit(subprocess.call(args))
