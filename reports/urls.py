from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("orders/<int:pk>/service-report.pdf", views.download, name="service-report"),
]
