"""SQLAlchemy mapping of the tables that Django creates (deploy/django/shop/models.py). This app has no
migrations: Django owns the schema, and deploy/tests/test_schema_match.py fails when this mapping and
Django's migrations disagree on any table, column, type or nullability."""

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Django's BigAutoField is `bigint` on PostgreSQL but `integer` (the rowid alias) on SQLite, while
# foreign keys to it are `bigint` on both.
BigAutoId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator):
    """Django's DateTimeField with USE_TZ: timestamptz on PostgreSQL, naive UTC text on SQLite.
    Values come back as aware UTC datetimes on both."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class Category(Base):
    __tablename__ = "shop_category"

    id: Mapped[int] = mapped_column(BigAutoId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class Product(Base):
    __tablename__ = "shop_product"

    id: Mapped[int] = mapped_column(BigAutoId, primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shop_category.id"))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    stock: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Customer(Base):
    __tablename__ = "shop_customer"

    id: Mapped[int] = mapped_column(BigAutoId, primary_key=True)
    # References Django's auth_user, which this app does not map.
    user_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Order(Base):
    __tablename__ = "shop_order"

    id: Mapped[int] = mapped_column(BigAutoId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shop_customer.id"))
    status: Mapped[str] = mapped_column(String(16))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderLine(Base):
    __tablename__ = "shop_orderline"

    id: Mapped[int] = mapped_column(BigAutoId, primary_key=True)
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shop_order.id"))
    product_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shop_product.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
