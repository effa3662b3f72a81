"""The few SQL expressions of the set-based generator (settlement/setbased.py) that differ between SQLite and
PostgreSQL: local days and hours in the brand's zone, JSON, integer rounding and the text of money and distances.
"""

from __future__ import annotations

from django.db import connection

from core.dates import brand_tz


class Dialect:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, offset_hours: int) -> None:
        self.pg = connection.vendor == "postgresql"
        self.offset = offset_hours

    def local_day(self, column: str) -> str:
        if self.pg:
            return f"to_char(({column} AT TIME ZONE '{brand_tz().key}')::date, 'YYYY-MM-DD')"
        return f"date({column}, '{self.offset:+d} hours')"

    def local_dayno(self, column: str) -> str:
        """Days since 1970-01-01 of the local day."""
        if self.pg:
            return f"(({column} AT TIME ZONE '{brand_tz().key}')::date - DATE '1970-01-01')"
        return f"CAST(julianday(date({column}, '{self.offset:+d} hours')) - 2440587.5 AS INTEGER)"

    def local_hour(self, column: str) -> str:
        if self.pg:
            return f"CAST(EXTRACT(HOUR FROM {column} AT TIME ZONE '{brand_tz().key}') AS INTEGER)"
        return f"CAST(strftime('%%H', {column}, '{self.offset:+d} hours') AS INTEGER)"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"

    def floor_int(self, expr: str) -> str:
        """The floor of a non-negative double as an integer."""
        return f"CAST(FLOOR({expr}) AS BIGINT)" if self.pg else f"CAST({expr} AS INTEGER)"

    def json(self, *pairs: tuple[str, str]) -> str:
        fn = "jsonb_build_object" if self.pg else "json_object"
        body = ", ".join(f"'{key}', {value}" for key, value in pairs)
        return f"{fn}({body})"

    def json_array(self, *values: str) -> str:
        fn = "jsonb_build_array" if self.pg else "json_array"
        return f"{fn}({', '.join(values)})"

    def json_text(self, column: str, key: str) -> str:
        """The text of one key of a JSON column (Django keeps JSONField as jsonb on PostgreSQL)."""
        return f"({column} ->> '{key}')" if self.pg else f"json_extract({column}, '$.{key}')"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def pad2(self, expr: str) -> str:
        return f"lpad(CAST({expr} AS TEXT), 2, '0')" if self.pg else f"substr('0' || ({expr}), -2, 2)"

    def fen_text(self, expr: str) -> str:
        """An integer of fen as the yuan text Decimal prints ("100.00", "-3.05"); NULL stays NULL."""
        return (f"(CASE WHEN {expr} IS NULL THEN NULL ELSE (CASE WHEN {expr} < 0 THEN '-' ELSE '' END) || "
                f"{self.text(f'ABS({expr}) / 100')} || '.' || {self.pad2(f'ABS({expr}) %% 100')} END)")

    def tenths_text(self, expr: str) -> str:
        """An integer of tenths of a km as Decimal prints it ("12.0"); NULL stays NULL."""
        return (f"(CASE WHEN {expr} IS NULL THEN NULL ELSE {self.text(f'{expr} / 10')} || '.' || "
                f"{self.text(f'{expr} %% 10')} END)")

    def round_units(self, expr: str, unit: int) -> str:
        """``expr`` (an integer of 1/unit fen… of whatever) divided by ``unit``, rounded half away from zero."""
        half = unit // 2
        expr = f"CAST({expr} AS BIGINT)"
        return (f"(CASE WHEN ({expr}) < 0 THEN -((-({expr}) + {half}) / {unit}) "
                f"ELSE (({expr}) + {half}) / {unit} END)")
