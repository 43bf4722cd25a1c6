"""Reads over Django's tables. Plain column selects rather than ORM objects: these are the high-volume paths."""

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Row

from .models import Category, Product
from .schemas import CategoryOut, ProductOut

PRODUCT_COLUMNS = (
    Product.id,
    Product.sku,
    Product.name,
    Product.price,
    Product.stock,
    Product.updated_at,
    Category.id.label("category_id"),
    Category.slug.label("category_slug"),
    Category.name.label("category_name"),
)


def products() -> Select:
    return select(*PRODUCT_COLUMNS).join(Category, Product.category_id == Category.id)


def count(query: Select) -> Select:
    return select(func.count()).select_from(query.order_by(None).subquery())


def product_out(row: Row) -> ProductOut:
    return ProductOut(
        id=row.id,
        sku=row.sku,
        name=row.name,
        category=CategoryOut(id=row.category_id, slug=row.category_slug, name=row.category_name),
        price=row.price,
        stock=row.stock,
        updated_at=row.updated_at,
    )
