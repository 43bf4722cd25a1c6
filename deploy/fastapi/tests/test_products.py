from datetime import datetime, timezone

import pytest


def test_product_json_has_the_contract_shape_and_formats(client, make_product):
    pid = make_product(
        price="12.5", stock=7, name="Café ☕", updated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    )

    response = client.get(f"/api/products/{pid}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-backend"] == "fastapi"
    body = response.json()
    assert body == {
        "id": pid,
        "sku": "T-00001",
        "name": "Café ☕",
        "category": {"id": body["category"]["id"], "slug": "coffee", "name": "Coffee"},
        "price": "12.50",
        "stock": 7,
        "updated_at": "2026-01-02T03:04:05.000000Z",
    }


def test_list_filters_and_paginates_in_id_order(client, make_product):
    out_of_stock = make_product(stock=0)
    in_stock = [make_product(stock=3) for _ in range(3)]
    make_product(category="books")

    body = client.get("/api/products?category=coffee&in_stock=true&page=2&page_size=2").json()

    assert (body["count"], body["page"], body["page_size"]) == (3, 2, 2)
    assert [p["id"] for p in body["results"]] == in_stock[2:]
    assert [p["id"] for p in client.get("/api/products?in_stock=false").json()["results"]] == [out_of_stock]


def test_bad_parameters_answer_400_not_422(client):
    response = client.get("/api/products?page=0&page_size=500")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid parameters.",
        "errors": {
            "page": ["Ensure this value is greater than or equal to 1."],
            "page_size": ["Ensure this value is less than or equal to 100."],
        },
    }


@pytest.mark.parametrize("path", ["/api/products/424242", "/api/products/abc", "/api/products/", "/nope"])
def test_not_found_is_json_in_django_words(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert response.headers["x-backend"] == "fastapi"


def test_head_is_served_for_the_gateway_route(client, make_product):
    pid = make_product()
    assert client.head("/api/products").status_code == 200
    assert client.head(f"/api/products/{pid}").status_code == 200


def test_openapi_documents_the_hand_parsed_parameters(client):
    spec = client.get("/api/v2/openapi.json").json()
    operation = spec["paths"]["/api/products"]["get"]
    assert {p["name"]: p["schema"]["type"] for p in operation["parameters"]} == {
        "category": "string",
        "in_stock": "boolean",
        "page": "integer",
        "page_size": "integer",
    }
    assert "400" in operation["responses"] and "422" not in operation["responses"]
    product = spec["components"]["schemas"]["ProductOut"]["properties"]
    assert product["price"]["type"] == "string"
    assert client.get("/api/v2/docs").status_code == 200
