"""The real site plus two views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from aftersales.urls import handler400, handler403, handler404, handler500
from aftersales.urls import urlpatterns as site


def boom(request):
    raise RuntimeError("a bug")


def refuse(request):
    raise PermissionDenied


urlpatterns = [path("console/boom/", boom), path("console/refuse/", refuse), path("api/v1/boom", boom), *site]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
