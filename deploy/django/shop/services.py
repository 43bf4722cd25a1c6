"""Writes that change stock. Each runs in one transaction and locks the product rows it reads
(SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction holds the database write lock),
so concurrent orders can never sell the same unit twice."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from .models import Customer, Order, OrderLine, Product


@dataclass(frozen=True)
class Shortage:
    product_id: int
    requested: int
    available: int


class InsufficientStock(Exception):
    def __init__(self, shortages: list[Shortage]):
        super().__init__(shortages)
        self.shortages = shortages


class UnknownProducts(Exception):
    def __init__(self, product_ids: set[int]):
        super().__init__(product_ids)
        self.product_ids = product_ids


def place_order(customer: Customer, quantities: dict[int, int]) -> Order:
    """Creates an order for {product_id: quantity} and takes the stock, or changes nothing."""
    with transaction.atomic():
        # Locking in id order keeps two orders for the same products from deadlocking each other.
        products = {p.id: p for p in Product.objects.select_for_update().filter(pk__in=quantities).order_by("pk")}
        missing = set(quantities) - set(products)
        if missing:
            raise UnknownProducts(missing)
        shortages = [
            Shortage(pid, quantity, products[pid].stock)
            for pid, quantity in quantities.items()
            if products[pid].stock < quantity
        ]
        if shortages:
            raise InsufficientStock(shortages)

        total = sum((products[pid].price * quantity for pid, quantity in quantities.items()), Decimal("0.00"))
        order = Order.objects.create(customer=customer, total=total)
        OrderLine.objects.bulk_create(
            OrderLine(order=order, product=products[pid], quantity=quantity, unit_price=products[pid].price)
            for pid, quantity in quantities.items()
        )
        for pid, quantity in quantities.items():
            product = products[pid]
            product.stock -= quantity
            product.save(update_fields=["stock", "updated_at"])
    return order


def change_stock(product_id: int, *, stock: int | None = None, delta: int | None = None) -> Product:
    """Sets the stock, or adds a (possibly negative) delta that may not take it below zero."""
    with transaction.atomic():
        product = Product.objects.select_for_update().select_related("category").get(pk=product_id)
        new_stock = stock if stock is not None else product.stock + delta
        if new_stock < 0:
            raise InsufficientStock([Shortage(product.id, -delta, product.stock)])
        product.stock = new_stock
        product.save(update_fields=["stock", "updated_at"])
    return product


def customer_for_user(user) -> Customer:
    """The customer record a signed-in user orders as, created on first use."""
    customer = Customer.objects.filter(user=user).first()
    if customer:
        return customer
    email = user.email or f"{user.username}@users.invalid"
    customer, _ = Customer.objects.get_or_create(email=email, defaults={"name": user.get_full_name()})
    if customer.user_id is None:
        customer.user = user
        customer.save(update_fields=["user"])
    return customer
