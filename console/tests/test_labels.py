"""Stored codes shown as words in both languages, including the system's own steps."""

from django.utils import translation

from accounts.choices import SYSTEM, Role
from console.templatetags.console_tags import role_label, status_label


def test_roles_and_the_system_have_labels_in_both_languages():
    with translation.override("en"):
        assert (role_label(SYSTEM), role_label(Role.DISPATCHER), role_label("gone")) == (
            "Automatic", "Dispatcher", "gone")
    with translation.override("zh-hans"):
        assert role_label(SYSTEM) == "系统自动"
        assert status_label("completed") == "已完工"
