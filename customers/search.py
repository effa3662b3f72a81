"""Find customers by part of their name, and sites by part of their address, on an index on both databases.

Chinese has no spaces between words, so both databases index character trigrams:

- PostgreSQL: pg_trgm GIN indexes on ``customers_customer.name`` and ``customers_site.address`` (migration
  0004, PostgreSQL only), searched with ``ILIKE '%text%'``.
- SQLite: FTS5 tables with the trigram tokenizer, ``customers_name_fts`` (rowid = customer id) and
  ``customers_site_fts`` (rowid = site id), kept in step by triggers (migration 0004, SQLite only), so bulk
  loaders that bypass the services are indexed too.

A trigram needs three characters, and a Chinese given name alone (晓雯) has two. Names are matched at their
start or end then: on SQLite each name is indexed as ``^name$``, so ``^晓雯`` and ``晓雯$`` are trigrams; on
PostgreSQL ``ILIKE '晓雯%' OR ILIKE '%晓雯'`` uses the words' padded trigrams (pg_trgm pads each word with
spaces). Two characters are too little to search addresses by (文三 is in every 文三路 of the country);
one character searches nothing.
"""

from __future__ import annotations

from functools import cache

from django.db import connection, connections
from django.db.models import Lookup, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields import CharField

from customers.models import Customer, Site

NAME_MIN, ADDRESS_MIN = 2, 3
# A broad text (文三路 in a city's worth of addresses) is cut to the newest matches, so its cost stays bounded
# as the installed base grows: the index hands them out newest first and stops there (at 100k sites on SQLite
# 文三路 matches 6,899 sites; checking each one's brand costs about 10 ms per 1,000). Large enough that a
# customer's old address is still found beside the newer ones; callers list the newest orders anyway.
MATCH_LIMIT = 20_000


@CharField.register_lookup
class TrigramILike(Lookup):
    """``column ILIKE pattern`` (PostgreSQL): what a pg_trgm GIN index answers. The pattern is built here."""

    lookup_name = "trgm_ilike"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@cache
def _fts_ready(alias: str) -> bool:
    """The FTS5 tables exist (SQLite built without FTS5 or trigram: the migration skipped them)."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name IN ('customers_name_fts', 'customers_site_fts')")
        return cursor.fetchone()[0] == 2


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def pg_name_q(text: str) -> Q:
    """PostgreSQL: the condition its trigram index answers (text already cleaned, two characters or more)."""
    escaped = _like_escaped(text)
    if len(text) < 3:
        return Q(name__trgm_ilike=f"{escaped}%") | Q(name__trgm_ilike=f"%{escaped}")
    return Q(name__trgm_ilike=f"%{escaped}%")


def pg_address_q(text: str) -> Q:
    return Q(address__trgm_ilike=f"%{_like_escaped(text)}%")


def customers_named(customers: QuerySet[Customer], brand_id: int, text: str) -> QuerySet[Customer]:
    """``customers`` (already scoped) whose name contains ``text``; two characters match a name's start or end."""
    text = _clean(text)
    if len(text) < NAME_MIN:
        return customers.none()
    if connection.vendor == "postgresql":
        newest = Customer.objects.filter(pg_name_q(text), brand_id=brand_id).order_by("-pk").values("pk")
        return customers.filter(pk__in=newest[:MATCH_LIMIT])
    if connection.vendor == "sqlite" and _fts_ready(connection.alias):
        query = f"{_fts_phrase('^' + text)} OR {_fts_phrase(text + '$')}" if len(text) < 3 else _fts_phrase(text)
        ids = RawSQL("SELECT rowid FROM customers_name_fts WHERE customers_name_fts MATCH %s AND brand_id = %s"
                     " ORDER BY rowid DESC LIMIT %s", [query, brand_id, MATCH_LIMIT])
        return customers.filter(pk__in=ids)
    # Without an index: a bounded scan of the brand's customers.
    match = Q(name__startswith=text) | Q(name__endswith=text) if len(text) < 3 else Q(name__contains=text)
    return customers.filter(match, brand_id=brand_id)


def sites_at(sites: QuerySet[Site], brand_id: int, text: str) -> QuerySet[Site]:
    """``sites`` (already scoped) whose address contains ``text`` (three characters at least)."""
    text = _clean(text)
    if len(text) < ADDRESS_MIN:
        return sites.none()
    if connection.vendor == "postgresql":
        newest = Site.objects.filter(pg_address_q(text), customer__brand_id=brand_id).order_by("-pk").values("pk")
        return sites.filter(pk__in=newest[:MATCH_LIMIT])
    if connection.vendor == "sqlite" and _fts_ready(connection.alias):
        ids = RawSQL("SELECT rowid FROM customers_site_fts WHERE customers_site_fts MATCH %s AND brand_id = %s"
                     " ORDER BY rowid DESC LIMIT %s", [_fts_phrase(text), brand_id, MATCH_LIMIT])
        return sites.filter(pk__in=ids)
    return sites.filter(address__contains=text, customer__brand_id=brand_id)
