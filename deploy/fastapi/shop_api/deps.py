from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


def get_engine(request: Request) -> AsyncEngine:
    return request.app.state.engine


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.engine.connect() as connection:
        yield connection


Connection = Annotated[AsyncConnection, Depends(get_connection)]
Engine = Annotated[AsyncEngine, Depends(get_engine)]
