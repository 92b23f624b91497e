"""Scrub, don't delete: erase what identifies a person, keep what is counted.

``scrub(obj, by=..., reason=...)`` replaces every encrypted field of ``obj`` with
``None`` (or, for a field that cannot be null, its ``scrub_placeholder``: an
empty string for text), resets the plain columns the model lists in
``scrub_extra_fields`` (blind indexes, for instance), stamps ``scrubbed_at``
when the model has it, and does the same for each record returned by the
model's ``scrub_related()`` (a report's reporter identity and victims). Plain
statistical fields (desa, age group, sex, violence type, dates, status) stay.
One audit entry ``vault.scrub`` per record, in the same transaction.

Retention (``manage.py retention``): a model whose records expire declares

    @classmethod
    def retention_queryset(cls, cutoff: datetime) -> QuerySet:
        # records closed before ``cutoff`` and not yet scrubbed

The command finds those models by that classmethod, lists what is due
``SIGAP_RETENTION_YEARS`` after closure and scrubs it on confirmation. Intake
and cases implement the protocol for reports and cases.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from sigap.vault import audit
from sigap.vault.registry import encrypted_fields_of


class Retainable(Protocol):
    @classmethod
    def retention_queryset(cls, cutoff: datetime.datetime) -> models.QuerySet[Any]: ...


def scrub_value(field: Any) -> Any:
    if field.null:
        return None
    placeholder = getattr(field, "scrub_placeholder", "")
    if placeholder is None:
        raise ImproperlyConfigured(f"{field.vault_context} cannot be scrubbed: make it null=True")
    return placeholder


def _scrub_one(obj: models.Model, *, by: Any, reason: str, request: HttpRequest | None,
               seen: set[tuple[str, Any]], done: list[models.Model]) -> None:
    key = (obj._meta.label_lower, obj.pk)
    if obj.pk is None or key in seen:
        return
    seen.add(key)
    updates: dict[str, Any] = {}
    for field in encrypted_fields_of(type(obj)):
        updates[field.name] = scrub_value(field)
    updates.update(getattr(obj, "scrub_extra_fields", {}))
    if any(f.name == "scrubbed_at" for f in obj._meta.concrete_fields):
        updates["scrubbed_at"] = timezone.now()
    # update(), not save(): no save hooks may re-derive what is being erased.
    type(obj)._base_manager.filter(pk=obj.pk).update(**updates)
    for name, value in updates.items():
        setattr(obj, name, value)
    audit.record("vault.scrub", actor=by, obj=obj, reason=reason, request=request)
    done.append(obj)
    related: Iterable[models.Model] = obj.scrub_related() if hasattr(obj, "scrub_related") else ()
    for other in related:
        _scrub_one(other, by=by, reason=reason, request=request, seen=seen, done=done)


def scrub(obj: models.Model, *, by: Any = None, reason: str, request: HttpRequest | None = None) -> list[models.Model]:
    """Erase the identifying fields of ``obj`` and its related identity records; return what was scrubbed."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValueError("a scrub needs a reason (it is audited)")
    done: list[models.Model] = []
    with transaction.atomic():
        _scrub_one(obj, by=by, reason=reason, request=request, seen=set(), done=done)
    return done


def retention_cutoff(now: datetime.datetime | None = None, years: int | None = None) -> datetime.datetime:
    now = now or timezone.now()
    years = settings.SIGAP_RETENTION_YEARS if years is None else years
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def retainable_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if callable(getattr(m, "retention_queryset", None))]


def due_for_scrubbing(cutoff: datetime.datetime) -> dict[type[models.Model], models.QuerySet[Any]]:
    return {model: model.retention_queryset(cutoff) for model in retainable_models()}  # type: ignore[attr-defined]
