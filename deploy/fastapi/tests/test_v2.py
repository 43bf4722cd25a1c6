import pytest


def test_search_matches_name_or_sku_in_any_case_and_escapes_wildcards(client, make_product):
    moka = make_product(name="Moka Pot")
    make_product(name="Kettle")
    percent = make_product(name="100% Arabica")

    assert [p["id"] for p in client.get("/api/v2/search?q=moka").json()["results"]] == [moka]
    assert [p["id"] for p in client.get("/api/v2/search?q=T-0000").json()["results"]][:2] == [moka, moka + 1]
    assert [p["id"] for p in client.get("/api/v2/search?q=%25").json()["results"]] == [percent]
    assert client.get("/api/v2/search?q=_").json()["results"] == []


@pytest.mark.parametrize("query", ["", "?q=", "?q=a&limit=0"])
def test_search_validation_errors_use_the_shared_shape(client, query):
    response = client.get(f"/api/v2/search{query}")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid parameters."
    assert set(response.json()["errors"]) <= {"q", "limit"}


def test_stats_sum_the_catalogue(client, make_product):
    make_product(category="coffee", stock=2, price="1.25")
    make_product(category="coffee", stock=0, price="9.99")
    make_product(category="books", stock=5, price="10.00")

    stats = client.get("/api/v2/stats").json()

    assert stats == {
        "products": 3,
        "in_stock": 2,
        "out_of_stock": 1,
        "total_stock": 7,
        "inventory_value": "52.50",
        "orders": 0,
        "revenue": "0.00",
        "categories": [
            {"slug": "books", "name": "Books", "products": 1, "stock": 5},
            {"slug": "coffee", "name": "Coffee", "products": 2, "stock": 2},
        ],
    }


def test_stock_delta_is_applied_atomically_and_never_below_zero(client, make_product):
    pid = make_product(stock=5)
    before = client.get(f"/api/products/{pid}").json()["updated_at"]

    up = client.post(f"/api/v2/products/{pid}/stock", json={"delta": 3})
    too_far = client.post(f"/api/v2/products/{pid}/stock", json={"delta": -9})

    assert up.status_code == 200
    assert up.json()["stock"] == 8
    assert up.json()["updated_at"] > before, "the stock feed relies on updated_at moving"
    assert too_far.status_code == 409
    assert too_far.json() == {
        "detail": "Insufficient stock.",
        "shortages": [{"product_id": pid, "requested": 9, "available": 8}],
    }
    assert client.get(f"/api/products/{pid}").json()["stock"] == 8


def test_stock_delta_errors(client, make_product):
    pid = make_product()
    assert client.post("/api/v2/products/999999/stock", json={"delta": 1}).status_code == 404
    invalid = client.post(f"/api/v2/products/{pid}/stock", json={"delta": "many", "extra": 1})
    assert invalid.status_code == 400
    assert invalid.json()["detail"] == "Invalid request."
    assert set(invalid.json()["errors"]) == {"delta", "extra"}
    missing = client.post(f"/api/v2/products/{pid}/stock")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"body"}


def test_websocket_says_hello_echoes_and_streams_stock_changes(client, make_product):
    pid = make_product(stock=5)
    with client.websocket_connect("/api/v2/ws/stock") as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["backend"] == "fastapi"
        ws.send_text("ping")
        assert ws.receive_json() == {"type": "echo", "data": "ping"}

        changed = client.post(f"/api/v2/products/{pid}/stock", json={"delta": -2}).json()

        assert ws.receive_json() == {
            "type": "stock",
            "product_id": pid,
            "stock": 3,
            "updated_at": changed["updated_at"],
        }
