"""Each schema of the OpenAPI document is defined once: two classes with one name overwrite each other's
component, and an operation is then documented with another endpoint's shape."""

from __future__ import annotations

from ninja.openapi.schema import OpenAPISchema

from aftersales.api import api


class _Recording(OpenAPISchema):
    def __init__(self, *args, **kwargs) -> None:
        self.clashes: list[str] = []
        super().__init__(*args, **kwargs)

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, schema in definitions.items():
            if name in self.schemas and self.schemas[name] != schema:
                self.clashes.append(name)
        super().add_schema_definitions(definitions)


def test_no_two_schemas_share_a_name():
    document = _Recording(api, "/api/v1")
    assert document.clashes == []


def test_the_three_operations_that_were_shadowed_name_their_own_schemas():
    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]

    def body_ref(path):
        return paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]

    assert body_ref("/api/v1/workorders/intake/requests") == "#/components/schemas/ServiceRequestIn"
    assert body_ref("/api/v1/workorders/{order_id}/transitions") == "#/components/schemas/OrderTransitionIn"
    assert body_ref("/api/v1/revenue/leads/{lead_id}/transitions") == "#/components/schemas/LeadTransitionIn"
    assert body_ref("/api/v1/parts/orders/{order_id}/requests") == "#/components/schemas/RequestIn"
    intake = paths["/api/v1/workorders/intake/products/{product_id}"]["get"]["responses"][200]
    assert intake["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/IntakePreviewOut"
