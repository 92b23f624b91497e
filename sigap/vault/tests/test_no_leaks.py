"""Every log line and every response of a full intake-to-reveal flow, captured and searched.

A person reports on /lapor, an operator files a report by phone through the
staff form, staff list and open both, the phoned-in report becomes a case whose
worker reads its pages, the reporter follows hers on /lacak (and
mistypes the PIN once), a partner system files a report through the API and
its reporter follows it there (a wrong PIN first), and a manager reveals the
public reporter's identity with a reason. The reporters' names, phone numbers (as typed and as stored),
NIK, addresses and the chronology texts may appear in no log line (root and
every named logger at DEBUG, the SQL log included), and a reporter's identity
in no response but the reveal itself and in no URL or e-mail.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from django.core import mail
from django.db import connection
from django.test import Client, SimpleTestCase
from django.urls import reverse

from sigap.cases import actions as case_actions
from sigap.intake.api import issue_token
from sigap.intake.models import Report
from sigap.intake.tests.factories import report_payload
from sigap.intake.tests.form_data import report_form_data
from sigap.intake.views import public
from sigap.lib.testing import SigapTestCase

# Invented people. Each value is distinctive enough that a hit is a leak, not a coincidence.
PUBLIC_REPORTER = {
    "reporter-name": "Sumarni Wulandari Uji",
    "reporter-phone": "0813-2468-1357",
    "reporter-nik": "1811046703920005",
    "reporter-address": "Jalan Kenanga Rahasia 17",
}
PUBLIC_REPORTER_FORMS = ["+6281324681357", "6281324681357", "081324681357", "81324681357"]
STAFF_REPORTER = {
    "reporter-name": "Bambang Suryadi Uji",
    "reporter-phone": "0821 9753 8642",
    "reporter-nik": "1811052210850003",
    "reporter-address": "Dusun Melati Tersembunyi 4",
}
STAFF_REPORTER_FORMS = ["+6282197538642", "6282197538642", "082197538642", "82197538642"]
API_REPORTER = {
    "name": "Yohana Pratiwi Uji",
    "phone": "+62 852 1122 3344",
    "nik": "1811034512880002",
    "address": "Gang Anggrek Sunyi 9",
}
API_REPORTER_FORMS = ["+6285211223344", "6285211223344", "085211223344", "85211223344"]
PUBLIC_CHRONOLOGY = "Kejadian uji pertama di belakang warung kopi oranye"
STAFF_CHRONOLOGY = "Kejadian uji kedua dekat lumbung padi biru"
API_CHRONOLOGY = "Kejadian uji ketiga di tepi kolam ikan lele"


def identity_strings(fields: dict[str, str], forms: list[str]) -> list[str]:
    return [*fields.values(), *forms]


class Capture(logging.Handler):
    """Keeps every record; ``lines()`` renders each as a log shipper would, extras included."""

    STANDARD = set(vars(logging.LogRecord("n", logging.INFO, "p", 1, "m", None, None))) | {"message", "asctime"}

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        seen: set[int] = set()
        out: list[str] = []
        for record in self.records:
            if id(record) in seen:
                continue
            seen.add(id(record))
            extras = {k: v for k, v in vars(record).items() if k not in self.STANDARD}
            out.append(f"{self.format(record)} {extras!r} {record.args!r}")
        return out


class LoggingConfigurationTests(SimpleTestCase):
    def test_failed_template_lookups_are_not_logged_with_their_context_at_any_log_level(self) -> None:
        # Django's DEBUG record for a failed lookup carries the whole template context.
        self.assertEqual(logging.getLogger("django.template").level, logging.INFO)


class NoLeakFlowTests(SigapTestCase):
    def setUp(self) -> None:
        for limiter in public.ALL_LIMITERS:
            limiter.reset()
        self.capture = Capture()
        # The root logger and every named logger there is, at DEBUG, each with the
        # capturing handler (some do not propagate, e.g. django.server).
        manager = logging.Logger.manager
        names = ["", "django", "django.request", "django.server", "django.security", "django.db.backends",
                 "django.template", "sigap", *list(manager.loggerDict)]
        for name in dict.fromkeys(names):
            logger = logging.getLogger(name)
            previous = (logger.level, logger.disabled)
            logger.setLevel(logging.DEBUG)
            logger.disabled = False
            logger.addHandler(self.capture)
            self.addCleanup(self._restore, logger, previous)
        # The SQL log too (django.db.backends logs statements and parameters in DEBUG).
        self.addCleanup(setattr, connection, "force_debug_cursor", connection.force_debug_cursor)
        connection.force_debug_cursor = True
        self.responses: list[tuple[str, str, Any]] = []

    def _restore(self, logger: logging.Logger, previous: tuple[int, bool]) -> None:
        logger.removeHandler(self.capture)
        logger.setLevel(previous[0])
        logger.disabled = previous[1]

    def call(self, client: Client, method: str, url: str, data: dict[str, Any] | str | None = None,
             **extra: Any) -> Any:
        response = getattr(client, method)(url, data or {}, **extra)
        self.responses.append((method.upper(), url, response))
        return response

    def dump(self, response: Any) -> str:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = "\n".join(f"{k}: {v}" for k, v in response.items())
        return f"{response.status_code}\n{headers}\n\n{body.decode('utf-8', 'replace')}"

    def test_identity_shows_only_in_the_reveal_and_nothing_personal_is_logged(self) -> None:
        # 1. The public form, as a browser: the page (with its one-time token), then the report.
        citizen = Client(REMOTE_ADDR="10.9.8.7")
        page = self.call(citizen, "get", reverse("intake:public_report"))
        self.assertEqual(page.status_code, 200)
        data = report_form_data(public=True, form_token=page.context["form_token"], **PUBLIC_REPORTER)
        data["chronology-0-description"] = PUBLIC_CHRONOLOGY
        data["situs_web"] = ""  # the honeypot, left empty as a person does
        answer = self.call(citizen, "post", reverse("intake:public_report"), data)
        self.assertEqual(answer.status_code, 200)
        submitted = answer.context["submitted"]
        public_report = Report.objects.get(pk=submitted.report.pk)

        # 2. The operator files a phoned-in report through the staff form.
        operator = self.login(self.operator, client=Client())
        form = self.call(operator, "get", reverse("intake:report_new"))
        self.assertEqual(form.status_code, 200)
        data = report_form_data(form_token=form.context["form_token"], **STAFF_REPORTER)
        data["chronology-0-description"] = STAFF_CHRONOLOGY
        filed = self.call(operator, "post", reverse("intake:report_new"), data)
        self.assertIn(filed.status_code, (200, 302))
        staff_report = Report.objects.exclude(pk=public_report.pk).get()

        # 3. Staff lists and opens both reports.
        self.call(operator, "get", reverse("intake:report_list"))
        for report in (public_report, staff_report):
            opened = self.call(operator, "get", reverse("intake:report_detail", args=[report.pk]))
            self.assertEqual(opened.status_code, 200)
        manager = self.login(self.manager, client=Client())
        self.call(manager, "get", reverse("intake:report_list"))
        self.call(manager, "get", reverse("intake:report_detail", args=[staff_report.pk]))
        detail = reverse("intake:report_detail", args=[public_report.pk])
        self.call(manager, "get", detail)

        # 3b. The phoned-in report becomes a case; its case worker reads the case's pages.
        case = case_actions.open_case([staff_report], by=self.manager)
        case_actions.assign_case(case, self.case_worker, by=self.manager)
        worker = self.login(self.case_worker, client=Client())
        for name in ("case_detail", "timeline", "documents", "assessment", "services", "referrals"):
            page = self.call(worker, "get", reverse(f"cases:{name}", args=[case.pk]))
            self.assertEqual(page.status_code, 200, name)
        self.call(worker, "get", reverse("cases:case_list"))
        self.call(worker, "get", reverse("intake:report_detail", args=[staff_report.pk]))

        # 4. The reporter follows her report on /lacak, mistyping the PIN once.
        self.call(citizen, "get", reverse("intake:track"))
        wrong_pin = "000000" if submitted.pin != "000000" else "111111"
        self.call(citizen, "post", reverse("intake:track"), {"code": submitted.tracking_code, "pin": wrong_pin})
        status = self.call(citizen, "post", reverse("intake:track"),
                           {"code": submitted.tracking_code, "pin": submitted.pin})
        self.assertContains(status, "Diterima")

        # 4b. A partner system files a report through the API; its reporter follows it there.
        token = issue_token(self.operator)
        payload = report_payload()
        payload["reporter"].update(API_REPORTER)
        payload["chronology"][0]["description"] = API_CHRONOLOGY
        api = Client(REMOTE_ADDR="10.9.8.6")
        created = self.call(api, "post", "/api/v1/reports", json.dumps(payload), content_type="application/json",
                            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "uji-bocor-1"})
        self.assertEqual(created.status_code, 201)
        api_code, api_pin = created.json()["tracking_code"], created.json()["pin"]
        wrong = "000000" if api_pin != "000000" else "111111"
        self.call(api, "get", f"/api/v1/track/{api_code}", headers={"X-Tracking-Pin": wrong})
        self.assertEqual(self.call(api, "get", f"/api/v1/track/{api_code}",
                                   headers={"X-Tracking-Pin": api_pin}).status_code, 200)

        # 5. A manager reveals the public reporter with a reason; the next view is masked again.
        reveal = self.call(manager, "post", detail,
                           {"vault_reveal": "1", "reason": "Menghubungi pelapor untuk asesmen lanjutan"})
        self.assertEqual(reveal.status_code, 200)
        self.call(manager, "get", detail)

        public_identity = identity_strings(PUBLIC_REPORTER, PUBLIC_REPORTER_FORMS)
        staff_identity = [*identity_strings(STAFF_REPORTER, STAFF_REPORTER_FORMS),
                          *identity_strings(API_REPORTER, API_REPORTER_FORMS)]
        reveal_body = self.dump(reveal)
        for value in (PUBLIC_REPORTER["reporter-name"], "+6281324681357", PUBLIC_REPORTER["reporter-nik"],
                      PUBLIC_REPORTER["reporter-address"]):
            self.assertIn(value, reveal_body)  # the reveal shows what it says it shows

        # Only the reveal's response carries the revealed identity; no response the other one.
        for method, url, response in self.responses:
            text = self.dump(response)
            for value in staff_identity:
                self.assertNotIn(value, text, f"{method} {url}")
            if response is not reveal:
                for value in public_identity:
                    self.assertNotIn(value, text, f"{method} {url}")

        # No URL (requested or redirected to) carries anything personal.
        secrets = [*public_identity, *staff_identity, PUBLIC_CHRONOLOGY, STAFF_CHRONOLOGY, API_CHRONOLOGY]
        urls = [url for _, url, _ in self.responses]
        urls += [response["Location"] for _, _, response in self.responses if response.has_header("Location")]
        for url in urls:
            for value in secrets:
                self.assertNotIn(value, url)
                self.assertNotIn(re.sub(r"\W+", "+", value), url)

        # Nothing personal in any log line or e-mail.
        lines = self.capture.lines()
        self.assertTrue(any("django.db.backends" in line for line in lines), "the SQL log was not captured")
        self.assertTrue(any(" django.request " in line for line in lines), "the request log was not captured")
        # The tracking code opens the status page: not in a log line either.
        codes = [submitted.tracking_code, submitted.tracking_code.replace("-", ""), api_code]
        for line in lines:
            for value in [*secrets, *codes]:
                self.assertNotIn(value, line)
        for message in mail.outbox:
            text = f"{message.subject}\n{message.body}\n{message.to}"
            for value in secrets:
                self.assertNotIn(value, text)
