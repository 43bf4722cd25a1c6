import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .models import Product
from .schemas import format_timestamp

log = logging.getLogger(__name__)

# Rows are re-read this far behind the newest change seen, so a transaction that commits a little
# after its updated_at timestamp is still picked up; the `sent` map keeps re-reads from repeating.
OVERLAP = timedelta(seconds=2)
QUEUE_SIZE = 1000


class StockFeed:
    """Polls the shared database for products whose updated_at moved and fans the changes out to the
    WebSocket subscribers of this process. Polling, rather than in-process events, also sees the writes
    of Django and of other uvicorn workers. It runs only while someone is subscribed."""

    def __init__(self, engine: AsyncEngine, interval: float):
        self.interval = interval
        self._engine = engine
        self._subscribers: set[asyncio.Queue] = set()
        self._task: asyncio.Task | None = None

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue]:
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._subscribers.add(queue)
        if self._task is None:
            self._task = asyncio.create_task(self._poll(datetime.now(timezone.utc)))
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
            if not self._subscribers and self._task is not None:
                task, self._task = self._task, None
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    async def _poll(self, since: datetime) -> None:
        """Publishes changes stamped after `since`; older rows are history, not news."""
        watermark = since
        sent: dict[int, datetime] = {}
        while True:
            await asyncio.sleep(self.interval)
            try:
                async with self._engine.connect() as connection:
                    rows = await self._changes(connection, watermark)
            except (SQLAlchemyError, OSError):
                log.warning("stock feed: database poll failed; retrying", exc_info=True)
                continue
            for product_id, stock, updated_at in rows:
                watermark = max(watermark, updated_at)
                if updated_at <= since or sent.get(product_id) == updated_at:
                    continue
                sent[product_id] = updated_at
                self._publish(
                    {
                        "type": "stock",
                        "product_id": product_id,
                        "stock": stock,
                        "updated_at": format_timestamp(updated_at),
                    }
                )
            horizon = watermark - OVERLAP
            sent = {pid: ts for pid, ts in sent.items() if ts > horizon}

    @staticmethod
    async def _changes(connection: AsyncConnection, watermark: datetime) -> list[Row]:
        query = (
            select(Product.id, Product.stock, Product.updated_at)
            .where(Product.updated_at > watermark - OVERLAP)
            .order_by(Product.updated_at)
        )
        return (await connection.execute(query)).all()

    def _publish(self, message: dict) -> None:
        for queue in self._subscribers:
            if queue.full():
                # A subscriber that stopped reading loses its oldest update rather than stalling the rest.
                queue.get_nowait()
            queue.put_nowait(message)
