"""Log records carry the request id so a log line can be matched to an audit entry."""

from __future__ import annotations

import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class QuietForbiddenFilter(logging.Filter):
    """A refused request (403) is logged as one line, without the traceback of its PermissionDenied.

    Every probe of a page the user may not open would otherwise print a full
    stack; the line (method, path, status) and the audit log say all there is.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
