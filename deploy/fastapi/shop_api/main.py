"""The FastAPI app: high-volume reads over the tables Django owns. Served by deploy/bin/serve-fastapi
(uvicorn with uvloop and httptools); `shop_api.main:app` is the ASGI entry point."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import diagnostics, products, v2
from .config import Settings
from .db import create_engine
from .errors import install_error_handlers
from .middleware import BackendHeaderMiddleware
from .shadow import ShadowMiddleware
from .stockfeed import StockFeed


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = create_engine(settings)
        app.state.stock_feed = StockFeed(app.state.engine, settings.stock_poll_interval)
        yield
        await app.state.engine.dispose()

    app = FastAPI(
        title="Tandem shop API",
        version="1.0.0",
        description="The FastAPI half of Tandem's reference deployment: fast reads over the database Django owns.",
        openapi_url="/api/v2/openapi.json",
        docs_url="/api/v2/docs",
        redoc_url=None,
        # Django does not redirect /api/products/ to /api/products either; both answer 404.
        redirect_slashes=False,
        lifespan=lifespan,
    )
    app.add_middleware(BackendHeaderMiddleware)
    # Believes X-Tandem-Shadow only from TANDEM_TRUSTED_PROXIES; write endpoints roll back for it (shadow.py).
    app.add_middleware(ShadowMiddleware, trusted_proxies=settings.trusted_proxies)
    install_error_handlers(app)
    app.include_router(diagnostics.router)
    app.include_router(products.router)
    app.include_router(v2.router)
    return app


app = create_app()
