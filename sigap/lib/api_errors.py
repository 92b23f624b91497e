"""The API's single error shape: {"error": {"message": ..., "fields": {...}}}."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict[str, object]:
        return {"error": {"message": self.message, "fields": self.fields}}
