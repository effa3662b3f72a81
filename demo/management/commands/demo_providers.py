"""``manage.py demo_providers``: the stand-ins of `make run` (demo/providers.py), and its repair centre's bench robot.

Started by scripts/serve.py before the web server: writes the settings that point at the stand-ins to
``--env-file`` (JSON, written whole or not at all), then prints each message the stand-ins take until it is
stopped (Ctrl-C or SIGTERM). Unless the environment names its own courier (COURIER_BACKEND), SF Express's
stand-in is the courier: it takes over the parcels the demo left on their way and starts its rounds (pushing the
route events whose time has come) once the server answers; and the bench robot (demo/mail_in_live.py) works the
repair centre's bench, each step a line of the log.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.test import override_settings

from demo.mail_in import sf_config
from demo.mail_in_live import BenchRobot, take_over
from demo.providers import SF_PACE, Providers

ROUNDS_S = 1.0  # how often SF's stand-in sends what has come due
BENCH_S = 5.0  # how often the bench robot looks for a unit to step


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def answers(url: str) -> bool:
    """Whether a web server answers at ``url`` (any HTTP status will do)."""
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own server's address)
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


class Command(BaseCommand):
    help = ("Run the local SMS gateway, WeChat API, WeChat Pay and SF Express stand-ins the demo server talks to, "
            "and the repair centre's bench robot.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--env-file", type=Path, required=True,
                            help="Where to write the settings (as environment variables, JSON) that point at them.")

    def handle(self, *args: Any, **opts: Any) -> None:
        providers = Providers.start()
        signal.signal(signal.SIGTERM, _stop)
        try:
            env = providers.environment()
            target: Path = opts["env_file"]
            partial = target.with_name(target.name + ".part")
            partial.write_text(json.dumps(env), encoding="utf-8")
            os.replace(partial, target)
            self.stdout.write(f"SMS gateway (Alibaba Cloud SendSms) stand-in on {env['ALIYUN_SMS_URL']}, "
                              f"WeChat API stand-in on {env['WECHAT_API_URL']}, "
                              f"WeChat Pay stand-in on {env.get('WECHATPAY_URL', '-')}, "
                              f"SF Express stand-in on {env.get('SF_EXPRESS_URL', '-')}")
            self.stdout.flush()
            courier = providers.sf is not None and "COURIER_BACKEND" not in os.environ
            with (override_settings(COURIER_BACKEND="sf", SF_EXPRESS=sf_config(env["SF_EXPRESS_URL"]))
                  if courier else contextlib.nullcontext()):
                self._loop(providers, courier)
        except KeyboardInterrupt:
            pass
        finally:
            for line in providers.taken():
                self.stdout.write(line)
            providers.stop()

    def _loop(self, providers: Providers, courier: bool) -> None:
        robot = BenchRobot(pace=SF_PACE) if courier else None
        sf = providers.sf
        if courier and sf is not None:
            self.stdout.write(f"SF Express stand-in: took over {take_over(sf)} parcels on their way; its clock runs "
                              f"at {1 / SF_PACE:.0f}x, pushing to {sf.push_url}")
        rounds = False
        bench_at = 0.0
        while True:
            if courier and sf is not None and not rounds and answers(settings.SITE_URL.rstrip("/") + "/"):
                sf.auto(ROUNDS_S)
                rounds = True
                self.stdout.write("SF Express stand-in: the server answers, the courier's rounds begin")
            for line in providers.taken():
                self.stdout.write(line)
            if robot is not None and rounds and time.monotonic() >= bench_at:
                bench_at = time.monotonic() + BENCH_S
                for line in robot.tick():
                    self.stdout.write(line)
            self.stdout.flush()
            time.sleep(0.5)
