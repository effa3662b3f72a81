from django.urls import path

from field.views import earnings, jobs, van

app_name = "field"

urlpatterns = [
    path("", jobs.jobs, name="jobs"),
    path("jobs/<int:pk>/", jobs.job, name="job"),
    path("jobs/<int:pk>/lead/", earnings.new_lead, name="new-lead"),
    path("earnings/", earnings.earnings, name="earnings"),
    path("van/", van.van, name="van"),
    path("sw.js", jobs.service_worker, name="sw"),
    path("manifest.webmanifest", jobs.manifest, name="manifest"),
]
