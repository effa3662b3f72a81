from django.urls import path

from console import hotline, views

app_name = "console"

urlpatterns = [
    path("", views.order_list, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/transition/", views.order_transition, name="order-transition"),
    path("orders/<int:pk>/site-pin/", views.order_site_pin, name="order-site-pin"),
    path("hotline/", hotline.desk, name="hotline"),
    path("hotline/callers/new/", hotline.new_caller, name="hotline-new-caller"),
    path("hotline/callers/<int:pk>/", hotline.caller, name="hotline-caller"),
    path("hotline/callers/<int:pk>/sites/", hotline.add_site, name="hotline-add-site"),
    path("hotline/callers/<int:pk>/sites/<int:site_id>/pin/", hotline.pin_site, name="hotline-pin-site"),
    path("hotline/callers/<int:pk>/products/", hotline.add_product, name="hotline-add-product"),
    path("hotline/callers/<int:pk>/preview/", hotline.preview, name="hotline-preview"),
    path("hotline/callers/<int:pk>/requests/", hotline.create_request, name="hotline-request"),
    path("hotline/callers/<int:pk>/calls/", hotline.record_call, name="hotline-call"),
]
