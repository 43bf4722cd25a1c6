"""JSON shapes of the API. The product shape is the dual-served contract (see deploy/README.md)."""

from shop_core.http import format_timestamp

from .models import Order, Product


def money(value) -> str:
    return f"{value:.2f}"


def product_json(product: Product) -> dict:
    category = product.category
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "category": {"id": category.id, "slug": category.slug, "name": category.name},
        "price": money(product.price),
        "stock": product.stock,
        "updated_at": format_timestamp(product.updated_at),
    }


def order_json(order: Order) -> dict:
    customer = order.customer
    return {
        "id": order.id,
        "status": order.status,
        "created_at": format_timestamp(order.created_at),
        "customer": {"id": customer.id, "email": customer.email, "name": customer.name},
        "total": money(order.total),
        "lines": [
            {
                "product_id": line.product_id,
                "sku": line.product.sku,
                "name": line.product.name,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "line_total": money(line.line_total),
            }
            for line in order.lines.all()
        ],
    }
