"""FastAPI-only endpoints under /api/v2: search, stats, a stock write and the live stock WebSocket."""

import asyncio
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket
from fastapi.responses import JSONResponse
from sqlalchemy import func, or_, select, update

from . import queries
from .deps import Connection
from .errors import not_found
from .models import Category, Order, Product
from shop_contract.params import parse_id
from .shadow import WriteConnection
from .schemas import (
    CategoryStats,
    ErrorOut,
    InsufficientStockOut,
    ProductOut,
    SearchResults,
    Stats,
    StockDelta,
    ValidationErrorOut,
)

router = APIRouter(prefix="/api/v2", responses={400: {"model": ValidationErrorOut}})


@router.get("/search", response_model=SearchResults, tags=["products"], summary="Search product names and SKUs")
async def search(
    connection: Connection,
    q: Annotated[str, Query(min_length=1, max_length=100, description="Substring of the name or SKU, any case.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResults:
    match = or_(Product.name.icontains(q, autoescape=True), Product.sku.icontains(q, autoescape=True))
    rows = await connection.execute(queries.products().where(match).order_by(Product.id).limit(limit))
    return SearchResults(query=q, results=[queries.product_out(row) for row in rows])


@router.get("/stats", response_model=Stats, tags=["products"], summary="Catalogue and order totals")
async def stats(connection: Connection) -> Stats:
    products = (
        await connection.execute(
            select(
                func.count(),
                func.count().filter(Product.stock > 0),
                func.coalesce(func.sum(Product.stock), 0),
                func.coalesce(func.sum(Product.price * Product.stock), 0),
            )
        )
    ).one()
    orders = (
        await connection.execute(
            select(func.count(), func.coalesce(func.sum(Order.total), 0)).where(Order.status != "cancelled")
        )
    ).one()
    categories = await connection.execute(
        select(Category.slug, Category.name, func.count(Product.id), func.coalesce(func.sum(Product.stock), 0))
        .outerjoin(Product, Product.category_id == Category.id)
        .group_by(Category.id, Category.slug, Category.name)
        .order_by(Category.slug)
    )
    return Stats(
        products=products[0],
        in_stock=products[1],
        out_of_stock=products[0] - products[1],
        total_stock=products[2],
        inventory_value=products[3],
        orders=orders[0],
        revenue=orders[1],
        categories=[CategoryStats(slug=c[0], name=c[1], products=c[2], stock=c[3]) for c in categories],
    )


@router.post(
    "/products/{product_id}/stock",
    response_model=ProductOut,
    responses={404: {"model": ErrorOut}, 409: {"model": InsufficientStockOut}},
    tags=["products"],
    summary="Add a delta to a product's stock",
)
async def change_stock(product_id: str, body: StockDelta, connection: WriteConnection) -> ProductOut | JSONResponse:
    """One UPDATE ... SET stock = stock + delta guarded by `stock + delta >= 0`: atomic on both databases
    without reading first, so it races safely with Django's orders. The transaction is WriteConnection's:
    committed before the response is sent, or rolled back for a trusted shadow request."""
    pk = parse_id(product_id)
    if pk is None:
        return not_found()
    new_stock = await connection.scalar(
        update(Product)
        .where(Product.id == pk, Product.stock + body.delta >= 0)
        .values(stock=Product.stock + body.delta, updated_at=datetime.now(timezone.utc))
        .returning(Product.stock)
    )
    if new_stock is None:
        available = await connection.scalar(select(Product.stock).where(Product.id == pk))
        if available is None:
            return not_found()
        return JSONResponse(
            {
                "detail": "Insufficient stock.",
                "shortages": [{"product_id": pk, "requested": -body.delta, "available": available}],
            },
            status_code=409,
        )
    row = (await connection.execute(queries.products().where(Product.id == pk))).one()
    return queries.product_out(row)


@router.websocket("/ws/stock")
async def stock_updates(websocket: WebSocket) -> None:
    """Sends {"type": "hello"}, then {"type": "stock", ...} for every stock change seen in the shared
    database (whichever app made it), and answers each text frame with {"type": "echo", "data": text}."""
    feed = websocket.app.state.stock_feed
    await websocket.accept(headers=[(b"x-backend", b"fastapi")])
    send_lock = asyncio.Lock()

    async def send(message: dict) -> None:
        # The echo loop and the feed both send; one frame at a time.
        async with send_lock:
            await websocket.send_json(message)

    async def forward(queue: asyncio.Queue) -> None:
        while True:
            await send(await queue.get())

    await send({"type": "hello", "backend": "fastapi", "poll_interval": feed.interval})
    async with feed.subscribe() as queue:
        forwarder = asyncio.create_task(forward(queue))
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("text") is not None:
                    await send({"type": "echo", "data": message["text"]})
        finally:
            forwarder.cancel()
            await asyncio.gather(forwarder, return_exceptions=True)
