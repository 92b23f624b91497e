"""The SIMFONI-PPA export: one row per victim, SIMFONI categories, nothing personal, audited."""

from __future__ import annotations

import csv
import io
from io import StringIO

from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sigap.intake.codes import (
    AgeGroup,
    AmpkGroup,
    Authority,
    CaseType,
    Education,
    Occupation,
    PerpetratorRelation,
    Place,
    Sex,
    ViolenceType,
)
from sigap.intake.models import (
    ChronologyEvent,
    Perpetrator,
    Report,
    ReporterIdentity,
    Victim,
    VictimAmpkGroup,
)
from sigap.lib.testing import SigapTestCase
from sigap.stats import dimensions as d
from sigap.stats import simfoni, tally
from sigap.stats.forms import Period, month_bounds, shift_month, this_month
from sigap.vault.models import AuditEntry

EVERYTHING = {"dari": "2000-01", "sampai": this_month()}


def labels(choices: type) -> set[str]:
    return {str(label) for label in dict(choices.choices).values()}  # type: ignore[attr-defined]


def parsed(body: bytes) -> tuple[list[str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header = rows[0]
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


class SimfoniExportTests(SigapTestCase):
    transferred: Report

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        call_command("seed", "--cases", "80", "--random-seed", "6", stdout=StringIO())
        # One report belongs to another district: it is transferred, not recorded here.
        cls.transferred = Report.objects.order_by("pk")[1]
        Report.objects.filter(pk=cls.transferred.pk).update(authority=Authority.OTHER)
        tally.mark_reports([cls.transferred.pk])
        tally.run()

    def download(self, fmt: str = "csv", params: dict[str, str] | None = None) -> bytes:
        self.login(self.data_officer)
        response = self.client.get(reverse("stats:simfoni_export", args=[fmt]), params or EVERYTHING)
        self.assertEqual(response.status_code, 200)
        return bytes(response.content)

    def test_one_row_per_victim_of_the_period(self) -> None:
        _header, rows = parsed(self.download())
        own = Victim.objects.filter(report__authority=Authority.OWN)
        self.assertEqual(len(rows), own.count())
        self.assertEqual(
            sorted((r["No. registrasi"], int(r["Korban ke-"])) for r in rows),
            sorted((n, p + 1) for n, p in own.values_list("report__registration_number", "position")),
        )
        self.assertNotIn(self.transferred.registration_number, {r["No. registrasi"] for r in rows})

    def test_a_period_holds_only_the_reports_received_in_it(self) -> None:
        latest = Report.objects.filter(authority=Authority.OWN).order_by("-received_at").first()
        assert latest is not None
        month = timezone.localtime(latest.received_at).strftime("%Y-%m")
        start, _end = month_bounds(shift_month(month, -5))
        _start, end = month_bounds(month)
        _header, rows = parsed(self.download(params={"dari": shift_month(month, -5), "sampai": month}))
        expected = Victim.objects.filter(report__received_at__gte=start, report__received_at__lt=end,
                                         report__authority=Authority.OWN)
        self.assertEqual(len(rows), expected.count())
        self.assertEqual({r["No. registrasi"] for r in rows},
                         set(expected.values_list("report__registration_number", flat=True)))

    def test_every_column_uses_simfoni_categories(self) -> None:
        header, rows = parsed(self.download())
        self.assertEqual(header, simfoni.headers())
        for row in rows:
            self.assertIn(row["Jenis kelamin"], labels(Sex))
            self.assertIn(row["Kelompok usia"], labels(AgeGroup) | {""})
            self.assertIn(row["Pendidikan"], labels(Education) | {""})
            self.assertIn(row["Pekerjaan"], labels(Occupation) | {""})
            self.assertTrue(set(row["Jenis kekerasan"].split("; ")) <= labels(ViolenceType))
            self.assertTrue(set(filter(None, row["Tempat kejadian"].split("; "))) <= labels(Place))
            relations = {part.split(": ", 1)[-1] for part in row["Hubungan terlapor dengan korban"].split("; ")}
            self.assertTrue(relations <= labels(PerpetratorRelation), relations)
            services = set(row["Jenis layanan"].split("; "))
            self.assertIn("Pengaduan", services)
            if d.cases_installed():
                from sigap.cases.codes import SimfoniService

                self.assertTrue(services <= labels(SimfoniService))

    def test_each_row_carries_its_victims_own_categories(self) -> None:
        _header, rows = parsed(self.download())
        by_key = {(r["No. registrasi"], int(r["Korban ke-"])): r for r in rows}
        sexes, education = dict(Sex.choices), dict(Education.choices)
        violence, places = dict(ViolenceType.choices), dict(Place.choices)
        for victim in Victim.objects.filter(report__authority=Authority.OWN).select_related("report")[:40]:
            row = by_key[(victim.report.registration_number, victim.position + 1)]
            self.assertEqual(row["Jenis kelamin"], str(sexes[victim.sex]))
            self.assertEqual(row["Kelompok usia"], victim.age_group)
            self.assertEqual(row["Pendidikan"], str(education.get(victim.education, "")))
            self.assertEqual(row["Anak"], "Ya" if victim.is_child else "Tidak")
            self.assertEqual(row["Usia saat kejadian"],
                             "" if victim.age_at_incident is None else str(victim.age_at_incident))
            self.assertEqual(row["Jenis kasus"], str(dict(CaseType.choices).get(victim.case_type, "")))
            groups = set(VictimAmpkGroup.objects.filter(victim=victim).values_list("group", flat=True))
            expected_groups = "; ".join(str(label) for code, label in AmpkGroup.choices if code in groups)
            self.assertEqual(row["Kelompok AMPK"], expected_groups if victim.case_type == CaseType.AMPK else "")
            types = {str(violence[t]) for t in victim.report.violence.values_list("violence_type", flat=True)}
            self.assertEqual(set(row["Jenis kekerasan"].split("; ")), types)
            current = ChronologyEvent.objects.filter(report=victim.report, is_current=True)
            self.assertEqual(set(filter(None, row["Tempat kejadian"].split("; "))),
                             {str(places[p]) for p in current.values_list("place", flat=True)})
            first = current.order_by("when").first()
            self.assertEqual(row["Tanggal kejadian"],
                             timezone.localtime(first.when).date().isoformat() if first else "")
            self.assertEqual(row["Tanggal pengaduan"], timezone.localtime(victim.report.received_at).date().isoformat())
            self.assertEqual(int(row["Jumlah terlapor"]), victim.report.perpetrators.count())
            relations = dict(PerpetratorRelation.choices)
            expected = "; ".join(f"Terlapor {n}: {relations[r]}" for n, r in enumerate(
                victim.report.perpetrators.order_by("position").values_list("relation", flat=True), start=1))
            self.assertEqual(row["Hubungan terlapor dengan korban"], expected or "Tidak diketahui")

    def test_the_page_counts_child_victims_per_ampk_group_as_the_dashboard_does(self) -> None:
        from sigap.stats import dashboard

        self.login(self.data_officer)
        response = self.client.get(reverse("stats:simfoni"), EVERYTHING)
        self.assertEqual(response.status_code, 200)
        shown = dict(response.context["ampk_counts"])
        self.assertTrue(shown)  # the seeded child victims carry suggested groups
        board = dashboard.build(Period(EVERYTHING["dari"], EVERYTHING["sampai"]))
        names = dict(AmpkGroup.choices)
        expected = {str(names[g]): board.victims(d.AMPK_GROUP, g) for g in AmpkGroup.values
                    if board.victims(d.AMPK_GROUP, g)}
        if board.victims(d.AMPK_GROUP, ""):
            expected["Kelompok belum dicatat"] = board.victims(d.AMPK_GROUP, "")
        self.assertEqual(shown, expected)
        # And with a count made here: each own child victim once per group.
        own_children = Victim.objects.filter(report__authority=Authority.OWN, case_type=CaseType.AMPK)
        per_group = {str(names[g]): n for g, n in VictimAmpkGroup.objects.filter(victim__in=own_children)
                     .values_list("group").annotate(n=Count("id"))}
        self.assertEqual({k: v for k, v in shown.items() if k != "Kelompok belum dicatat"}, per_group)
        self.assertContains(response, "Korban anak (AMPK) per kelompok")

    def test_the_export_holds_no_name_nik_phone_address_or_desa(self) -> None:
        body = self.download().decode("utf-8-sig")
        xlsx = load_workbook(io.BytesIO(self.download("xlsx")))
        cells = " ".join(str(c.value) for ws in xlsx.worksheets for row in ws.iter_rows() for c in row)
        secrets: set[str] = set()
        for victim in Victim.objects.all():
            secrets |= {v for v in (victim.name, victim.nik, victim.address, victim.stated_age) if v and len(v) > 3}
            if victim.birth_date:
                secrets.add(victim.birth_date.isoformat())
        for identity in ReporterIdentity.objects.all():
            secrets |= {v for v in (identity.name, identity.nik, identity.phone, identity.address) if v}
        self.assertTrue(secrets)
        for secret in secrets:
            self.assertNotIn(secret, body)
            self.assertNotIn(secret, cells)
        header = body.splitlines()[0].lower()
        for word in ("nama", "nik", "telepon", "alamat", "desa"):
            self.assertNotIn(word, header)

    def test_every_download_is_audited(self) -> None:
        before = AuditEntry.objects.filter(action="stats.export", object_type="stats.simfoni").count()
        self.download("csv")
        self.download("xlsx", {**EVERYTHING, "kualitas": "1"})
        entries = AuditEntry.objects.filter(action="stats.export", object_type="stats.simfoni")
        self.assertEqual(entries.count(), before + 2)
        self.assertEqual(entries.order_by("-seq").first().actor_id, self.data_officer.pk)  # type: ignore[union-attr]

    def test_one_row_per_victim_perpetrator_pair_and_per_perpetrator(self) -> None:
        own = Report.objects.filter(authority=Authority.OWN)
        expected_pairs = sorted(
            (number, v + 1, p + 1)
            for report_id, number in own.values_list("pk", "registration_number")
            for v in range(Victim.objects.filter(report_id=report_id).count())
            for p in range(Perpetrator.objects.filter(report_id=report_id).count())
        )
        _header, pairs = parsed(self.download(params={**EVERYTHING, "lembar": "korban-terlapor"}))
        self.assertEqual(sorted((r["No. registrasi"], int(r["Korban ke-"]), int(r["Terlapor ke-"])) for r in pairs),
                         expected_pairs)
        self.assertTrue(expected_pairs)
        relations = dict(PerpetratorRelation.choices)
        for row in pairs[:30]:
            perpetrator = Perpetrator.objects.get(report__registration_number=row["No. registrasi"],
                                                  position=int(row["Terlapor ke-"]) - 1)
            self.assertEqual(row["Hubungan terlapor dengan korban"], str(relations[perpetrator.relation]))
        _header, perpetrators = parsed(self.download(params={**EVERYTHING, "lembar": "terlapor"}))
        self.assertEqual(len(perpetrators), Perpetrator.objects.filter(report__authority=Authority.OWN).count())
        self.assertEqual(self.client.get(reverse("stats:simfoni_export", args=["csv"]),
                                         {**EVERYTHING, "lembar": "nama"}).status_code, 404)

    def test_the_perpetrator_sheet_carries_age_at_incident_education_and_occupation(self) -> None:
        own = Perpetrator.objects.filter(report__authority=Authority.OWN).order_by("pk")
        known, unknown = own[0], own[1]
        Perpetrator.objects.filter(pk=known.pk).update(
            sex=Sex.L, age_at_incident=16, age_group=AgeGroup.A13_17, is_child=True,
            education=Education.SLTP, occupation=Occupation.PELAJAR,
        )
        Perpetrator.objects.filter(pk=unknown.pk).update(age_at_incident=None, age_group="", education="",
                                                            occupation="")
        _header, rows = parsed(self.download(params={**EVERYTHING, "lembar": "terlapor"}))
        by_key = {(r["No. registrasi"], int(r["Terlapor ke-"])): r for r in rows}
        row = by_key[(known.report.registration_number, known.position + 1)]
        self.assertEqual((row["Jenis kelamin"], row["Usia saat kejadian"], row["Kelompok usia"], row["Anak"]),
                         (str(dict(Sex.choices)[Sex.L]), "16", str(dict(AgeGroup.choices)[AgeGroup.A13_17]),
                          "Ya"))
        self.assertEqual((row["Pendidikan"], row["Pekerjaan"]),
                         (str(dict(Education.choices)[Education.SLTP]),
                          str(dict(Occupation.choices)[Occupation.PELAJAR])))
        blank = by_key[(unknown.report.registration_number, unknown.position + 1)]
        self.assertEqual((blank["Usia saat kejadian"], blank["Kelompok usia"], blank["Pendidikan"],
                          blank["Pekerjaan"]), ("", "", "", ""))
        _header, pairs = parsed(self.download(params={**EVERYTHING, "lembar": "korban-terlapor"}))
        pair = next(r for r in pairs if (r["No. registrasi"], int(r["Terlapor ke-"])) ==
                    (known.report.registration_number, known.position + 1))
        self.assertEqual(pair["Usia terlapor saat kejadian"], "16")

    def test_services_include_law_enforcement_when_the_case_was_referred_to_the_police(self) -> None:
        if not d.cases_installed():
            self.skipTest("needs case management")
        from sigap.cases.models import Case

        _header, rows = parsed(self.download())
        referred = set(Case.objects.filter(police_referred_at__isnull=False)
                       .values_list("primary_report__registration_number", flat=True))
        self.assertTrue(referred)
        for row in rows:
            has = "Penegakan hukum" in row["Jenis layanan"].split("; ")
            if row["No. registrasi"] in referred:
                self.assertTrue(has, row["No. registrasi"])

    def test_the_xlsx_has_a_sheet_of_missing_data_when_asked(self) -> None:
        workbook = load_workbook(io.BytesIO(self.download("xlsx", {**EVERYTHING, "kualitas": "1"})))
        self.assertEqual(len(workbook.worksheets), 4)
        self.assertEqual(workbook.worksheets[0].max_row - 1,
                         Victim.objects.filter(report__authority=Authority.OWN).count())


class DataQualityTests(SigapTestCase):
    no_education: Report
    no_events: Report
    no_violence: Report

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        call_command("seed", "--cases", "10", "--random-seed", "12", stdout=StringIO())
        reports = list(Report.objects.order_by("pk"))
        cls.no_education = reports[0]
        Victim.objects.filter(report=cls.no_education, position=0).update(education="", occupation="")
        cls.no_events = reports[1]
        ChronologyEvent.objects.filter(report=cls.no_events).update(is_current=False)
        cls.no_violence = reports[2]
        cls.no_violence.violence.all().delete()
        cls.no_violence.sexual_forms.all().delete()

    def test_the_list_names_each_missing_field_by_registration_number_only(self) -> None:
        found: dict[str, list[str]] = {}
        for gap in simfoni.quality(Period("2000-01", this_month())):
            found.setdefault(gap.registration_number, []).extend(gap.missing)
        self.assertIn("pendidikan korban 1", found[self.no_education.registration_number])
        self.assertIn("pekerjaan korban 1", found[self.no_education.registration_number])
        self.assertIn("tempat dan tanggal kejadian", found[self.no_events.registration_number])
        self.assertIn("jenis kekerasan", found[self.no_violence.registration_number])

    def test_a_child_victim_without_an_ampk_group_is_listed(self) -> None:
        from sigap.intake.tests.factories import create_report, report_payload

        victim = report_payload()["victims"][0]
        victim["ampk_groups"] = []  # nobody chose, and "lainnya" suggests none
        report = create_report(self.operator, victims=[victim], violence_types=["lainnya"]).report
        found = [g for g in simfoni.quality(Period("2000-01", this_month()))
                 if g.registration_number == report.registration_number]
        self.assertEqual([(g.victim, g.missing) for g in found], [(1, ["kelompok AMPK korban 1"])])

    def test_the_page_shows_the_list_to_the_data_officer(self) -> None:
        self.login(self.data_officer)
        response = self.client.get(reverse("stats:simfoni"), EVERYTHING)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.no_education.registration_number)
        self.assertContains(response, "pendidikan korban 1")
        self.assertEqual(response.context["victim_count"], Victim.objects.count())


class SimfoniPerCaseTests(SigapTestCase):
    def test_two_linked_reports_about_one_victim_in_one_case_give_one_victim_row(self) -> None:
        if not d.cases_installed():
            self.skipTest("needs case management")
        from sigap.cases import actions
        from sigap.intake.tests.factories import adult_victim, create_report

        first = create_report(self.operator).report
        second = create_report(self.operator, violence_types=["fisik"]).report
        alone = create_report(self.operator, victims=[adult_victim(name="Ani Lain")]).report
        actions.open_case([first, second], by=self.operator)
        tally.run()
        cases = simfoni.load(simfoni.report_ids(Period("2000-01", this_month())))
        self.assertEqual(len(cases), 2)
        table = simfoni.rows(cases)
        self.assertEqual(len(table), 2)
        by_number = {row[0]: row for row in table}
        row = by_number[first.registration_number]
        self.assertEqual(row[1], second.registration_number)
        self.assertIn("Fisik", row[headers_index("Jenis kekerasan")])
        self.assertIn(alone.registration_number, by_number)
        # Each case's victims times its perpetrators (one each here): two pairs, two perpetrators.
        self.assertEqual(len(simfoni.pair_rows(cases)), 2)
        self.assertEqual(len(simfoni.perpetrator_rows(cases)), 2)


    def test_a_linked_report_of_another_authority_in_the_same_month_gives_its_victims_once(self) -> None:
        if not d.cases_installed():
            self.skipTest("needs case management")
        from sigap.cases import actions
        from sigap.intake.tests.factories import adult_victim, create_report

        first = create_report(self.operator).report
        second = create_report(self.operator, victims=[adult_victim(name="Ani Lain")]).report
        actions.open_case([first, second], by=self.operator)
        Report.objects.filter(pk=second.pk).update(authority=Authority.OTHER)
        tally.mark_reports([second.pk])
        tally.run()
        month = timezone.localtime(first.received_at).strftime("%Y-%m")
        cases = simfoni.load_period(Period(month, month))
        self.assertEqual([c.registration_number for c in cases], [first.registration_number])
        self.assertEqual(len(cases[0].victims), 2)  # each victim once, though the second report is in the month
        self.assertEqual(len(simfoni.rows(cases)), 2)

    def test_a_victim_who_turned_18_after_the_incident_is_counted_as_a_child(self) -> None:
        import datetime

        from sigap.intake.tests.factories import create_report, report_payload

        today = timezone.localdate()
        victim = report_payload()["victims"][0]
        victim["birth_date"] = (today.replace(year=today.year - 18) - datetime.timedelta(days=40)).isoformat()
        incident = timezone.localtime() - datetime.timedelta(days=400)
        event = {**report_payload()["chronology"][0], "when": incident.strftime("%Y-%m-%dT%H:%M")}
        report = create_report(self.operator, victims=[victim], chronology=[event]).report
        tally.run()
        cases = simfoni.load(simfoni.report_ids(Period("2000-01", this_month())))
        row = next(r for r in simfoni.rows(cases) if r[0] == report.registration_number)
        self.assertEqual(row[headers_index("Usia saat kejadian")], 17)
        self.assertEqual(row[headers_index("Anak")], "Ya")
        self.assertEqual(row[headers_index("Jenis kasus")], str(CaseType.AMPK.label))
        self.assertEqual(row[headers_index("Kelompok AMPK")], str(AmpkGroup.KEKERASAN_FISIK_PSIKIS.label))


def headers_index(name: str) -> int:
    return simfoni.headers().index(name)
