"""The dual-served product endpoints: the same paths, parameters, bodies and errors as Django's
(deploy/django/shop/api.py). Parameters are parsed by hand, with Django's rules and messages, so that
both apps accept, reject and word things identically; the OpenAPI description is written out to match."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from . import queries
from .deps import Connection
from .errors import not_found
from .models import Category, Product
from shop_contract.params import PAGE_MAX, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, parse_id, parse_product_list_params
from .schemas import ErrorOut, ProductOut, ProductPage, ValidationErrorOut

router = APIRouter(tags=["products (dual-served)"])

LIST_PARAMETERS = [
    {
        "name": "category",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "Category slug.",
    },
    {
        "name": "in_stock",
        "in": "query",
        "required": False,
        "schema": {"type": "boolean"},
        "description": "`true` or `false`.",
    },
    {
        "name": "page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": 1},
    },
    {
        "name": "page_size",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX, "default": PAGE_SIZE_DEFAULT},
    },
]


# HEAD too, because the gateway routes GET and HEAD here (uvicorn sends no body for it); it stays out of
# the OpenAPI document, where it would only repeat GET.
@router.head("/api/products", include_in_schema=False, response_model=None)
@router.get(
    "/api/products",
    response_model=ProductPage,
    responses={400: {"model": ValidationErrorOut}},
    openapi_extra={"parameters": LIST_PARAMETERS},
    summary="List products, ordered by id",
)
async def list_products(request: Request, connection: Connection) -> ProductPage:
    params = parse_product_list_params(request.query_params)
    query = queries.products().order_by(Product.id)
    if params.category:
        query = query.where(Category.slug == params.category)
    if params.in_stock is not None:
        query = query.where(Product.stock > 0 if params.in_stock else Product.stock == 0)
    total = await connection.scalar(queries.count(query))
    rows = await connection.execute(query.offset(params.offset).limit(params.page_size))
    return ProductPage(
        count=total,
        page=params.page,
        page_size=params.page_size,
        results=[queries.product_out(row) for row in rows],
    )


@router.head("/api/products/{product_id}", include_in_schema=False, response_model=None)
@router.get(
    "/api/products/{product_id}",
    response_model=ProductOut,
    responses={404: {"model": ErrorOut}},
    summary="One product",
)
async def get_product(product_id: str, connection: Connection) -> ProductOut | JSONResponse:
    pk = parse_id(product_id)
    if pk is None:
        return not_found()
    row = (await connection.execute(queries.products().where(Product.id == pk))).first()
    return queries.product_out(row) if row else not_found()
