from django.urls import path

from revenue.views import console

app_name = "revenue-console"

urlpatterns = [
    path("", console.lead_list, name="leads"),
    path("<int:pk>/", console.lead_detail, name="lead"),
    path("<int:pk>/transition/", console.lead_transition, name="lead-transition"),
]
