from django.contrib import admin

from accounts.admin import BrandChoiceMixin
from core.admin import ScopedAdmin
from feedback.models import Callback, CallbackAttempt, Rating, Survey, SurveyPolicy


@admin.register(Rating)
class RatingAdmin(ScopedAdmin):
    list_display = ("work_order", "customer", "score", "created_at")
    list_filter = ("score",)
    raw_id_fields = ("work_order", "customer")
    readonly_fields = ("work_order", "customer", "score", "comment", "created_at")

    def has_add_permission(self, request) -> bool:
        return False  # ratings come from customers, through feedback.services


@admin.register(SurveyPolicy)
class SurveyPolicyAdmin(BrandChoiceMixin, ScopedAdmin):
    """The brand's callback rules (回访): questions per service type, sampling and clocks."""

    list_display = ("brand", "service_type", "sample_premium", "sample_rework", "sample_percent", "low_score",
                    "answer_hours", "callback_hours", "close_after_days")
    list_filter = ("brand", "service_type")


@admin.register(Survey)
class SurveyAdmin(ScopedAdmin):
    list_display = ("work_order", "customer", "sent_at", "answered_at", "overall", "solved", "nps")
    list_filter = ("solved", "overall")
    raw_id_fields = ("work_order", "customer")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]  # surveys are sent and answered through feedback.surveys

    def has_add_permission(self, request) -> bool:
        return False


class CallbackAttemptInline(admin.TabularInline):
    model = CallbackAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("outcome", "note", "by", "at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Callback)
class CallbackAdmin(ScopedAdmin):
    list_display = ("work_order", "reason", "status", "due_at", "attempts", "outcome", "decision")
    list_filter = ("status", "reason", "decision")
    raw_id_fields = ("work_order", "rework_order")
    inlines = [CallbackAttemptInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]  # the desk works callbacks through feedback.desk

    def has_add_permission(self, request) -> bool:
        return False
