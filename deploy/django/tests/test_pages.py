import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shop.models import Order, Product


@pytest.fixture
def shopper(db):
    return get_user_model().objects.create_user("shopper", "shopper@example.com", "s3cret-pass")


def test_catalogue_lists_and_filters_products(client, make_product):
    make_product(category="coffee", name="Moka Pot")
    make_product(category="books", name="Atlas")

    everything = client.get("/")
    coffee = client.get("/?category=coffee")

    assert everything.status_code == 200
    assert everything["X-Backend"] == "django"
    assert b"Moka Pot" in everything.content and b"Atlas" in everything.content
    assert b"Moka Pot" in coffee.content and b"Atlas" not in coffee.content
    assert client.get("/?category=nope").status_code == 404


def test_catalogue_paginates(client, make_product):
    for _ in range(30):
        make_product()
    assert b"Page 2 of 2" in client.get("/?page=2").content


def test_product_page_offers_ordering_after_login(client, shopper, make_product):
    product = make_product()
    assert b"Log in</a> to order" in client.get(f"/products/{product.pk}/").content
    client.force_login(shopper)
    assert b"Place order" in client.get(f"/products/{product.pk}/").content


def test_ordering_from_the_product_page_needs_the_csrf_token(shopper, make_product):
    product = make_product(stock=3)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(shopper)

    assert browser.post(f"/products/{product.pk}/", {"quantity": 1}).status_code == 403

    page = browser.get(f"/products/{product.pk}/")
    token = page.context["csrf_token"]
    response = browser.post(f"/products/{product.pk}/", {"quantity": 2, "csrfmiddlewaretoken": str(token)})

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    assert order.customer.user == shopper
    assert Product.objects.get(pk=product.pk).stock == 1
    assert b"#%d" % order.pk in browser.get("/orders/").content
    assert browser.get(f"/orders/{order.pk}/").status_code == 200


def test_ordering_more_than_the_stock_shows_the_form_error(client, shopper, make_product):
    product = make_product(stock=1)
    client.force_login(shopper)
    response = client.post(f"/products/{product.pk}/", {"quantity": 5})
    assert response.status_code == 200
    assert b"Only 1 in stock." in response.content
    assert not Order.objects.exists()


def test_order_pages_need_login_and_ownership(client, shopper, make_product, django_user_model):
    assert client.get("/orders/")["Location"].startswith("/accounts/login/")
    other = django_user_model.objects.create_user("other", "other@example.com", "x-pass-123")
    client.force_login(other)
    client.post(f"/products/{make_product().pk}/", {"quantity": 1})
    order = Order.objects.get()

    client.force_login(shopper)
    assert client.get(f"/orders/{order.pk}/").status_code == 404


def test_login_and_logout(client, shopper):
    login = client.post("/accounts/login/", {"username": "shopper", "password": "s3cret-pass"})
    assert login.status_code == 302 and login["Location"] == "/orders/"
    assert client.get("/orders/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/orders/").status_code == 302


def test_admin_login_page_renders(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response["X-Backend"] == "django"
    assert b"csrfmiddlewaretoken" in response.content


def test_admin_lists_products_for_a_superuser(client, admin_user, make_product):
    make_product(name="Moka Pot")
    client.force_login(admin_user)
    response = client.get("/admin/shop/product/")
    assert response.status_code == 200
    assert b"Moka Pot" in response.content


def test_html_404s_stay_html(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert response["X-Backend"] == "django"
