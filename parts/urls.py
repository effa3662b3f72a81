from django.urls import path

from parts import views

app_name = "parts"

urlpatterns = [
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/transfer/", views.request_transfer, name="request-transfer"),
    path("requests/<int:pk>/refuse/", views.request_refuse, name="request-refuse"),
    path("defective/", views.defective_list, name="defective"),
    path("defective/<int:pk>/receive/", views.defective_receive, name="defective-receive"),
    path("stock/", views.stock, name="stock"),
    path("van/", views.van, name="van"),
]
