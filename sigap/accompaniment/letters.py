"""What goes into each letter and form of accompaniment, in the office's language.

Each builder returns ``sigap.letters.official`` data. The rule of the referral
letters holds here too: only what the recipient needs. The police cover letter
and the visum request name the victim (age, sex) and the violence; the LPSK
application (made only with the victim's consent and the manager's approval)
adds identity and chronology; the transfer letter gives the receiving unit the
whole handling; the case summary for the justice chain holds what the police,
prosecutor or court needs and never the reporter. Nothing here holds the
reporter's identity.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sigap.cases import letters as case_letters
from sigap.intake.codes import Accommodation, PerpetratorRelation, Place, Sex, ViolenceType
from sigap.letters import official


def dumps(letter: dict[str, Any]) -> str:
    return json.dumps(letter, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> dict[str, Any]:
    return json.loads(text or "{}")


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _reports(case: Any) -> list[int]:
    return list(case.case_reports.values_list("report_id", flat=True))


def victims(case: Any) -> list[Any]:
    from sigap.intake.models import Victim

    return list(Victim.objects.filter(report_id__in=_reports(case)).select_related("desa")
                .order_by("report_id", "position"))


def perpetrators(case: Any) -> list[Any]:
    from sigap.intake.models import Perpetrator

    return list(Perpetrator.objects.filter(report_id__in=_reports(case)).order_by("report_id", "position"))


def _victim_line(victim: Any, on: datetime.date) -> str:
    return f"{victim.name or _('(nama tidak diketahui)')}, {case_letters._age(victim, on)}, {_label(Sex, victim.sex)}"


def _violence(case: Any) -> str:
    from sigap.intake.models import ReportViolence

    types = sorted(set(ReportViolence.objects.filter(report_id__in=_reports(case))
                       .values_list("violence_type", flat=True)))
    return ", ".join(_label(ViolenceType, t) for t in types) or "-"


def _chronology(case: Any) -> list[dict[str, Any]]:
    from sigap.intake.models import ChronologyEvent

    events = (ChronologyEvent.objects.current().filter(report_id__in=_reports(case)).select_related("desa")
              .in_order())
    return [official.li(
        f"{e.date_text()}"
        f"{' (' + _('perkiraan') + ')' if e.approximate else ''}, {_label(Place, e.place)}, "
        f"{e.desa.name if e.desa else _('desa tidak diketahui')}: "
        f"{e.description}") for e in events] or [official.li("-")]


def _perpetrator_lines(case: Any, named: bool) -> list[dict[str, Any]]:
    lines = []
    for p in perpetrators(case):
        parts = [p.name if named and p.name else _("Terlapor")]
        parts.append(_("hubungan dengan korban: %(r)s") % {"r": _label(PerpetratorRelation, p.relation)})
        if p.is_child:
            parts.append(_("anak"))
        lines.append(official.li(", ".join(parts)))
    return lines or [official.li("-")]


def _worker_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _to(partner: Any, unit: str = "") -> list[str]:
    lines = [_("Yth. Pimpinan %(partner)s") % {"partner": partner.name}]
    if unit:
        lines.append(unit)
    lines.append(_("di Tempat"))
    return lines


def _confidential() -> dict[str, Any]:
    return official.small(_(
        "Surat ini bersifat rahasia. Identitas korban dilindungi (UU 12/2022 Pasal 69 huruf c; UU 11/2012 Pasal 19 "
        "untuk anak) dan hanya digunakan untuk keperluan yang disebutkan. Koordinasi melalui layanan %(hotline)s."
    ) % {"hotline": settings.SIGAP_HOTLINE})


def police_cover(case: Any, partner: Any, *, number: str, on: datetime.date, worker: Any, referral: Any) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        referral_number = case_letters.loads(referral.letter).get("nomor", "") if referral is not None else ""
        blocks = [
            official.p(_("Dengan hormat, menindaklanjuti pengaduan yang diterima %(office)s pada %(date)s, bersama "
                         "ini kami antarkan korban berikut untuk membuat laporan polisi dan menjalani pemeriksaan "
                         "sesuai kewenangan Bapak/Ibu.")
                       % {"office": settings.SIGAP_OFFICE_NAME, "date": official.long_date(
                           timezone.localdate(case.reported_at))}),
            official.h(_("Korban")),
            *[official.li(_victim_line(v, on)) for v in victims(case)],
            official.kv([(_("Nomor kasus"), case.number), (_("Jenis kekerasan"), _violence(case)),
                         (_("Pendamping"), _worker_name(worker))]),
            official.p(_("Korban didampingi pendamping kami selama pembuatan laporan dan pemeriksaan. Mohon korban "
                         "diperiksa di ruang pelayanan khusus yang menjamin keamanan dan kerahasiaannya, dan "
                         "pelindungan sementara dipertimbangkan paling lambat 1x24 jam sejak laporan diterima "
                         "(UU 12/2022 Pasal 42).")),
            official.p(_("Demikian surat pengantar ini kami sampaikan. Atas perhatian dan kerja sama Bapak/Ibu, kami "
                         "ucapkan terima kasih.")),
            _confidential(),
        ]
        return official.compose(
            number=number, on=on, perihal=_("Pengantar pembuatan laporan polisi"),
            to=_to(partner, _("u.p. Unit Pelayanan Perempuan dan Anak")), blocks=blocks,
            lampiran=(_("1 (satu) berkas surat rujukan nomor %(number)s") % {"number": referral_number}
                      if referral_number else "-"),
        )


def visum_request(case: Any, partner: Any, *, number: str, on: datetime.date, worker: Any, justice: Any) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        facts = [(_("Nomor kasus"), case.number), (_("Jenis kekerasan"), _violence(case))]
        if justice is not None and justice.police_report_number:
            facts.append((_("Laporan polisi"), justice.police_report_number))
        facts.append((_("Pendamping"), _worker_name(worker)))
        blocks = [
            official.p(_("Dengan hormat, bersama ini kami mohon bantuan Bapak/Ibu untuk menerima dan memeriksa korban "
                         "berikut dalam rangka visum et repertum atas permintaan penyidik, dengan didampingi "
                         "pendamping kami.")),
            official.h(_("Korban")),
            *[official.li(_victim_line(v, on)) for v in victims(case)],
            official.kv(facts),
            official.p(_("Mohon pemeriksaan dilakukan dengan memperhatikan kenyamanan dan kerahasiaan korban, dan hasil "
                         "visum disampaikan kepada penyidik sesuai ketentuan.")),
            official.p(_("Atas perhatian dan kerja sama Bapak/Ibu, kami ucapkan terima kasih.")),
            _confidential(),
        ]
        return official.compose(number=number, on=on, perihal=_("Permohonan pendampingan pemeriksaan visum et "
                                                                  "repertum"), to=_to(partner), blocks=blocks)


def _identity_rows(victim: Any, on: datetime.date) -> list[tuple[str, str]]:
    born = formats.date_format(victim.birth_date, "DATE_FORMAT") if victim.birth_date else "-"
    return [
        (_("Nama"), victim.name or "-"),
        (_("NIK"), victim.nik or "-"),
        (_("Tanggal lahir / usia"), f"{born} / {case_letters._age(victim, on)}"),
        (_("Jenis kelamin"), _label(Sex, victim.sex)),
        (_("Alamat"), ", ".join(x for x in (victim.address or "", victim.desa.name if victim.desa_id else "") if x)
         or "-"),
    ]


def lpsk_application(case: Any, application: Any, *, number: str, on: datetime.date) -> dict:
    """The application to LPSK: identity and chronology (made only after consent and approval)."""
    with translation.override(settings.LANGUAGE_CODE):
        blocks: list[dict[str, Any]] = [
            official.p(_("Dengan hormat, berdasarkan UU 13/2006 sebagaimana diubah dengan UU 31/2014 tentang "
                         "Perlindungan Saksi dan Korban dan UU 12/2022 tentang Tindak Pidana Kekerasan Seksual, "
                         "bersama ini kami mengajukan permohonan pelindungan bagi %(who)s berikut, atas persetujuan "
                         "korban tertanggal %(consent)s.")
                       % {"who": application.get_applicant_display().lower(),
                          "consent": official.long_date(application.consent_on)}),
        ]
        for i, victim in enumerate(victims(case), start=1):
            blocks.append(official.h(_("Identitas korban %(n)s") % {"n": i}))
            blocks.append(official.kv(_identity_rows(victim, on)))
        blocks.append(official.h(_("Jenis kekerasan")))
        blocks.append(official.p(_violence(case)))
        blocks.append(official.h(_("Kronologi")))
        blocks.extend(_chronology(case))
        blocks.append(official.h(_("Terlapor")))
        blocks.extend(_perpetrator_lines(case, named=True))
        from sigap.accompaniment.models import JusticeRecord

        justice = JusticeRecord.objects.filter(case=case).first()
        if justice is not None and (justice.police_report_number or justice.police_report_at):
            blocks.append(official.h(_("Proses hukum")))
            blocks.append(official.kv([
                (_("Laporan polisi"), justice.police_report_number or "-"),
                (_("Tanggal laporan"), official.long_date(timezone.localdate(justice.police_report_at))
                 if justice.police_report_at else "-"),
                (_("Unit penyidik"), justice.police_unit.name if justice.police_unit_id else "-"),
            ]))
        blocks.append(official.h(_("Pelindungan / hak yang dimohonkan")))
        blocks.append(official.p(application.protection_asked or "-"))
        blocks.append(official.p(_("Demikian permohonan ini kami sampaikan. Atas perhatian dan kerja sama Bapak/Ibu, "
                                   "kami ucapkan terima kasih.")))
        blocks.append(_confidential())
        return official.compose(number=number, on=on, perihal=_("Permohonan pelindungan saksi dan/atau korban"),
                                to=[_("Yth. Ketua Lembaga Perlindungan Saksi dan Korban (LPSK)"),
                                    application.partner.name, _("di Tempat")],
                                blocks=blocks, lampiran=_("Surat persetujuan korban"))


def transfer_letter(case: Any, transfer: Any, *, number: str, on: datetime.date) -> dict:
    """What the receiving unit needs to take the case over: the victim, the events, the handling so far."""
    from sigap.accompaniment.models import Appointment, JusticeRecord, JusticeStep
    from sigap.cases.models import Referral, ServiceRecord

    with translation.override(settings.LANGUAGE_CODE):
        blocks: list[dict[str, Any]] = [
            official.p(_("Dengan hormat, dengan pertimbangan berikut: %(reason)s, bersama ini kami melimpahkan "
                         "penanganan kasus nomor %(number)s kepada Bapak/Ibu untuk ditindaklanjuti.")
                       % {"reason": transfer.reason, "number": case.number}),
            official.h(_("Korban")),
            *[official.li(_victim_line(v, on)) for v in victims(case)],
            official.kv([(_("Jenis kekerasan"), _violence(case)),
                         (_("Tahap penanganan"), case.get_stage_display()),
                         (_("Risiko"), case.get_risk_display())]),
            official.h(_("Kronologi")),
            *_chronology(case),
            official.h(_("Terlapor")),
            *_perpetrator_lines(case, named=True),
            official.h(_("Layanan yang telah diberikan")),
        ]
        services = [official.li(f"{formats.date_format(s.delivered_on, 'DATE_FORMAT')}: {s.get_service_display()}")
                    for s in ServiceRecord.objects.filter(case=case).order_by("delivered_on")]
        blocks.extend(services or [official.li("-")])
        referrals = [official.li(f"{formats.date_format(timezone.localtime(r.sent_at), 'DATE_FORMAT')}: {r.partner.name} "
                                 f"({r.get_status_display()})")
                     for r in Referral.objects.filter(case=case).select_related("partner").order_by("sent_at")]
        if referrals:
            blocks.append(official.h(_("Rujukan")))
            blocks.extend(referrals)
        justice = JusticeRecord.objects.filter(case=case).first()
        steps = list(JusticeStep.objects.filter(case=case).order_by("on"))
        if justice is not None or steps:
            blocks.append(official.h(_("Proses hukum")))
            if justice is not None and justice.police_report_number:
                blocks.append(official.kv([(_("Laporan polisi"), justice.police_report_number)]))
            blocks.extend(official.li(f"{formats.date_format(s.on, 'DATE_FORMAT')}: {s.get_stage_display()}")
                          for s in steps)
        upcoming = list(Appointment.objects.filter(case=case, status="terjadwal", starts_at__gte=timezone.now())
                        .order_by("starts_at"))
        if upcoming:
            blocks.append(official.h(_("Jadwal yang akan datang")))
            blocks.extend(official.li(f"{formats.date_format(timezone.localtime(a.starts_at), 'DATETIME_FORMAT')}: "
                                      f"{a.get_kind_display()}") for a in upcoming)
        blocks.append(official.p(_("Berkas pendukung kami serahkan melalui pendamping. Mohon tanda terima "
                                   "pelimpahan ini disampaikan kepada kami.")))
        blocks.append(_confidential())
        return official.compose(number=number, on=on, perihal=_("Pelimpahan penanganan kasus"),
                                to=_to(transfer.partner), blocks=blocks,
                                lampiran=_("1 (satu) berkas resume kasus"))


# --- printable forms ----------------------------------------------------------------------------


def complaint_form() -> dict:
    """A blank formulir pengaduan with the report form's fields, for villages and walk-ins (typed in later)."""
    from sigap.intake.codes import AgeGroup, Channel, Place, Sex

    with translation.override(settings.LANGUAGE_CODE):
        yes_no = [_("Ya"), _("Tidak")]
        blocks = [
            official.small(_("Isi dengan huruf cetak. Formulir ini rahasia: serahkan langsung kepada petugas UPTD PPA "
                             "atau narahubung desa. Tanda * wajib diisi.")),
            official.h(_("A. Pelapor")),
            official.field(_("Nama pelapor (boleh dikosongkan bila ingin anonim)")),
            official.field(_("Nomor telepon / WhatsApp")),
            official.check(_("Hubungan dengan korban"), [_("Korban sendiri"), _("Keluarga"), _("Tetangga"),
                                                         _("Guru"), _("Lainnya")]),
            official.check(_("Cara melapor"), [str(c.label) for c in Channel]),
            official.h(_("B. Korban")),
            official.field(_("Nama korban *")),
            official.field(_("NIK (bila ada)")),
            official.field(_("Tanggal lahir atau perkiraan usia *")),
            official.check(_("Kelompok usia"), [str(a.label) for a in AgeGroup]),
            official.check(_("Jenis kelamin *"), [str(s.label) for s in Sex]),
            official.field(_("Alamat, desa dan kecamatan *"), 2),
            official.check(_("Penyandang disabilitas"), yes_no),
            official.check(_("Bantuan yang dibutuhkan karena disabilitas (UU TPKS Pasal 66)"),
                           [str(a.label) for a in Accommodation]),
            official.h(_("C. Kejadian")),
            official.check(_("Jenis kekerasan *"), [str(v.label) for v in ViolenceType]),
            official.field(_("Tanggal dan jam kejadian (perkiraan boleh) *")),
            official.check(_("Bila tidak ada yang tahu tanggalnya"), [_("Tanggal tidak diketahui")]),
            official.check(_("Tempat kejadian *"), [str(p.label) for p in Place]),
            official.field(_("Desa tempat kejadian *")),
            official.field(_("Kronologi singkat *"), 5),
            official.h(_("D. Terlapor")),
            official.field(_("Nama terlapor (bila diketahui)")),
            official.check(_("Hubungan dengan korban"), [str(r.label) for r in PerpetratorRelation]),
            official.check(_("Terlapor masih anak (di bawah 18 tahun)?"), [_("Ya"), _("Tidak"), _("Tidak tahu")]),
            official.check(_("Tinggal serumah dengan korban?"), yes_no),
            official.h(_("E. Kondisi, kebutuhan, dan persetujuan")),
            official.field(_("Kondisi korban saat ini"), 2),
            official.field(_("Kebutuhan dan harapan korban"), 2),
            official.check(_("Korban setuju laporannya diproses UPTD PPA"), yes_no),
            official.check(_("Korban setuju dirujuk ke layanan lain"), yes_no),
            official.check(_("Korban setuju dilaporkan ke kepolisian"), yes_no),
            official.check(_("Korban setuju data tanpa nama dipakai untuk statistik"), yes_no),
        ]
        return official.compose_form(title=_("FORMULIR PENGADUAN"), subtitle=_("Kekerasan terhadap perempuan dan anak"),
                                     blocks=blocks, signatures=[_("Pelapor"), _("Petugas penerima")])


# A perpetrator with one of these relations to a child victim may be the guardian who would sign.
GUARDIAN_RELATIONS = (PerpetratorRelation.ORANG_TUA, PerpetratorRelation.KELUARGA)


def guardian_is_perpetrator(case: Any) -> bool:
    """A child victim and an alleged perpetrator who is a parent, or family living with the victim."""
    if not any(v.is_child or v.age_group in case_letters.CHILD_AGE_GROUPS for v in victims(case)):
        return False
    return any(p.relation == PerpetratorRelation.ORANG_TUA
               or (p.relation == PerpetratorRelation.KELUARGA and p.lives_with_victim)
               for p in perpetrators(case))


def consent_form(case: Any) -> dict:
    """Surat persetujuan (informed consent) of the victim or, for a child, the guardian."""
    with translation.override(settings.LANGUAGE_CODE):
        today = timezone.localdate()
        people = victims(case)
        child = any(v.is_child or v.age_group in case_letters.CHILD_AGE_GROUPS for v in people)
        blocks: list[dict[str, Any]] = []
        if guardian_is_perpetrator(case):
            blocks.append(official.warn(_(
                "PERHATIAN: terlapor adalah orang tua atau keluarga serumah korban. Persetujuan TIDAK boleh "
                "ditandatangani oleh terlapor. Mintakan kepada orang tua/wali lain yang bukan terlapor, atau "
                "keluarga lain yang dipercaya anak, dengan pendamping UPTD PPA.")))
        blocks += [
            official.kv([(_("Nomor kasus"), case.number)]),
            official.p(_("Yang bertanda tangan di bawah ini:")),
            official.field(_("Nama")),
            official.field(_("Hubungan dengan korban (diri sendiri / orang tua / wali)")),
            official.p(_("bertindak untuk diri sendiri / sebagai orang tua atau wali dari korban:")
                       if child else _("bertindak untuk diri sendiri sebagai korban:")),
            *[official.li(_victim_line(v, today)) for v in people],
            official.p(_("menyatakan telah mendapat penjelasan dari petugas %(office)s tentang layanan, hak korban, "
                         "dan kerahasiaan data, dan dengan sadar tanpa paksaan:") % {
                "office": settings.SIGAP_OFFICE_NAME}),
            official.check(_("1. Setuju pengaduan diproses dan ditangani UPTD PPA"), [_("Setuju"), _("Tidak")]),
            official.check(_("2. Setuju dirujuk ke layanan kesehatan, psikologis, atau bantuan hukum"),
                           [_("Setuju"), _("Tidak")]),
            official.check(_("3. Setuju dilaporkan dan didampingi ke kepolisian"), [_("Setuju"), _("Tidak")]),
            official.check(_("4. Setuju data diteruskan ke LPSK untuk permohonan pelindungan/restitusi"),
                           [_("Setuju"), _("Tidak")]),
            official.small(_("Persetujuan ini dapat ditarik kembali kapan saja dengan memberi tahu petugas. "
                             "Penarikan tidak menghentikan layanan yang tidak memerlukan persetujuan.")),
        ]
        return official.compose_form(title=_("SURAT PERSETUJUAN"), subtitle=_("Persetujuan setelah penjelasan"),
                                     blocks=blocks, signatures=[_("Yang menyatakan"), _("Petugas UPTD PPA"),
                                                                _("Saksi")])


def case_summary(case: Any, recipient: str) -> dict:
    """Resume kasus for the police, prosecutor or court: what that recipient needs, never the reporter."""
    from sigap.accompaniment.codes import SummaryRecipient
    from sigap.accompaniment.models import Appointment, JusticeRecord, JusticeStep, Protection

    with translation.override(settings.LANGUAGE_CODE):
        today = timezone.localdate()
        blocks: list[dict[str, Any]] = [
            official.kv([(_("Nomor kasus"), case.number), (_("Untuk"), _label(SummaryRecipient, recipient)),
                         (_("Tanggal"), official.long_date(today))]),
            official.h(_("Korban")),
            *[official.li(_victim_line(v, today)) for v in victims(case)],
            official.h(_("Jenis kekerasan")),
            official.p(_violence(case)),
            official.h(_("Kronologi")),
            *_chronology(case),
            official.h(_("Terlapor")),
            *_perpetrator_lines(case, named=True),
        ]
        justice = JusticeRecord.objects.filter(case=case).first()
        rows = []
        if justice is not None:
            rows = [(_("Laporan polisi"), justice.police_report_number or "-"),
                    (_("Visum diminta / diterima"),
                     f"{justice.visum_requested_on or '-'} / {justice.visum_received_on or '-'}")]
        blocks.append(official.h(_("Proses hukum")))
        if rows:
            blocks.append(official.kv(rows))
        steps = list(JusticeStep.objects.filter(case=case).order_by("on"))
        blocks.extend(official.li(f"{formats.date_format(s.on, 'DATE_FORMAT')}: {s.get_stage_display()}"
                                  f"{' - ' + _('didampingi') if s.accompanied else ''}") for s in steps)
        if not rows and not steps:
            blocks.append(official.li("-"))
        protections = list(Protection.objects.filter(case=case).order_by("granted_at"))
        if protections:
            blocks.append(official.h(_("Pelindungan")))
            blocks.extend(official.li(f"{p.get_kind_display()}: {formats.date_format(timezone.localtime(p.granted_at), 'DATE_FORMAT')}"
                                      f"{' - ' + formats.date_format(p.ends_on, 'DATE_FORMAT') if p.ends_on else ''}")
                          for p in protections)
        if recipient != SummaryRecipient.POLICE:
            hearings = list(Appointment.objects.filter(case=case, kind="sidang").order_by("starts_at"))
            if hearings:
                blocks.append(official.h(_("Sidang dan kehadiran korban")))
                blocks.extend(official.li(f"{formats.date_format(timezone.localtime(a.starts_at), 'DATETIME_FORMAT')}: "
                                          f"{a.get_status_display()}") for a in hearings)
        from sigap.intake.models import Report

        conditions = [r.victim_condition for r in Report.objects.filter(case_link__case=case) if r.victim_condition]
        blocks.append(official.h(_("Kondisi korban")))
        blocks.extend([official.li(c) for c in conditions] or [official.li("-")])
        blocks.append(official.small(_(
            "Resume ini hanya memuat yang dibutuhkan penerima; identitas pelapor tidak dicantumkan. Rahasia "
            "(UU 12/2022 Pasal 69 huruf c; UU 11/2012 Pasal 19).")))
        return official.compose_form(title=_("RESUME KASUS"), subtitle=_("Rahasia"), blocks=blocks,
                                     signatures=[_("Pendamping"), _("Kepala UPTD PPA")])
