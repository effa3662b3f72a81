"""Self-help articles (自助排障): what a customer can try before booking, by category and symptom."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.models import TimeStampedModel
from core.scoping import ScopedQuerySet
from core.text import bilingual


class ArticleQuerySet(ScopedQuerySet):
    def _scope(self, principal):
        # The brand's desk edits drafts too; everyone else of the brand reads what is published.
        mine = self.filter(brand_id=principal.brand_id)
        return mine if principal.is_brand_staff else mine.filter(is_published=True)

    def published(self):
        return self.filter(is_published=True)


class Article(TimeStampedModel):
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=160)
    title_en = models.CharField(_("English title"), max_length=160, blank=True)
    body = models.TextField(_("text"), max_length=8000, help_text=_("Plain text; an empty line starts a paragraph."))
    body_en = models.TextField(_("English text"), max_length=8000, blank=True)
    categories = models.ManyToManyField("catalog.ProductCategory", verbose_name=_("product categories"),
                                        related_name="articles", blank=True)
    symptoms = models.ManyToManyField("catalog.Symptom", verbose_name=_("symptoms"), related_name="articles",
                                      blank=True, help_text=_("Shown when a customer reports one of these."))
    is_published = models.BooleanField(_("published"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-help article")
        verbose_name_plural = _("self-help articles")
        ordering = ["sort_order", "pk"]
        indexes = [models.Index(fields=["brand", "is_published"], name="article_brand_published")]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self):
        return bilingual(self.title, self.title_en)

    @property
    def display_body(self):
        return bilingual(self.body, self.body_en)
