"""Admin for integration settings and logs. Secrets are shown once, when issued, and masked ever after."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.admin import BRAND_FILTER, BrandChoiceMixin
from integrations.errors import TooManySecrets
from integrations.models import (
    DeviceAlert,
    DeviceSecret,
    RejectedRequest,
    UsageReading,
    WeChatAccount,
    WeChatLink,
    WeChatMessage,
)
from integrations.services import iot


class ReadOnlyAdmin(admin.ModelAdmin):
    """What devices and WeChat sent: kept as it came, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DeviceSecretForm(forms.ModelForm):
    class Meta:
        model = DeviceSecret
        fields = ("brand", "label")

    def clean(self):
        data = super().clean()
        brand = data.get("brand")
        if self.instance._state.adding and brand is not None and DeviceSecret.objects.filter(
            brand=brand, is_active=True,
        ).count() >= iot.MAX_ACTIVE_SECRETS:
            raise forms.ValidationError(TooManySecrets.default_message)
        return data


@admin.register(DeviceSecret)
class DeviceSecretAdmin(BrandChoiceMixin, admin.ModelAdmin):
    form = DeviceSecretForm
    list_display = ("label", "brand", "masked", "is_active", "created_at", "last_used_at", "revoked_at")
    list_filter = ("is_active", BRAND_FILTER)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ("brand", "label") if obj is None else ("brand", "label", "masked", "is_active", "created_at",
                                                        "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("brand", "masked", "is_active", "created_at", "last_used_at", "revoked_at")

    @admin.display(description=_("secret"))
    def masked(self, obj: DeviceSecret) -> str:
        return obj.masked

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        issued, raw = iot.issue_device_secret(brand=obj.brand, label=obj.label)
        obj.pk, obj.secret, obj.last_four = issued.pk, issued.secret, issued.last_four
        obj.created_at = issued.created_at
        obj._state.adding = False
        request._issued_secret = raw  # shown by response_add, this once

    def response_add(self, request, obj, post_url_continue=None):
        raw = getattr(request, "_issued_secret", None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "secret": obj, "raw": raw,
                   "title": _("Secret issued"),
                   "list_url": reverse("admin:integrations_devicesecret_changelist")}
        return TemplateResponse(request, "admin/integrations/devicesecret/issued.html", context)

    @admin.action(description=_("Revoke the selected secrets"))
    def revoke(self, request, queryset):
        for secret in queryset.filter(is_active=True):
            iot.revoke_device_secret(secret=secret)
        messages.success(request, _("Revoked."))


@admin.register(DeviceAlert)
class DeviceAlertAdmin(ReadOnlyAdmin):
    list_display = ("alert_id", "product", "fault_code", "outcome", "work_order", "occurred_at", "received_at")
    list_filter = ("outcome", BRAND_FILTER)
    search_fields = ("=alert_id", "=product__serial", "fault_code")
    raw_id_fields = ("product", "work_order", "mapping")
    exclude = ("response_body",)


@admin.register(UsageReading)
class UsageReadingAdmin(ReadOnlyAdmin):
    list_display = ("product", "metric", "value", "read_at")
    list_filter = ("metric",)
    search_fields = ("=product__serial",)
    raw_id_fields = ("product", "alert")


@admin.register(RejectedRequest)
class RejectedRequestAdmin(ReadOnlyAdmin):
    list_display = ("at", "source", "brand", "code", "detail", "remote_addr")
    list_filter = ("source", "code", BRAND_FILTER)


class WeChatAccountForm(forms.ModelForm):
    """The token and the AES key are typed in (they are set in WeChat's console too), never shown back."""

    token = forms.CharField(label=_("token"), max_length=32, required=False,
                            widget=forms.PasswordInput(render_value=False),
                            help_text=_("Leave empty to keep the current token."))
    encoding_aes_key = forms.CharField(label=_("EncodingAESKey"), max_length=43, required=False,
                                       widget=forms.PasswordInput(render_value=False),
                                       help_text=_("Leave empty to keep the current key."))

    class Meta:
        model = WeChatAccount
        fields = ("brand", "name", "app_id", "original_id", "token", "encoding_aes_key", "mode", "is_active")

    def clean_token(self):
        value = self.cleaned_data.get("token") or self.instance.token
        if not value:
            raise forms.ValidationError(_("Enter the token set in WeChat's console."))
        return value

    def clean_encoding_aes_key(self):
        return self.cleaned_data.get("encoding_aes_key") or self.instance.encoding_aes_key

    def clean(self):
        data = super().clean()
        if data.get("mode") and data["mode"] != "plain" and not (data.get("encoding_aes_key") and data.get("app_id")):
            raise forms.ValidationError(_("The compatible and safe modes need the AppID and the EncodingAESKey."))
        return data


@admin.register(WeChatAccount)
class WeChatAccountAdmin(BrandChoiceMixin, admin.ModelAdmin):
    form = WeChatAccountForm
    list_display = ("name", "brand", "mode", "masked_token", "callback_path", "is_active")
    readonly_fields = ("callback_path",)

    @admin.display(description=_("token"))
    def masked_token(self, obj: WeChatAccount) -> str:
        return f"••••{obj.token[-2:]}" if obj.token else ""

    @admin.display(description=_("callback URL path"))
    def callback_path(self, obj: WeChatAccount) -> str:
        if not obj.brand_id:
            return ""
        return reverse("integrations:wechat-callback", kwargs={"brand": obj.brand.code})


@admin.register(WeChatLink)
class WeChatLinkAdmin(BrandChoiceMixin, admin.ModelAdmin):
    list_display = ("openid", "customer", "brand", "created_at", "updated_at")
    list_filter = (BRAND_FILTER,)
    search_fields = ("=openid", "customer__name", "=customer__phone")
    raw_id_fields = ("customer",)


@admin.register(WeChatMessage)
class WeChatMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "openid", "msg_type", "event", "content", "work_order")
    list_filter = ("msg_type", BRAND_FILTER)
    search_fields = ("=openid", "content")
    raw_id_fields = ("work_order",)
