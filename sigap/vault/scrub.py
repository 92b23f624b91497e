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
``SIGAP_RETENTION_YEARS`` after closure and scrubs it on confirmation, each
record in its own transaction after checking again, under a row lock, that it
is still due (a case reopened meanwhile is left alone). Cases implement the
protocol; a case's scrub takes its records and its reports along (a report's
retention follows its case).
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


def unread(model: type[models.Model]) -> list[str]:
    """The sealed fields to ``defer()`` when loading a record only to scrub it.

    Nothing is decrypted on the way, so a value whose key is lost can still be erased.
    """
    return [field.name for field in encrypted_fields_of(model)]


def links_within_app(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """(child model, field name) for every foreign key or one-to-one field of the app pointing at ``model``.

    Hidden reverse relations (``related_name="+"``) included, which
    ``_meta.related_objects`` leaves out.
    """
    links = []
    for child in apps.get_app_config(model._meta.app_label).get_models():
        for field in child._meta.concrete_fields:
            if field.is_relation and field.related_model is model and (field.many_to_one or field.one_to_one):
                links.append((child, field.name))
    return links


def sealed_descendants(obj: models.Model) -> list[models.Model]:
    """Every row of ``obj``'s app that points at ``obj`` (or at such a row) and holds a sealed field.

    Follows foreign keys and one-to-one links pointing back within the app only,
    so a model added to the app later is scrubbed with its parent without being
    listed anywhere. Rows without sealed fields are walked through, not returned.
    """
    found: list[models.Model] = []
    seen: set[tuple[str, Any]] = {(obj._meta.label_lower, obj.pk)}
    pending = [obj]
    while pending:
        parent = pending.pop()
        for child_model, field_name in links_within_app(type(parent)):
            rows = child_model._base_manager.filter(**{field_name: parent.pk}).order_by("pk")
            for child in rows.defer(*unread(child_model)):
                key = (child._meta.label_lower, child.pk)
                if key in seen:
                    continue
                seen.add(key)
                if encrypted_fields_of(child_model):
                    found.append(child)
                pending.append(child)
    return found


def scrub_if_due(model: type[models.Model], pk: Any, cutoff: datetime.datetime, *, reason: str) -> list[models.Model]:
    """Scrub one record of ``model.retention_queryset(cutoff)`` if it is still due, under a row lock.

    Between the listing and this transaction a case may have been reopened (or
    scrubbed by another run); then nothing happens and ``[]`` is returned.
    """
    with transaction.atomic():
        due = model.retention_queryset(cutoff)  # type: ignore[attr-defined]
        obj = due.select_for_update().filter(pk=pk).first()
        if obj is None:
            return []
        return scrub(obj, by=None, reason=reason)


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
