"""Every change to the village network and the partner directory.

Each function runs in one transaction and writes its audit entry in it. Audit
entries name ids and kinds only, never a name or a number.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sigap.accounts import actions as account_actions
from sigap.accounts.models import User
from sigap.accounts.roles import Role
from sigap.network.models import (
    Invitation,
    Member,
    Partner,
    PartnerMember,
    PartnerService,
    PatbmGroup,
)
from sigap.regions.models import Region
from sigap.vault import audit
from sigap.vault.blind import phone_index

INVITATION_DAYS = 7


class NetworkError(Exception):
    """A change the rules refuse; the message is shown to the user as is."""


def _fill_member(member: Member, data: dict[str, Any]) -> None:
    for field in ("kind", "name", "position", "group_role", "phone", "may_print", "joined_on"):
        if field in data:
            setattr(member, field, data[field])
    member.phone = member.phone or None
    member.phone_index = (phone_index(member.phone) or "") if member.phone else ""


def add_member(*, desa: Region, data: dict[str, Any], by: Any, request: HttpRequest | None = None) -> Member:
    member = Member(desa=desa)
    _fill_member(member, data)
    with transaction.atomic():
        member.save()
        audit.record("network.member_added", actor=by, obj=member, reason=member.kind, request=request)
    return member


def update_member(member: Member, *, data: dict[str, Any], by: Any, request: HttpRequest | None = None) -> Member:
    _fill_member(member, data)
    with transaction.atomic():
        member.save()
        audit.record("network.member_updated", actor=by, obj=member, reason=member.kind, request=request)
    return member


def leave_network(member: Member, *, by: Any, request: HttpRequest | None = None) -> None:
    """The member leaves: open invitations die and their account, if any, stops working."""
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.left_at is not None:
            return
        locked.left_at = timezone.now()
        locked.save(update_fields=["left_at"])
        Invitation.objects.filter(member=locked, used_at__isnull=True).update(used_at=locked.left_at)
        audit.record("network.member_left", actor=by, obj=locked, request=request)
        if locked.user_id is not None:
            account_actions.deactivate_user(locked.user, by=by, request=request)  # type: ignore[arg-type]
    member.left_at = locked.left_at


def save_patbm_group(
    desa: Region, *, formed_on: datetime.date | None, decree_number: str, by: Any, request: HttpRequest | None = None
) -> PatbmGroup:
    with transaction.atomic():
        group, created = PatbmGroup.objects.get_or_create(desa=desa)
        group.formed_on = formed_on
        group.decree_number = decree_number
        group.updated_at = timezone.now()
        group.save()
        audit.record(
            "network.patbm_created" if created else "network.patbm_updated", actor=by, obj=group, request=request
        )
    return group


def invite_member(member: Member, *, by: Any, request: HttpRequest | None = None) -> str:
    """A new one-time link token for ``member``; earlier unused links of theirs stop working."""
    if not member.is_active:
        raise NetworkError("member has left the network")
    if member.user_id is not None:
        raise NetworkError("member already has an account")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(member=member, used_at__isnull=True).update(used_at=now)
        invitation = Invitation.objects.create(
            member=member,
            token_digest=Invitation.digest(token),
            created_by=by,
            created_at=now,
            expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
        )
        audit.record("network.member_invited", actor=by, obj=invitation, request=request)
    return token


def invitation_for(token: str) -> Invitation | None:
    """The usable invitation behind a token, or None (unknown, used, expired, member left)."""
    if not token or len(token) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("member").filter(token_digest=Invitation.digest(token)).first()
    )
    if invitation is None or not invitation.is_usable() or invitation.member.user_id is not None:
        return None
    return invitation


def accept_invitation(
    token: str, *, username: str, password: str, request: HttpRequest | None = None
) -> User | None:
    """Create the member's volunteer account and spend the token; None if it is no longer usable."""
    with transaction.atomic():
        invitation = invitation_for(token)
        if invitation is None:
            return None
        spent = Invitation.objects.select_for_update().filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        member = Member.objects.select_for_update().get(pk=invitation.member_id)
        if not spent or member.user_id is not None or member.left_at is not None:
            transaction.set_rollback(True)
            return None
        user = account_actions.create_user(
            username=username, password=password, role=Role.VOLUNTEER, desa_id=member.desa_id, request=request
        )
        member.user = user
        member.save(update_fields=["user"])
        audit.record("network.invitation_accepted", actor=user, obj=member, request=request)
    return user


# Partners -------------------------------------------------------------------

PARTNER_FIELDS = ("name", "partner_type", "address", "contact_name", "phone", "email", "notes", "active")


def save_partner(
    partner: Partner | None,
    *,
    data: dict[str, Any],
    services: Iterable[str],
    kecamatan: Iterable[Region],
    by: Any,
    request: HttpRequest | None = None,
) -> Partner:
    created = partner is None
    partner = partner or Partner()
    for field in PARTNER_FIELDS:
        if field in data:
            value = data[field]
            if field in ("contact_name", "phone", "email", "notes") and not value:
                value = None
            setattr(partner, field, value)
    with transaction.atomic():
        partner.save()
        wanted = set(services)
        PartnerService.objects.filter(partner=partner).exclude(service__in=wanted).delete()
        have = set(PartnerService.objects.filter(partner=partner).values_list("service", flat=True))
        PartnerService.objects.bulk_create([PartnerService(partner=partner, service=s) for s in sorted(wanted - have)])
        partner.kecamatan_served.set(list(kecamatan))
        audit.record(
            "network.partner_created" if created else "network.partner_updated", actor=by, obj=partner, request=request
        )
    return partner


def add_partner_member(partner: Partner, user: User, *, by: Any, request: HttpRequest | None = None) -> PartnerMember:
    if user.role != Role.PARTNER or not user.is_active:
        raise NetworkError("only active partner users can be linked to a partner")
    with transaction.atomic():
        if PartnerMember.objects.filter(user=user).exists():
            raise NetworkError("user already belongs to a partner")
        link = PartnerMember.objects.create(user=user, partner=partner, added_by=by)
        audit.record("network.partner_member_added", actor=by, obj=link, reason=f"partner={partner.pk}", request=request)
    return link


def remove_partner_member(link: PartnerMember, *, by: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit.record(
            "network.partner_member_removed", actor=by, obj=link, reason=f"partner={link.partner_id}", request=request
        )
        link.delete()


# Bulk import -------------------------------------------------------------------


def preview_import(*, kind: str, filename: str, content: bytes, by: Any, request: HttpRequest | None = None) -> Any:
    """Keep an uploaded list (sealed) for its preview; nothing is imported yet."""
    from sigap.network.models import ImportBatch

    with transaction.atomic():
        batch = ImportBatch.objects.create(kind=kind, filename=filename[:200], content=content, created_by=by)
        audit.record("network.import_previewed", actor=by, obj=batch, reason=kind, request=request)
    return batch


def run_import(batch: Any, *, by: Any, request: HttpRequest | None = None) -> Any:
    """Import the rows without problems, all in one transaction, checked again now; then erase the file."""
    from sigap.network import imports
    from sigap.network.models import ImportBatch, ImportStatus

    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.PREVIEWED or batch.content is None:
            raise NetworkError("this list was already imported")
        rows = imports.check(batch.kind, imports.parse(bytes(batch.content), batch.filename))
        imported = 0
        groups_done: set[str] = set()
        for row in rows:
            if not row.ok:
                continue
            if batch.kind == imports.KIND_MEMBERS:
                data = row.data
                member_data = {k: data[k] for k in ("kind", "name", "position", "group_role", "phone", "may_print")}
                add_member(desa=data["desa"], data=member_data, by=by, request=request)
                desa = data["desa"]
                if data["kind"] == "patbm" and desa.code not in groups_done:
                    group = PatbmGroup.objects.filter(desa=desa).first()
                    if group is None or (data["decree"] and not group.decree_number):
                        save_patbm_group(
                            desa, formed_on=group.formed_on if group else None,
                            decree_number=data["decree"] or (group.decree_number if group else ""),
                            by=by, request=request,
                        )
                    groups_done.add(desa.code)
            else:
                save_partner(None, data=row.data["data"], services=row.data["services"],
                             kecamatan=row.data["kecamatan"], by=by, request=request)
            imported += 1
        batch.status = ImportStatus.IMPORTED
        batch.imported_at = timezone.now()
        batch.content = None
        batch.rows_total = len(rows)
        batch.rows_imported = imported
        batch.skipped = [[row.number, row.problems] for row in rows if not row.ok]
        batch.save()
        audit.record(
            "network.import_done", actor=by, obj=batch, request=request,
            reason=f"{batch.kind} imported={imported} skipped={len(rows) - imported}",
        )
    return batch
