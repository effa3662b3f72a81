from django.urls import path

from revenue.views import field

app_name = "revenue-field"

urlpatterns = [
    path("", field.earnings, name="earnings"),
    path("jobs/<int:pk>/lead/", field.new_lead, name="new-lead"),
]
