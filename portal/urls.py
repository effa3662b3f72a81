from django.urls import path

from portal.views import auth, labels, orders, products, report, sites

app_name = "portal"

urlpatterns = [
    # Staff: printable QR labels (before the brand patterns, so "labels" is never read as a brand code).
    path("labels/<int:pk>/", labels.label, name="label"),
    path("labels/<int:pk>/qr.svg", labels.label_svg, name="label-svg"),
    path("labels/<int:pk>/qr.png", labels.label_png, name="label-png"),
    path("<slug:brand>/", products.home, name="home"),
    path("<slug:brand>/login/", auth.sign_in, name="login"),
    path("<slug:brand>/logout/", auth.sign_out, name="logout"),
    path("<slug:brand>/products/add/", products.register, name="register"),
    path("<slug:brand>/products/<int:pk>/", products.product, name="product"),
    path("<slug:brand>/products/<int:pk>/site-pin/", sites.pin_product_site, name="product-site-pin"),
    path("<slug:brand>/q/<str:token>/", products.qr_landing, name="qr"),
    path("<slug:brand>/report/", report.report, name="report"),
    path("<slug:brand>/report/solved/", report.solved, name="solved"),
    path("<slug:brand>/orders/<int:pk>/", orders.order, name="order"),
    path("<slug:brand>/orders/<int:pk>/status/", orders.order_status, name="order-status"),
    path("<slug:brand>/orders/<int:pk>/rate/", orders.rate, name="rate"),
    path("<slug:brand>/orders/<int:pk>/cancel/", orders.cancel, name="cancel"),
    path("<slug:brand>/orders/<int:pk>/reschedule/", orders.reschedule, name="reschedule"),
]
