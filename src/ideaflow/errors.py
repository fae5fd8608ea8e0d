"""One error hierarchy for every layer. The API renders it as
{"error": code, "detail": message, "fields": {...}}; HTML forms show the message next to the field."""

from __future__ import annotations


class IdeaflowError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def to_dict(self) -> dict:
        return {"error": self.code, "detail": self.message, "fields": self.fields}


class Invalid(IdeaflowError):
    status_code = 422
    code = "invalid"

    @classmethod
    def field(cls, name: str, reason: str) -> Invalid:
        return cls(f"{name}: {reason}", fields={name: reason})


class Unauthorized(IdeaflowError):
    status_code = 401
    code = "unauthorized"


class Forbidden(IdeaflowError):
    status_code = 403
    code = "forbidden"


class NotFound(IdeaflowError):
    status_code = 404
    code = "not_found"


class Conflict(IdeaflowError):
    status_code = 409
    code = "conflict"


class RateLimited(IdeaflowError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class CsrfError(Forbidden):
    code = "csrf_failed"
