"""Background work of the integrations (STYLE.md §8): idempotent, safe to run twice or at once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from integrations import signing
from integrations.models import WeChatNonce

# A nonce must be kept while its timestamp could still be fresh: seen up to MAX_SKEW before that timestamp,
# which stays fresh MAX_SKEW after it. Past twice the skew (and a minute's margin) it can go.
NONCE_KEEP = dt.timedelta(seconds=2 * signing.MAX_SKEW_SECONDS + 60)


@task()
def forget_wechat_nonces() -> int:
    """The periodic job (settings.PERIODIC_TASKS) that drops the WeChat nonces no request can reuse any more."""
    deleted, _ = WeChatNonce.objects.filter(seen_at__lt=timezone.now() - NONCE_KEEP).delete()
    return deleted
