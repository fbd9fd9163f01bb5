"""The one application error type (一种错误形态).

Services raise ``AppError`` with a Chinese message and, where it applies, the field or the row it
concerns. HTML shows it beside the field, the API returns ``{"message": ..., "fields": {...}}``
with a 4xx code, the command line prints it and exits non-zero.
"""

from __future__ import annotations


class AppError(Exception):
    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, status: int | None = None):
        super().__init__(message)
        self.message = str(message)
        self.fields = {k: str(v) for k, v in (fields or {}).items()}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"message": self.message, "fields": self.fields}

    @classmethod
    def from_validation_error(cls, exc) -> "AppError":
        """Turn Django's ValidationError (from full_clean) into the one error shape."""
        fields: dict[str, str] = {}
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                fields[name] = "；".join(str(m) for e in errors for m in e.messages)
        messages = list(fields.values()) or [str(m) for m in exc.messages]
        return cls("；".join(messages), fields=fields)


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    """A stale edit: someone else saved the object first (optimistic locking)."""

    status = 409


class PermissionDenied(AppError):
    status = 403
