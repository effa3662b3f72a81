from __future__ import annotations

from ninja import Router, Schema

from catalog.models import ProductCategory, ProductModel
from core.api import AUTH, get_visible, principal
from core.schema import Id

router = Router(tags=["catalog"], auth=AUTH)


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    mail_in_allowed: bool


class StandardOut(Schema):
    service_type: str
    standard_minutes: int
    required_skill_id: int | None


class ProductModelOut(Schema):
    id: int
    category_id: int
    code: str
    name: str
    warranty_months: int
    list_price: str
    standards: list[StandardOut]

    @staticmethod
    def resolve_list_price(obj) -> str:
        return str(obj.list_price)

    @staticmethod
    def resolve_standards(obj) -> list:
        return list(obj.standards.all())


@router.get("/categories", response=list[CategoryOut])
def list_categories(request):
    principal(request)
    return list(ProductCategory.objects.visible_to(request.user))


@router.get("/models", response=list[ProductModelOut])
def list_models(request):
    principal(request)
    return list(ProductModel.objects.visible_to(request.user).prefetch_related("standards"))


@router.get("/models/{model_id}", response=ProductModelOut)
def get_model(request, model_id: Id):
    return get_visible(ProductModel.objects, request, model_id)
