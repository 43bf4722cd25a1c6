from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BackendHeaderMiddleware:
    """Marks every HTTP response with X-Backend: fastapi (pure ASGI, so streamed bodies pass untouched)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-backend", b"fastapi")]
            await send(message)

        await self.app(scope, receive, send_marked)
