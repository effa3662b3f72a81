"""Simplified Chinese date formats where Django's own read wrong (settings.FORMAT_MODULE_PATH); the rest are
Django's. A month and day is 1月8日, not Django's zero-padded 01月8日 (its own example, 9月5日, has no zero)."""

MONTH_DAY_FORMAT = "n月j日"
