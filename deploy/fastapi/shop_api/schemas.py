"""Response and request bodies. ProductOut and ProductPage are the dual-served contract: Pydantic writes
them byte for byte as Django does (deploy/django/shop/serializers.py)."""

from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# Decimals travel as strings with exactly two places, e.g. "12.50".
Money = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str),
    Field(json_schema_extra={"examples": ["12.50"]}),
]


def format_timestamp(value: datetime) -> str:
    """UTC with six fractional digits and a Z, e.g. "2026-11-22T02:15:09.123456Z"."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


Timestamp = Annotated[
    datetime,
    PlainSerializer(format_timestamp, return_type=str),
    Field(json_schema_extra={"examples": ["2026-11-22T02:15:09.123456Z"]}),
]


class CategoryOut(BaseModel):
    id: int
    slug: str
    name: str


class ProductOut(BaseModel):
    id: int
    sku: str
    name: str
    category: CategoryOut
    price: Money
    stock: int
    updated_at: Timestamp


class ProductPage(BaseModel):
    count: int = Field(description="Products matching the filters, on all pages.")
    page: int
    page_size: int
    results: list[ProductOut]


class ErrorOut(BaseModel):
    detail: str


class ValidationErrorOut(BaseModel):
    detail: str = Field(examples=["Invalid parameters."])
    errors: dict[str, list[str]] = Field(description="Messages per parameter or body field.")


class Shortage(BaseModel):
    product_id: int
    requested: int
    available: int


class InsufficientStockOut(BaseModel):
    detail: str = Field(examples=["Insufficient stock."])
    shortages: list[Shortage]


class StockDelta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delta: int = Field(ge=-1_000_000, le=1_000_000, description="Added to the stock; the result may not go below 0.")


class SearchResults(BaseModel):
    query: str
    results: list[ProductOut]


class CategoryStats(BaseModel):
    slug: str
    name: str
    products: int
    stock: int


class Stats(BaseModel):
    products: int
    in_stock: int
    out_of_stock: int
    total_stock: int
    inventory_value: Money
    orders: int
    revenue: Money
    categories: list[CategoryStats]


class Health(BaseModel):
    status: str
    backend: str
    database: str


class WhoAmI(BaseModel):
    backend: str
    remote_addr: str | None
    is_secure: bool
    scheme: str
    host: str
    absolute_uri: str
    headers: dict[str, str]


class BlobReceipt(BaseModel):
    bytes: int
    sha256: str
