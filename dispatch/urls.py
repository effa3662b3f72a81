from django.urls import path

from dispatch import views

app_name = "dispatch"

urlpatterns = [
    path("", views.board, name="board"),
    path("orders/<int:pk>/candidates/", views.candidates, name="candidates"),
    path("orders/<int:pk>/assign/", views.assign, name="assign"),
    path("plan/", views.plan, name="plan"),
    path("plan/apply/", views.plan_apply, name="plan-apply"),
]
