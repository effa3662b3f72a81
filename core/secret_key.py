"""The secret key when none is configured: made once at random, kept in a file only its owner may read."""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path


def kept_key(path: Path) -> str:
    """The key in ``path``; made (50 random URL-safe characters, mode 0600) and announced the first time.

    Written to a temporary file and linked into place, so two processes starting at once agree: the one
    that links second reads the first one's key, never a half-written file.
    """
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        os.unlink(temporary)
    sys.stderr.write(f"SECRET_KEY is not set: made a random one and kept it in {path} (mode 0600). "
                     "Set SECRET_KEY in the environment for a deployment.\n")
    return key
