from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shop.models import Customer, Order, OrderLine, Product


def test_updated_at_moves_on_save(make_product):
    product = make_product()
    before = product.updated_at
    product.stock = 3
    product.save(update_fields=["stock", "updated_at"])
    product.refresh_from_db()
    assert product.updated_at > before


def test_database_rejects_negative_stock(make_product):
    product = make_product()
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock=-1)


def test_database_rejects_negative_price(make_product):
    product = make_product()
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(price=Decimal("-0.01"))


def test_a_product_appears_once_per_order(make_product):
    product = make_product()
    order = Order.objects.create(customer=Customer.objects.create(email="a@example.com"), total=Decimal("1.00"))
    OrderLine.objects.create(order=order, product=product, quantity=1, unit_price=product.price)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.create(order=order, product=product, quantity=2, unit_price=product.price)
