from django.urls import path

from portal.views import (
    auth,
    complaints,
    contracts,
    mail_in,
    orders,
    preferences,
    products,
    reminders,
    report,
    shop,
    sites,
    survey,
)

app_name = "portal"

urlpatterns = [
    path("<slug:brand>/", products.home, name="home"),
    path("<slug:brand>/login/", auth.sign_in, name="login"),
    path("<slug:brand>/logout/", auth.sign_out, name="logout"),
    path("<slug:brand>/preferences/", preferences.notification_preferences, name="preferences"),
    path("<slug:brand>/products/add/", products.register, name="register"),
    path("<slug:brand>/products/<int:pk>/", products.product, name="product"),
    path("<slug:brand>/products/<int:pk>/site-pin/", sites.pin_product_site, name="product-site-pin"),
    path("<slug:brand>/q/<str:token>/", products.qr_landing, name="qr"),
    path("<slug:brand>/survey/<str:token>/", survey.survey, name="survey"),
    path("<slug:brand>/report/", report.report, name="report"),
    path("<slug:brand>/report/solved/", report.solved, name="solved"),
    path("<slug:brand>/orders/<int:pk>/", orders.order, name="order"),
    path("<slug:brand>/orders/<int:pk>/status/", orders.order_status, name="order-status"),
    path("<slug:brand>/orders/<int:pk>/rate/", orders.rate, name="rate"),
    path("<slug:brand>/orders/<int:pk>/cancel/", orders.cancel, name="cancel"),
    path("<slug:brand>/orders/<int:pk>/urge/", orders.urge, name="urge"),
    path("<slug:brand>/orders/<int:pk>/reschedule/", orders.reschedule, name="reschedule"),
    # Issue 17, mail-in: the customer answers their repair's quote from the order page.
    path("<slug:brand>/orders/<int:pk>/quote/", orders.answer_quote, name="order-quote"),
    path("<slug:brand>/orders/<int:pk>/complain/", complaints.complain, name="complain"),
    path("<slug:brand>/complaints/", complaints.complaint_list, name="complaints"),
    # Issue 16, contracts: the customer's maintenance plans and their visits.
    path("<slug:brand>/contracts/", contracts.contract_list, name="contracts"),
    path("<slug:brand>/shop/", shop.shop_home, name="shop"),
    path("<slug:brand>/shop/order/", shop.shop_order, name="shop-place"),
    path("<slug:brand>/shop/orders/<int:pk>/", shop.shop_order_page, name="shop-order"),
    path("<slug:brand>/shop/orders/<int:pk>/pay/", shop.shop_pay, name="shop-pay"),
    path("<slug:brand>/r/<str:token>/", reminders.reminder, name="reminder"),
    path("<slug:brand>/quote/<str:token>/", mail_in.quote, name="mail-in-quote"),
]
