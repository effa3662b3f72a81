"""Deployment safety: no start with the repository's key, a kept random key for the embedded default, a strict
Content-Security-Policy on every response, and `check --deploy` clean for a TLS configuration."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TLS = {"SECRET_KEY": "k" * 20 + "-a-long-random-deployment-key-0123456789-XYZ", "ALLOWED_HOSTS": "service.example.com",
       "SESSION_COOKIE_SECURE": "true", "SECURE_HSTS_SECONDS": "31536000", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
       "SECURE_HSTS_PRELOAD": "true", "SECURE_SSL_REDIRECT": "true",
       "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The server's own environment: none of the test session's (the browser tests allow async-unsafe calls).
    dropped = ("SECRET_KEY", "SECRET_KEY_FILE", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("SECURE_")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True,
                          text=True, timeout=120)


def test_a_server_for_other_hosts_without_a_secret_key_refuses_to_start():
    done = manage("check", ALLOWED_HOSTS="service.example.com", DEBUG="false")
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set, and this server answers for other hosts" in done.stderr


def test_without_a_secret_key_a_random_one_is_made_once_and_kept_private(tmp_path):
    path = tmp_path / "keys" / "secret_key"
    first = manage("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)",
                   SECRET_KEY_FILE=str(path))
    assert first.returncode == 0, first.stderr
    assert f"SECRET_KEY is not set: made a random one and kept it in {path} (mode 0600)" in first.stderr
    key = path.read_text().strip()
    assert first.stdout.strip().endswith(key) and len(key) >= 60
    assert "dev-only-insecure" not in key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = manage("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)",
                   SECRET_KEY_FILE=str(path))
    assert again.stdout.strip().endswith(key) and "made a random one" not in again.stderr


def test_check_deploy_is_clean_for_a_tls_configuration():
    done = manage("check", "--deploy", "--fail-level", "WARNING", **TLS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/portal/acme/login/", "/api/v1/nope", "/admin/login/"])
def test_every_response_carries_the_strict_policy(client, world, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and "unsafe" not in directives["script-src"]
    assert directives["style-src"] == "'self'" and directives["style-src-attr"] == "'unsafe-inline'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert directives["img-src"] == "'self' data: blob:" and directives["object-src"] == "'none'"
