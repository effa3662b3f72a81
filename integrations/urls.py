from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("wechat/<slug:brand>/callback", views.callback, name="wechat-callback"),
    # Under the portal's path, so the portal's sign-in sends the customer back here (?next= stays in the portal).
    path("portal/<slug:brand>/wechat/bind/<str:token>/", views.bind, name="wechat-bind"),
]
