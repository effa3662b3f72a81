"""Which articles to show: those written for the reported symptom, then the category's general ones."""

from __future__ import annotations

from django.db.models import Count, Q

from knowledge.models import Article

LIMIT = 3


def matching_articles(user, *, category_id: int, symptom_id: int | None, limit: int = LIMIT) -> list[Article]:
    visible = Article.objects.visible_to(user).published()
    found: list[Article] = []
    if symptom_id is not None:
        found = list(visible.filter(symptoms=symptom_id).distinct().order_by("sort_order", "pk")[:limit])
    if len(found) < limit:
        general = (visible.filter(categories=category_id).annotate(n_symptoms=Count("symptoms"))
                   .filter(Q(n_symptoms=0)).exclude(pk__in=[a.pk for a in found]).order_by("sort_order", "pk"))
        found += list(general[: limit - len(found)])
    return found
