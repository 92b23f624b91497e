"""Role x URL access matrix, generated from the URL conf and ``sigap/accounts/roles.py``.

``ACCESS`` below declares, for every URL pattern of the site, who may reach it.
A new view without a line here fails ``test_every_url_declares_its_access``,
with the exact line to add. ``test_every_role_meets_the_declared_access`` then
asks every URL (whose path parameters can be filled with a real object) as
every identity (anonymous and each role of the cast) and compares: an identity
the rule allows must not be refused (403, 404, or sent to sign in), and every
other identity must be. A GET answered 405 is asked again as an empty POST, in a
savepoint rolled back afterwards.

While it is there, every page it reads is checked for a form that would put a
phone number or NIK in a URL (security review finding 7): such a field must sit
in a POST form.

Rules:

* ``perm(Perm.X)``: the roles that hold X in ``roles.ROLE_PERMISSIONS`` (or the
  configurable setting), so a change of roles.py changes the expectation;
* ``roles("manager", ...)``: an explicit set where no single permission says it;
* ``PUBLIC``: everyone, signed in or not; ``SIGNED_IN``: every signed-in user;
* ``OWN``: open to the public but answering only with a valid secret of its own
  (a webhook signature, a setup or invitation token, an API token): not asked.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sigap.accompaniment.actions import schedule_appointment
from sigap.accounts.roles import Perm, Role, has_permission
from sigap.cases.tests.factories import create_case
from sigap.intake.channels.conversations.inbound import sender_index
from sigap.intake.channels.conversations.models import Conversation
from sigap.intake.models import Contact, Report
from sigap.intake.tests.factories import create_report
from sigap.lib.testing import SigapTestCase, create_user
from sigap.lib.urlconf import Route, url_patterns

ANONYMOUS = "anonymous"
EVERY_ROLE = frozenset(Role.values)


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]  # role values, and "anonymous"
    checked: bool = True

    def describe(self) -> str:
        return ", ".join(sorted(self.allowed)) or "nobody"


def perm(permission: str) -> Rule:
    class _Probe:
        is_authenticated = True
        is_active = True

        def __init__(self, role: str) -> None:
            self.role = role

    return Rule(frozenset(role for role in Role.values if has_permission(_Probe(role), permission)))


def roles(*names: str) -> Rule:
    unknown = set(names) - EVERY_ROLE
    assert not unknown, f"unknown roles {unknown}"
    return Rule(frozenset(names))


PUBLIC = Rule(EVERY_ROLE | {ANONYMOUS})
SIGNED_IN = Rule(EVERY_ROLE)
OWN = Rule(EVERY_ROLE | {ANONYMOUS}, checked=False)
NOBODY = Rule(frozenset())
STAFF_CASES = Rule(perm(Perm.WORK_CASES).allowed | perm(Perm.VIEW_REPORTS).allowed)
# The case of the matrix is assigned to the cast's case worker: an operator sees only the
# unassigned cases they opened (cases.access.case_filter).
CASE_READERS = roles("manager", "case_worker")

# Every URL pattern by its name. Keep in the order of the URL conf.
ACCESS: dict[str, Rule] = {
    "healthz": PUBLIC,
    "<unnamed favicon.ico>": PUBLIC,
    "set_language": PUBLIC,
    "api-v1:openapi-json": PUBLIC,
    "api-v1:get_region": PUBLIC,
    "api-v1:public_stats": PUBLIC,
    "api-v1:create_report": OWN,  # bearer token of a role that may file reports (intake/tests/test_api.py)
    "api-v1:track_report": OWN,  # tracking code and PIN
    "api-v1:api-root": NOBODY,  # django-ninja's root: 404 for everyone
    "api-v1:not_found": NOBODY,  # every other path under /api/v1/: the API's JSON 404 for everyone
    "accounts:login": PUBLIC,
    "accounts:logout": OWN,  # POST only; signs out whoever is signed in
    "accounts:enroll_2fa": SIGNED_IN,
    "accounts:verify_2fa": SIGNED_IN,
    "accounts:setup": OWN,  # first-run token
    "accounts:user_list": perm(Perm.MANAGE_USERS),
    "accounts:user_create": perm(Perm.MANAGE_USERS),
    "accounts:user_set_active": perm(Perm.MANAGE_USERS),
    "accounts:quick_exit": OWN,  # POST only; signs out whoever is signed in
    "accounts:user_edit": perm(Perm.MANAGE_USERS),
    "accounts:user_deactivate": perm(Perm.MANAGE_USERS),
    "accounts:user_password_link": perm(Perm.MANAGE_USERS),
    "accounts:user_reset_2fa": perm(Perm.MANAGE_USERS),
    "accounts:account": SIGNED_IN,
    "accounts:password_change": SIGNED_IN,
    "accounts:recovery_codes": SIGNED_IN,
    "accounts:recovery_sign_in": SIGNED_IN,
    "accounts:password_reset": OWN,  # one-time reset link
    "notifications:list": SIGNED_IN,
    "notifications:mark_read": SIGNED_IN,
    "notifications:mark_all_read": SIGNED_IN,
    "vault:audit_log": perm(Perm.VIEW_AUDIT),
    "conversations:whatsapp_webhook": OWN,  # X-Hub-Signature-256
    "conversations:sms_webhook": OWN,  # X-Signature
    "conversations:inbox": perm(Perm.RECORD_CONTACT),
    # Row level: a case worker reaches the conversations assigned to them or tied to reports they see, and,
    # while on duty, an untaken one the alerts sent them: detail, take and media only
    # (test_the_person_on_duty_reaches_only_what_the_alerts_sent_them below, sigap/alerts/tests/test_duty_access.py).
    "conversations:detail": perm(Perm.RECORD_CONTACT),
    "conversations:reply": perm(Perm.RECORD_CONTACT),
    "conversations:take": perm(Perm.RECORD_CONTACT),
    "conversations:assign": perm(Perm.RECORD_CONTACT),
    "conversations:never_contact": perm(Perm.RECORD_CONTACT),
    "conversations:close": perm(Perm.RECORD_CONTACT),
    "conversations:start_report": perm(Perm.RECORD_CONTACT),
    "conversations:resend": perm(Perm.RECORD_CONTACT),
    "conversations:media": perm(Perm.RECORD_CONTACT),
    "conversations:staff_phone": roles("admin", "manager", "case_worker", "operator", "data_officer", "partner"),
    "intake:contact_new": perm(Perm.RECORD_CONTACT),
    "intake:contact_list": perm(Perm.VIEW_REPORTS),  # access.can_manage_reports
    "intake:caller_check": perm(Perm.RECORD_CONTACT),
    "intake:report_list": roles("manager", "operator", "case_worker"),  # whoever sees whole reports
    "intake:report_new": perm(Perm.FILE_REPORT),
    # The case worker: their case's report, and while on duty a report awaiting first contact the alerts sent them.
    "intake:report_detail": roles("manager", "operator", "case_worker"),
    "intake:report_override_risk": perm(Perm.VIEW_REPORTS),
    "intake:report_amend": CASE_READERS,  # the report is in a case: its assigned worker and the manager
    "intake:report_confirm_ampk": CASE_READERS,  # amend.may_amend, as "intake:report_amend"
    "intake:report_note": roles("operator"),  # only the report's submitter: here the operator who filed it
    "intake:report_authority": perm(Perm.VIEW_REPORTS),
    "intake:report_link": perm(Perm.VIEW_REPORTS),
    "intake:volunteer_home": perm(Perm.SUBMIT_VILLAGE_REPORT),
    "intake:volunteer_report_new": perm(Perm.SUBMIT_VILLAGE_REPORT),
    "intake:public_report": PUBLIC,
    "intake:track": PUBLIC,
    "ops:status": perm(Perm.MANAGE_SETTINGS),
    "ops:backup_now": perm(Perm.MANAGE_SETTINGS),
    "network:village_list": perm(Perm.MANAGE_NETWORK),
    "network:my_village": perm(Perm.SUBMIT_VILLAGE_REPORT),
    "network:village_detail": perm(Perm.MANAGE_NETWORK),
    "network:member_add": perm(Perm.MANAGE_NETWORK),
    "network:patbm_edit": perm(Perm.MANAGE_NETWORK),
    "network:member_edit": perm(Perm.MANAGE_NETWORK),
    "network:member_leave": perm(Perm.MANAGE_NETWORK),
    "network:member_invite": perm(Perm.MANAGE_NETWORK),
    "network:accept_invitation": OWN,  # invitation token
    "network:partner_list": roles("admin", "manager", "case_worker"),  # manage_network or work_cases
    "network:partner_new": perm(Perm.MANAGE_NETWORK),
    "network:partner_detail": perm(Perm.MANAGE_NETWORK),
    "network:partner_edit": perm(Perm.MANAGE_NETWORK),
    "network:partner_member_add": perm(Perm.MANAGE_NETWORK),
    "network:partner_member_remove": perm(Perm.MANAGE_NETWORK),
    "network:import_upload": perm(Perm.MANAGE_NETWORK),
    "network:import_template": perm(Perm.MANAGE_NETWORK),
    "network:import_preview": perm(Perm.MANAGE_NETWORK),
    "network:import_run": perm(Perm.MANAGE_NETWORK),
    "network:import_report": perm(Perm.MANAGE_NETWORK),
    "stats:dashboard": perm(Perm.VIEW_STATS),
    "stats:dashboard_export": perm(Perm.EXPORT_STATS),
    "stats:simfoni": perm(Perm.EXPORT_STATS),
    "stats:simfoni_export": perm(Perm.EXPORT_STATS),
    "stats:monthly_list": perm(Perm.VIEW_STATS),
    "stats:monthly_download": perm(Perm.VIEW_STATS),
    "stats:public_numbers": PUBLIC,
    "cases:case_list": STAFF_CASES,
    "cases:my_work": perm(Perm.WORK_CASES),
    "cases:awaiting_reports": perm(Perm.VIEW_REPORTS),
    "cases:deidentified": perm(Perm.VIEW_STATS),
    "cases:complete_task": STAFF_CASES,
    "cases:referral_inbox": perm(Perm.VIEW_REFERRALS),
    "cases:referral_detail": perm(Perm.VIEW_REFERRALS),
    "cases:referral_status": perm(Perm.VIEW_REFERRALS),
    "cases:referral_letter": STAFF_CASES,
    "cases:case_detail": CASE_READERS,
    "cases:assign": perm(Perm.ASSIGN_CASES),
    "cases:move_stage": perm(Perm.WORK_CASES),
    "cases:record_contact": perm(Perm.WORK_CASES),
    "cases:assessment": perm(Perm.WORK_CASES),
    "cases:plan": perm(Perm.WORK_CASES),
    "cases:services": perm(Perm.WORK_CASES),
    "cases:referrals": perm(Perm.WORK_CASES),
    "cases:mediation": perm(Perm.WORK_CASES),
    "cases:timeline": CASE_READERS,
    "cases:amend_event": perm(Perm.WORK_CASES),
    "cases:documents": CASE_READERS,
    "cases:add_note": perm(Perm.WORK_CASES),
    "cases:add_attachment": perm(Perm.WORK_CASES),
    "cases:download_attachment": STAFF_CASES,
    "cases:closure": perm(Perm.WORK_CASES),
    "cases:case_reports": perm(Perm.WORK_CASES),
    "cases:close_police_duty": perm(Perm.APPROVE_PLANS),
    "outreach:activity_list": perm(Perm.MANAGE_OUTREACH),
    "outreach:activity_new": perm(Perm.MANAGE_OUTREACH),
    "outreach:activity_detail": perm(Perm.MANAGE_OUTREACH),
    "outreach:activity_edit": perm(Perm.MANAGE_OUTREACH),
    "outreach:photo_upload": perm(Perm.MANAGE_OUTREACH),
    "outreach:photo_download": perm(Perm.MANAGE_OUTREACH),
    "outreach:pamphlet_home": perm(Perm.MANAGE_OUTREACH),
    "outreach:batch_request": perm(Perm.MANAGE_OUTREACH),
    "outreach:batch_download": perm(Perm.MANAGE_OUTREACH),
    "outreach:village_pamphlet": perm(Perm.MANAGE_OUTREACH),
    "outreach:coverage": perm(Perm.MANAGE_OUTREACH),
    "outreach:coverage_export": perm(Perm.MANAGE_OUTREACH),
    "outreach:press_list": perm(Perm.MANAGE_OUTREACH),
    "outreach:press_detail": perm(Perm.MANAGE_OUTREACH),
    "outreach:press_approve": perm(Perm.APPROVE_PRESS),
    "outreach:press_withdraw": perm(Perm.APPROVE_PRESS),
    "outreach:media_kit": PUBLIC,
    "outreach:media_release": PUBLIC,
    "outreach:media_pamphlet": PUBLIC,
    "alerts:roster": perm(Perm.RECORD_CONTACT),  # alerts.actions.can_use_roster
    "alerts:handover": perm(Perm.RECORD_CONTACT),
    "alerts:roster_delete": perm(Perm.ASSIGN_CASES),  # alerts.actions.can_plan_roster
    "alerts:roster_repeat": perm(Perm.ASSIGN_CASES),
    "alerts:handover_acknowledge": perm(Perm.RECORD_CONTACT),
    "alerts:callback_done": perm(Perm.RECORD_CONTACT),
    "alerts:report_alert": perm(Perm.RECORD_CONTACT),
    "alerts:report_alert_acknowledge": perm(Perm.RECORD_CONTACT),
    # and only who may open the report, is on duty now or took its alert (alerts.actions.may_record_first_contact)
    "alerts:report_first_contact": perm(Perm.RECORD_CONTACT),
    "alerts:report_contact_attempt": perm(Perm.RECORD_CONTACT),  # the same people as the first contact
    "alerts:conversation_alert": perm(Perm.RECORD_CONTACT),
    "alerts:conversation_alert_acknowledge": perm(Perm.RECORD_CONTACT),
    "accompaniment:calendar": perm(Perm.WORK_CASES),
    # The matrix asks for the cast's case worker's calendar: they and the manager (view_all_cases) may see it.
    "accompaniment:worker_calendar": roles("manager", "case_worker"),
    # Only the appointment's attending worker (Appointment.objects.attended_by): the matrix asks for a colleague's
    # case's appointment the cast's case worker attends; the manager, who sees that case, is not its worker: 404.
    "accompaniment:appointment": roles("case_worker"),
    "accompaniment:statistics": perm(Perm.VIEW_STATS),
    "accompaniment:complaint_form": Rule(perm(Perm.FILE_REPORT).allowed | perm(Perm.SUBMIT_VILLAGE_REPORT).allowed
                                         | perm(Perm.VIEW_REPORTS).allowed),
    "accompaniment:letter_pdf": STAFF_CASES,
    "accompaniment:case": STAFF_CASES,
    "accompaniment:case_calendar": CASE_READERS,
    "accompaniment:consent_pdf": STAFF_CASES,
    "accompaniment:summary_pdf": STAFF_CASES,
    "core:public_home": PUBLIC,
    "core:staff_home": SIGNED_IN,
}

IDENTIFIER_FIELD = re.compile(r"(^|[_-])(phone|nik|telepon|hp|caller_phone)($|[_-])", re.IGNORECASE)


class _Forms(HTMLParser):
    """Collects (method, [field names], has a tel input) for every form of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[str], bool]] = []
        self._current: tuple[str, list[str], list[bool]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._current = (values.get("method", "get").lower(), [], [False])
        elif tag in ("input", "select", "textarea") and self._current is not None:
            self._current[1].append(values.get("name", ""))
            if values.get("type") == "tel":
                self._current[2][0] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._current is not None:
            method, names, tel = self._current
            self.forms.append((method, names, tel[0]))
            self._current = None


def identifier_forms_by_get(html: str) -> list[list[str]]:
    parser = _Forms()
    parser.feed(html)
    return [names for method, names, tel in parser.forms
            if method != "post" and (tel or any(IDENTIFIER_FIELD.search(n) for n in names))]


class _Labels(HTMLParser):
    """Collects element ids, the targets of ``<label for>`` and of ``aria-describedby``."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.label_targets: list[str] = []
        self.described_by: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "label" and "for" in values:
            self.label_targets.append(values["for"])
        self.described_by.extend(values.get("aria-describedby", "").split())


def label_problems(html: str) -> list[str]:
    """A label that names no field (``for=""`` or a missing id), or a description that is not on the page."""
    parser = _Labels()
    parser.feed(html)
    problems = [f'<label for="{target}">' for target in parser.label_targets if target not in parser.ids]
    problems += [f'aria-describedby="{target}"' for target in parser.described_by if target not in parser.ids]
    return problems


class AccessMatrixTests(SigapTestCase):
    routes: list[Route]
    objects: dict[str, dict[str, Any]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.routes = url_patterns()
        report = create_report(cls.operator).report
        case = create_case(cls.operator, assign_to=cls.case_worker, manager=cls.manager)
        case_report = Report.objects.get(case_link__case=case)
        contact = Contact.objects.create(channel="whatsapp", operator=cls.operator, outcome="laporan_baru",
                                         report=case_report)
        conversation = Conversation.objects.create(
            channel="whatsapp", sender="+6281100000009", sender_index=sender_index("+6281100000009"),
            contact=contact)
        colleague = create_user(Role.CASE_WORKER, "pendamping-rekan")
        attended = schedule_appointment(
            create_case(cls.operator, assign_to=colleague, manager=cls.manager), by=colleague, kind="sidang",
            starts_at=timezone.now() + datetime.timedelta(days=1), worker=cls.case_worker)
        # Path parameters filled per route: (route name prefix, parameter) -> value.
        cls.objects = {
            "intake:report_": {"pk": case_report.pk},
            "cases:": {"pk": case.pk},
            "conversations:": {"pk": conversation.pk},
            "accompaniment:worker_calendar": {"user_pk": cls.case_worker.pk},
            "accompaniment:case_calendar": {"pk": case.pk},
            "accompaniment:appointment": {"pk": attended.pk},
            "api-v1:not_found": {"rest": "tidak-ada"},
        }
        cls.objects["intake:report_"]["other"] = report.pk

    def test_every_url_declares_its_access(self) -> None:
        names = [route.name for route in self.routes]
        missing = [route for route in self.routes if route.name not in ACCESS]
        stale = sorted(set(ACCESS) - set(names))
        lines = [
            f'    "{route.name}": perm(Perm.<THE_PERMISSION>),  # /{route.pattern} ({route.module})'
            for route in missing
        ]
        self.assertFalse(
            missing or stale,
            "Every URL needs a declared access rule (security review, issue 17).\n"
            + (
                "New URL(s) without a rule: add to ACCESS in sigap/core/tests/test_access_matrix.py, with the "
                "permission (sigap/accounts/roles.py) its view checks, or roles(...), PUBLIC, SIGNED_IN, or OWN "
                "for a page guarded by a secret of its own:\n" + "\n".join(lines) + "\n"
                if missing else ""
            )
            + (f"Rules for URLs that no longer exist (remove them): {stale}\n" if stale else ""),
        )

    def _fill(self, route: Route) -> str | None:
        if not route.converters:
            return "/" + route.pattern
        for prefix, values in self.objects.items():
            if route.name.startswith(prefix) and all(name in values for name, _conv in route.converters):
                return route.build({name: str(values[name]) for name, _conv in route.converters})
        return None

    @staticmethod
    def _refused(response: Any) -> bool:
        if response.status_code in (401, 403, 404):
            return True
        return response.status_code == 302 and "/akun/masuk/" in response.get("Location", "")

    def _ask(self, client: Client, path: str) -> Any:
        with transaction.atomic():
            response = client.get(path)
            if response.status_code == 405:
                response = client.post(path, {})
            transaction.set_rollback(True)
        return response

    def test_every_role_meets_the_declared_access(self) -> None:
        identities: dict[str, Client] = {ANONYMOUS: Client()}
        for user in self.everyone:
            identities.setdefault(user.role, self.login(user, client=Client()))
        mismatches: list[str] = []
        get_forms: list[str] = []
        unlabelled: list[str] = []
        asked = 0
        for route in self.routes:
            rule = ACCESS.get(route.name)
            path = self._fill(route)
            if rule is None or not rule.checked or path is None:
                continue
            asked += 1
            for identity, client in identities.items():
                response = self._ask(client, path)
                refused = self._refused(response)
                if (identity in rule.allowed) == refused:
                    mismatches.append(
                        f"{route.name} {path} as {identity}: expected {'access' if identity in rule.allowed else 'refusal'}"
                        f" ({rule.describe()}), got {response.status_code}"
                    )
                elif not refused and response.get("Content-Type", "").startswith("text/html"):
                    html = response.content.decode("utf-8", "replace")
                    for names in identifier_forms_by_get(html):
                        get_forms.append(f"{route.name} as {identity}: a GET form with {names}")
                    unlabelled.extend(f"{route.name}: {problem}" for problem in label_problems(html))
        self.assertGreater(asked, 60)
        self.assertFalse(mismatches, "Access differs from ACCESS:\n" + "\n".join(mismatches))
        self.assertFalse(get_forms, "A phone number or NIK must be posted, never sent in a URL:\n"
                         + "\n".join(sorted(set(get_forms))))
        self.assertFalse(unlabelled, "Every label names a field on its page, every description is there "
                         "(screen readers):\n" + "\n".join(sorted(set(unlabelled))))

    def test_the_label_check_sees_a_label_for_nothing_and_a_missing_description(self) -> None:
        self.assertEqual(label_problems('<label for="">Tahap</label><input type="radio" id="id_stage_0">'),
                         ['<label for="">'])
        self.assertEqual(label_problems('<label for="id_note">Catatan</label>'
                                        '<textarea id="id_note" aria-describedby="id_note_helptext"></textarea>'),
                         ['aria-describedby="id_note_helptext"'])
        self.assertEqual(label_problems('<label for="a">A</label><input id="a" aria-describedby="h"><p id="h">'), [])

    def test_the_form_check_sees_a_get_form_with_an_identifier(self) -> None:
        self.assertEqual(identifier_forms_by_get('<form><input name="nik"></form>'), [["nik"]])
        self.assertEqual(identifier_forms_by_get('<form method="GET"><input type="tel" name="q"></form>'), [["q"]])
        self.assertEqual(identifier_forms_by_get('<form method="post"><input name="phone"></form>'), [])

    def test_the_person_on_duty_reaches_only_what_the_alerts_sent_them(self) -> None:
        """Issue 15: the duty grant widens the conversation page, "Ambil" and the report page, nothing else,
        and only during the shift."""
        from django.utils import timezone

        from sigap.alerts import roster
        from sigap.alerts.models import RosterEntry

        found = roster.slot_at(timezone.now())
        entry = RosterEntry.objects.create(date=found.date, shift=found.shift, duty=self.case_worker,
                                           backup=self.operator, planned_by=self.manager)
        waiting = Conversation.objects.create(channel="whatsapp", sender="+6281100000010",
                                              sender_index=sender_index("+6281100000010"))
        with self.captureOnCommitCallbacks(execute=True):
            from sigap.alerts.actions import alert_conversation, alert_report

            alert_conversation(waiting)
            report = create_report(self.operator).report
            alert_report(report)
        client = self.login(self.case_worker, client=Client())
        reach = {
            "conversations:detail": ("get", waiting.pk), "conversations:take": ("post", waiting.pk),
            "intake:report_detail": ("get", report.pk),
        }
        for name, (method, pk) in reach.items():
            with transaction.atomic():
                response = getattr(client, method)(reverse(name, args=[pk]))
                transaction.set_rollback(True)
            self.assertFalse(self._refused(response), name)
        refused = ["conversations:reply", "conversations:assign", "conversations:close",
                   "conversations:never_contact", "conversations:start_report"]
        for name in refused:
            self.assertTrue(self._refused(client.post(reverse(name, args=[waiting.pk]), {})), name)
        self.assertTrue(self._refused(client.post(reverse("intake:report_note", args=[report.pk]), {})))
        entry.date = found.date + datetime.timedelta(days=7)  # the shift is over
        entry.save()
        for name, (method, pk) in reach.items():
            self.assertTrue(self._refused(getattr(client, method)(reverse(name, args=[pk]))), name)
