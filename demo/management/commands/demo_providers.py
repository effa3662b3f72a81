"""``manage.py demo_providers``: the SMS gateway and WeChat API stand-ins of `make run` (demo/providers.py).

Started by scripts/serve.py before the web server: writes the settings that point at the stand-ins to
``--env-file`` (JSON, written whole or not at all), then prints each message the stand-ins take until it is
stopped (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from demo.providers import Providers


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the local SMS gateway and WeChat API stand-ins the demo server sends customer messages to."

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
                              f"WeChat Pay stand-in on {env.get('WECHATPAY_URL', '-')}")
            self.stdout.flush()
            while True:
                for line in providers.taken():
                    self.stdout.write(line)
                self.stdout.flush()
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for line in providers.taken():
                self.stdout.write(line)
            providers.stop()

