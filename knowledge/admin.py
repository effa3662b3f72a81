from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from knowledge.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "title_en", "brand", "is_published", "sort_order", "updated_at")
    list_filter = ("is_published", "brand", "categories")
    search_fields = ("title", "title_en", "body")
    filter_horizontal = ("categories", "symptoms")
    list_editable = ("is_published", "sort_order")
    fieldsets = (
        (None, {"fields": ("brand", "is_published", "sort_order")}),
        (_("Chinese"), {"fields": ("title", "body")}),
        (_("English"), {"fields": ("title_en", "body_en")}),
        (None, {"fields": ("categories", "symptoms")}),
    )
