"""Pure ASGI middleware (cheap on the hot path): security headers and the anonymous CSRF cookie.

No page may be framed (`frame-ancestors 'none'`), except the widget's /embed pages: those set their own
policy naming the workspace's allowed origins, which this middleware leaves in place."""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "ideaflow_csrf"
SESSION_COOKIE = "ideaflow_session"
EMBED_PREFIX = "/embed/"

_STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# The interactive API docs page boots Swagger UI with an inline script.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


def read_cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return None
            morsel = jar.get(name)
            return morsel.value if morsel else None
    return None


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, secure_cookies: bool = False, hsts: bool = False) -> None:
        self.app = app
        self.secure_cookies = secure_cookies
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        anon = read_cookie(scope, CSRF_COOKIE)
        new_anon = None
        if not anon or len(anon) < 20:
            anon = new_anon = secrets.token_urlsafe(24)
        state["anon_csrf"] = anon
        path: str = scope["path"]
        csp = _DOCS_CSP if path == "/docs" else _STRICT_CSP
        embed = path.startswith(EMBED_PREFIX)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                own_policy = headers.get("Content-Security-Policy")
                if not (embed and own_policy and "frame-ancestors" in own_policy):
                    # Only an /embed page may choose who frames it; anything else is never framable.
                    keep = own_policy and "frame-ancestors 'none'" in own_policy
                    headers["Content-Security-Policy"] = own_policy if keep else csp
                    headers["X-Frame-Options"] = "DENY"
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
                # The widget is loaded and framed by other sites, where this cookie would be third-party.
                if new_anon and not embed and path != "/widget.js":
                    secure = "; Secure" if self.secure_cookies else ""
                    headers.append("Set-Cookie", f"{CSRF_COOKIE}={new_anon}; Path=/; HttpOnly; SameSite=Lax{secure}")
            await send(message)

        await self.app(scope, receive, send_wrapper)
