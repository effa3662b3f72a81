from django.urls import path

from console import views

app_name = "console"

urlpatterns = [
    path("", views.order_list, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/transition/", views.order_transition, name="order-transition"),
]
