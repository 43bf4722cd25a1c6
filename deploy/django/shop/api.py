"""The JSON API. GET /api/products and /api/products/<id> are dual-served: FastAPI answers the same paths
with the same bytes. The write endpoints are csrf_exempt because they are a machine API called without a
browser session; a real deployment would put token authentication in front of them."""

import json

from django.db import transaction
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from shop_core.http import invalid, json_response, not_found

from .forms import MAX_ORDER_LINES, OrderForm, OrderLineForm, StockForm
from .models import Customer, Order, Product
from shop_contract.params import InvalidParameters, parse_id, parse_product_list_params
from .serializers import order_json, product_json
from .services import InsufficientStock, UnknownProducts, change_stock, place_order

INVALID_BODY = "Invalid request."


@require_safe
def product_list(request):
    try:
        params = parse_product_list_params(request.GET)
    except InvalidParameters as exc:
        return invalid(exc.errors)
    products = Product.objects.select_related("category").order_by("id")
    if params.category:
        products = products.filter(category__slug=params.category)
    if params.in_stock is not None:
        products = products.filter(stock__gt=0) if params.in_stock else products.filter(stock=0)
    page = products[params.offset : params.offset + params.page_size]
    return json_response(
        {
            "count": products.count(),
            "page": params.page,
            "page_size": params.page_size,
            "results": [product_json(p) for p in page],
        }
    )


@require_safe
def product_detail(request, product_id: str):
    pk = parse_id(product_id)
    product = Product.objects.select_related("category").filter(pk=pk).first() if pk else None
    return json_response(product_json(product)) if product else not_found()


@csrf_exempt
@require_POST
def product_stock(request, product_id: str):
    pk = parse_id(product_id)
    if pk is None:
        return not_found()
    body = _json_object(request)
    if body is None:
        return invalid({"body": ["Expected a JSON object."]}, INVALID_BODY)
    form = StockForm(body)
    if not form.is_valid():
        return invalid(_form_errors(form), INVALID_BODY)
    try:
        product = change_stock(pk, stock=form.cleaned_data["stock"], delta=form.cleaned_data["delta"])
    except Product.DoesNotExist:
        return not_found()
    except InsufficientStock as exc:
        return _insufficient_stock(exc)
    return json_response(product_json(product))


@csrf_exempt
@require_POST
def order_create(request):
    """Body: {"customer_email": str, "customer_name": str?, "lines": [{"product_id": int, "quantity": int}]}."""
    body = _json_object(request)
    if body is None:
        return invalid({"body": ["Expected a JSON object."]}, INVALID_BODY)
    form = OrderForm(body)
    errors = {} if form.is_valid() else _form_errors(form)
    quantities = _order_lines(body.get("lines"), errors)
    if errors:
        return invalid(errors, INVALID_BODY)
    try:
        with transaction.atomic():
            customer, _ = Customer.objects.get_or_create(
                email=form.cleaned_data["customer_email"], defaults={"name": form.cleaned_data["customer_name"]}
            )
            order = place_order(customer, quantities)
    except UnknownProducts as exc:
        positions = {pid: index for index, pid in enumerate(quantities)}
        return invalid(
            {f"lines.{positions[pid]}.product_id": ["Unknown product."] for pid in sorted(exc.product_ids)},
            INVALID_BODY,
        )
    except InsufficientStock as exc:
        return _insufficient_stock(exc)
    response = json_response(order_json(_order_queryset().get(pk=order.pk)), status=201)
    response["Location"] = f"/api/orders/{order.pk}"
    return response


@require_safe
def order_detail(request, order_id: str):
    pk = parse_id(order_id)
    order = _order_queryset().filter(pk=pk).first() if pk else None
    return json_response(order_json(order)) if order else not_found()


def _order_queryset():
    return Order.objects.select_related("customer").prefetch_related("lines__product")


def _order_lines(lines, errors: dict) -> dict[int, int]:
    """Validates the lines into {product_id: quantity}, in request order; errors use `lines.<i>.<field>` keys."""
    if not isinstance(lines, list) or not 1 <= len(lines) <= MAX_ORDER_LINES:
        errors["lines"] = [f"Expected a list of 1 to {MAX_ORDER_LINES} lines."]
        return {}
    quantities: dict[int, int] = {}
    for index, line in enumerate(lines):
        form = OrderLineForm(line if isinstance(line, dict) else {})
        if not form.is_valid():
            errors.update({f"lines.{index}.{field}": messages for field, messages in _form_errors(form).items()})
            continue
        product_id = form.cleaned_data["product_id"]
        if product_id in quantities:
            errors[f"lines.{index}.product_id"] = ["Duplicate product."]
            continue
        quantities[product_id] = form.cleaned_data["quantity"]
    return quantities


def _json_object(request) -> dict | None:
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _form_errors(form) -> dict[str, list[str]]:
    return {
        ("body" if field == "__all__" else field): [str(message) for message in messages]
        for field, messages in form.errors.items()
    }


def _insufficient_stock(exc: InsufficientStock):
    return json_response(
        {
            "detail": "Insufficient stock.",
            "shortages": [
                {"product_id": s.product_id, "requested": s.requested, "available": s.available} for s in exc.shortages
            ],
        },
        status=409,
    )
