"""Roles and what each may do: the one place where permissions are declared.

Views and access rules ask ``has_permission(user, Perm.X)``; nothing else in the
code base compares role names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Kepala UPTD (Manajer Kasus)")
    CASE_WORKER = "case_worker", _("Pendamping / Konselor")
    OPERATOR = "operator", _("Petugas Pengaduan")
    DATA_OFFICER = "data_officer", _("Petugas Data")
    VOLUNTEER = "volunteer", _("Relawan (PATBM / SAPA / perangkat desa)")
    PARTNER = "partner", _("Mitra")


class Perm(models.TextChoices):
    MANAGE_USERS = "manage_users", _("Mengelola pengguna")
    MANAGE_SETTINGS = "manage_settings", _("Mengelola pengaturan dan kunci")
    VIEW_AUDIT = "view_audit", _("Melihat log audit")
    RECORD_CONTACT = "record_contact", _("Mencatat kontak")
    FILE_REPORT = "file_report", _("Membuat laporan pengaduan")
    VIEW_REPORTS = "view_reports", _("Melihat laporan")
    REVEAL_IDENTITY = "reveal_identity", _("Membuka identitas pelapor")
    ASSIGN_CASES = "assign_cases", _("Menugaskan kasus")
    APPROVE_PLANS = "approve_plans", _("Menyetujui rencana dan penutupan kasus")
    WORK_CASES = "work_cases", _("Menangani kasus")
    VIEW_ALL_CASES = "view_all_cases", _("Melihat semua kasus")
    VIEW_STATS = "view_stats", _("Melihat statistik")
    EXPORT_STATS = "export_stats", _("Mengunduh statistik dan ekspor SIMFONI-PPA")
    MANAGE_NETWORK = "manage_network", _("Mengelola jaringan desa dan mitra")
    MANAGE_OUTREACH = "manage_outreach", _("Mengelola sosialisasi")
    APPROVE_PRESS = "approve_press", _("Menyetujui siaran pers")
    SUBMIT_VILLAGE_REPORT = "submit_village_report", _("Mengirim laporan dari desa")
    VIEW_REFERRALS = "view_referrals", _("Melihat rujukan untuk lembaganya")


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({Perm.MANAGE_USERS, Perm.MANAGE_SETTINGS, Perm.VIEW_AUDIT, Perm.MANAGE_NETWORK}),
    Role.MANAGER: frozenset(
        {
            Perm.VIEW_AUDIT,
            Perm.RECORD_CONTACT,
            Perm.FILE_REPORT,
            Perm.VIEW_REPORTS,
            Perm.ASSIGN_CASES,
            Perm.APPROVE_PLANS,
            Perm.WORK_CASES,
            Perm.VIEW_ALL_CASES,
            Perm.VIEW_STATS,
            Perm.EXPORT_STATS,
            Perm.MANAGE_NETWORK,
            Perm.MANAGE_OUTREACH,
            Perm.APPROVE_PRESS,
        }
    ),
    Role.CASE_WORKER: frozenset({Perm.RECORD_CONTACT, Perm.FILE_REPORT, Perm.WORK_CASES}),
    Role.OPERATOR: frozenset({Perm.RECORD_CONTACT, Perm.FILE_REPORT, Perm.VIEW_REPORTS}),
    Role.DATA_OFFICER: frozenset({Perm.VIEW_STATS, Perm.EXPORT_STATS, Perm.MANAGE_OUTREACH}),
    Role.VOLUNTEER: frozenset({Perm.SUBMIT_VILLAGE_REPORT}),
    Role.PARTNER: frozenset({Perm.VIEW_REFERRALS}),
}

# Every role but the village volunteer handles confidential records and must use
# two-factor authentication; volunteers may enable it.
TWO_FACTOR_REQUIRED: frozenset[str] = frozenset(set(Role.values) - {Role.VOLUNTEER})


# Permissions whose roles each deployment chooses: permission -> setting holding
# the list of roles. Revealing a reporter's identity defaults to the manager
# (SIGAP_REVEAL_ROLES, docs/SECURITY.md).
CONFIGURABLE_PERMISSIONS: dict[str, str] = {Perm.REVEAL_IDENTITY: "SIGAP_REVEAL_ROLES"}


def has_permission(user: Any, perm: str) -> bool:
    """True when an active, signed-in user's role grants ``perm``. Fails closed."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = getattr(user, "role", "")
    setting_name = CONFIGURABLE_PERMISSIONS.get(perm)
    if setting_name is not None:
        return role in getattr(settings, setting_name, ())
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


def requires_two_factor(user: Any) -> bool:
    return getattr(user, "role", None) in TWO_FACTOR_REQUIRED


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    perm: str | None  # None: every signed-in user


# Role-aware navigation. Entries whose URL does not exist yet are skipped, so an
# app adds its entry here when it lands.
NAVIGATION: list[NavItem] = [
    NavItem("core:staff_home", _("Beranda"), None),
    NavItem("notifications:list", _("Notifikasi"), None),
    NavItem("conversations:inbox", _("Kotak masuk"), Perm.RECORD_CONTACT),
    NavItem("intake:contact_new", _("Kontak baru"), Perm.RECORD_CONTACT),
    NavItem("intake:contact_list", _("Daftar kontak"), Perm.VIEW_REPORTS),
    NavItem("intake:report_list", _("Laporan"), Perm.VIEW_REPORTS),
    NavItem("intake:volunteer_home", _("Laporan desa saya"), Perm.SUBMIT_VILLAGE_REPORT),
    NavItem("network:my_village", _("Desa saya"), Perm.SUBMIT_VILLAGE_REPORT),
    NavItem("cases:my_work", _("Pekerjaan saya"), Perm.WORK_CASES),
    NavItem("cases:case_list", _("Kasus"), Perm.WORK_CASES),
    NavItem("accompaniment:calendar", _("Jadwal saya"), Perm.WORK_CASES),
    NavItem("cases:referral_inbox", _("Rujukan"), Perm.VIEW_REFERRALS),
    NavItem("cases:awaiting_reports", _("Buka kasus"), Perm.VIEW_REPORTS),
    NavItem("cases:deidentified", _("Data kasus"), Perm.VIEW_STATS),
    NavItem("network:village_list", _("Jaringan desa"), Perm.MANAGE_NETWORK),
    NavItem("network:partner_list", pgettext_lazy("partner directory", "Mitra"), Perm.MANAGE_NETWORK),
    NavItem("outreach:activity_list", _("Sosialisasi"), Perm.MANAGE_OUTREACH),
    NavItem("outreach:coverage", _("Cakupan desa"), Perm.MANAGE_OUTREACH),
    NavItem("stats:dashboard", _("Statistik"), Perm.VIEW_STATS),
    NavItem("accompaniment:statistics", _("Statistik pendampingan"), Perm.VIEW_STATS),
    NavItem("vault:audit_log", _("Log audit"), Perm.VIEW_AUDIT),
    NavItem("accounts:user_list", _("Pengguna"), Perm.MANAGE_USERS),
    NavItem("ops:status", _("Pencadangan"), Perm.MANAGE_SETTINGS),
]


def nav_for(user: Any) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for item in NAVIGATION:
        if item.perm is not None and not has_permission(user, item.perm):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": item.label, "name": item.url_name})
    return items
