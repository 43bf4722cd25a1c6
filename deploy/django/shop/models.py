"""The commerce schema. Django owns it: the FastAPI app maps these tables (deploy/fastapi/shop_api/models.py)
without migrations of its own, and deploy/tests/test_schema_match.py keeps the two in step. Table names
are spelled out because the other app depends on them."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class Category(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        db_table = "shop_category"
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Product(models.Model):
    sku = models.CharField("SKU", max_length=32, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    stock = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: the FastAPI stock feed polls for rows changed since its last look.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        db_table = "shop_product"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="shop_product_price_gte_0")]

    def __str__(self):
        return f"{self.sku} {self.name}"


class Customer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="customer"
    )
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "shop_customer"
        ordering = ["email"]

    def __str__(self):
        return self.email


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed"
        PAID = "paid"
        SHIPPED = "shipped"
        CANCELLED = "cancelled"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLACED)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "shop_order"
        ordering = ["-id"]

    def __str__(self):
        return f"Order {self.pk}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # The price when the order was placed; the product's price may change later.
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        db_table = "shop_orderline"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "product"], name="shop_orderline_order_product_uniq")]

    @property
    def line_total(self):
        return self.unit_price * self.quantity

    def __str__(self):
        return f"{self.quantity} × {self.product_id}"
