"""HEAD answered like GET without the body (RFC 9110 §9.3.2), for every route that only declares GET.

FastAPI routes declared with `@router.get` answer HEAD with 405. This middleware runs the GET and sends only its
status and headers (Content-Length stays what the GET would send). Routes that handle HEAD themselves (the Atom
feeds, the widget loader) are left alone."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

OWN_HEAD_SUFFIXES = (".atom", "/widget.js")


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or scope["path"].endswith(OWN_HEAD_SUFFIXES):
            await self.app(scope, receive, send)
            return
        finished = False

        async def send_head(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body" and not finished:
                if not message.get("more_body", False):
                    finished = True
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_head)
