"""The WeChat callback (signed by the brand's token, not a user) and the bind page (a signed-in customer)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.choices import OrgKind
from accounts.models import Organisation
from accounts.principal import principal_of
from core.errors import DomainError
from customers.models import Customer
from integrations import links, wechat_xml
from integrations.errors import TooLarge
from integrations.services import wechat
from integrations.services.rejections import client_address


def _refusal(error: DomainError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest, brand: str) -> HttpResponse:
    account = wechat.account_for(brand)
    if account is None:
        raise Http404
    remote = client_address(request)
    try:
        if request.method == "GET":
            echo = wechat.verify_url(account=account, query=request.GET, remote_addr=remote)
            return HttpResponse(echo, content_type="text/plain; charset=utf-8")
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit() or int(declared) > wechat_xml.MAX_XML_BYTES:
            raise TooLarge(max_bytes=wechat_xml.MAX_XML_BYTES)
        incoming = wechat.read_callback(account=account, query=request.GET, body=request.body, remote_addr=remote)
    except DomainError as error:
        return _refusal(error)
    reply = wechat.handle_message(account=account, message=incoming.message, absolute=request.build_absolute_uri)
    if incoming.encrypted and reply != wechat.NO_REPLY:
        reply = wechat.encrypt_reply(account=account, reply=reply, nonce=request.GET.get("nonce", "")[:32])
    content_type = "text/plain" if reply == wechat.NO_REPLY else "application/xml"
    return HttpResponse(reply, content_type=f"{content_type}; charset=utf-8")


@require_http_methods(["GET", "POST"])
def bind(request: HttpRequest, brand: str, token: str) -> HttpResponse:
    org = Organisation.objects.filter(kind=OrgKind.BRAND, code=brand, is_active=True).first()
    if org is None:
        raise Http404
    context = {"brand": org}
    try:
        openid = wechat.read_bind_token(token, brand_id=org.pk)
    except wechat.BadBindToken:
        return render(request, "integrations/bind.html", {**context, "state": "invalid"}, status=400)
    if not request.user.is_authenticated:
        return redirect(links.portal_login_path(org.code, request.get_full_path()))
    principal = principal_of(request.user)
    if principal is None or not principal.is_customer or principal.brand_id != org.pk:
        login = links.portal_login_path(org.code, request.get_full_path())
        return render(request, "integrations/bind.html", {**context, "state": "not_customer", "login": login},
                      status=403)
    customer = Customer.objects.visible_to(request.user).get(pk=principal.customer_id)
    context["seat"] = True  # the portal's header then offers to sign out (to link another account)
    linked = wechat.linked_customer(brand_id=org.pk, openid=openid)
    if request.method == "POST":
        wechat.link_openid(brand_id=org.pk, openid=openid, customer=customer)
        return render(request, "integrations/bind.html", {**context, "state": "done", "customer": customer})
    state = "already" if linked is not None and linked.pk == customer.pk else "confirm"
    return render(request, "integrations/bind.html", {**context, "state": state, "customer": customer})
