from django.contrib.auth import get_user_model
from django.core.management import call_command

from shop.models import Category, Customer, Order, Product


def test_seed_is_idempotent_and_grows_on_request(db):
    call_command("seed", products=30)
    first = {p.sku: (p.name, p.price, p.stock) for p in Product.objects.all()}
    orders = Order.objects.count()

    call_command("seed", products=30)
    assert {p.sku: (p.name, p.price, p.stock) for p in Product.objects.all()} == first
    assert Order.objects.count() == orders > 0

    call_command("seed", products=45)
    assert Product.objects.count() == 45
    assert Category.objects.count() == 8
    assert Customer.objects.count() == 20


def test_ensure_admin_creates_then_repairs_the_superuser(db):
    call_command("ensure_admin", password="first-pass-1")
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("first-pass-1")

    admin.is_staff = False
    admin.save()
    call_command("ensure_admin", password="second-pass-2")
    admin.refresh_from_db()
    assert admin.is_staff and admin.check_password("second-pass-2")
