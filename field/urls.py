from django.urls import path

from field import views

app_name = "field"

urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
