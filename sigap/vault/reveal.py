"""Showing hidden personal data: permission, a written reason, an audit entry, managers told.

Pages show masked forms by default (``sigap.vault.masking``). A page that offers
"Tampilkan identitas" includes ``vault/reveal_form.html`` and calls
``handle_reveal()``; the plaintext goes into that one response and nowhere else
(nothing in the session, the URL or a log).

Who may reveal is the ``SIGAP_REVEAL_ROLES`` setting (default: the manager),
read through ``Perm.REVEAL_IDENTITY`` in ``sigap.accounts.roles``. The same rule
covers the victim's address and contact: callers pass those fields too.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sigap.accounts.roles import Perm, Role, has_permission
from sigap.core.notify import notify
from sigap.vault import audit

MIN_REASON_LENGTH = 10
MAX_REASON_LENGTH = 500
FORM_MARKER = "vault_reveal"


def can_reveal(user: Any) -> bool:
    return has_permission(user, Perm.REVEAL_IDENTITY)


def clean_reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if len(text) < MIN_REASON_LENGTH:
        raise ValidationError(
            _("Tuliskan alasan membuka identitas, minimal %(count)d karakter."),
            code="reason_too_short",
            params={"count": MIN_REASON_LENGTH},
        )
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("Alasan terlalu panjang (maksimal %(count)d karakter)."),
            code="reason_too_long",
            params={"count": MAX_REASON_LENGTH},
        )
    return text


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _managers(excluding: Any) -> Iterable[Any]:
    from sigap.accounts.models import User

    managers = User.objects.filter(role=Role.MANAGER, is_active=True)
    if getattr(excluding, "pk", None) is not None:
        managers = managers.exclude(pk=excluding.pk)
    return managers


def reveal(
    obj: models.Model,
    fields: Sequence[str],
    *,
    by: Any,
    reason: str,
    request: HttpRequest | None = None,
    allowed: bool | None = None,
) -> dict[str, str]:
    """Return the plaintext of ``fields`` of ``obj`` for one response, audited.

    Raises ``PermissionDenied`` for a user whose role may not reveal and
    ``ValidationError`` for a missing or too short reason; in both cases
    nothing is written.
    """
    if not (can_reveal(by) if allowed is None else allowed):
        raise PermissionDenied
    reason = clean_reason(reason)
    for name in fields:
        obj._meta.get_field(name)  # a typo is a programming error, not a silent empty reveal
    with transaction.atomic():
        audit.record("vault.reveal", actor=by, obj=obj, reason=reason, request=request)
        values = {name: _display(getattr(obj, name)) for name in fields}
        notify(
            _managers(excluding=by),
            "vault.reveal",
            _("%(user)s membuka data tersembunyi pada %(object)s #%(id)s.")
            % {"user": getattr(by, "username", "?"), "object": obj._meta.verbose_name, "id": obj.pk},
            link=request.path if request is not None else "",
        )
    return values


class RevealForm(forms.Form):
    vault_reveal = forms.CharField(widget=forms.HiddenInput, initial="1")
    # Which of the page's reveal forms was sent (a page may hide more than one record).
    reveal_what = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Alasan membuka identitas"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_REASON_LENGTH * 2,
        help_text=gettext_lazy(
            "Tulis untuk apa data ini dibutuhkan. Alasan dicatat di log audit dan para manajer diberi tahu. "
            "Jangan menulis nama atau nomor telepon di sini."
        ),
    )

    def clean_reason(self) -> str:
        return clean_reason(self.cleaned_data.get("reason"))


@dataclass
class RevealOutcome:
    """What a page needs: the form (None for users who may not reveal) and the revealed values."""

    form: RevealForm | None
    revealed: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @property
    def shown(self) -> bool:
        return bool(self.revealed)


def handle_reveal(request: HttpRequest, obj: models.Model, fields: Sequence[str], *, allowed: bool | None = None,
                  what: str = "") -> RevealOutcome:
    """Process the reveal form posted to the page showing ``obj``.

    A POST carrying the form from a user who may not reveal is refused with
    ``PermissionDenied`` (403). An invalid reason gives status 400 and the form
    with its error; nothing is audited.
    """
    user = request.user
    posted = (request.method == "POST" and FORM_MARKER in request.POST
              and request.POST.get("reveal_what", "") == what)
    may = can_reveal(user) if allowed is None else allowed
    if not may:
        if posted:
            raise PermissionDenied
        return RevealOutcome(form=None)
    if not posted:
        return RevealOutcome(form=RevealForm(initial={"reveal_what": what}))
    form = RevealForm(request.POST)
    if not form.is_valid():
        return RevealOutcome(form=form, status=400)
    values = reveal(obj, fields, by=user, reason=form.cleaned_data["reason"], request=request, allowed=may)
    return RevealOutcome(form=RevealForm(initial={"reveal_what": what}), revealed=values)
