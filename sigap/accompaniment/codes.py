"""Code lists of accompaniment (pendampingan). Labels are the office's Indonesian terms."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppointmentKind(models.TextChoices):
    MEDICAL = "pemeriksaan_medis", _("Pemeriksaan medis")
    VISUM = "visum", _("Visum et repertum")
    PSYCHOLOGIST = "psikolog", _("Sesi psikolog")
    COUNSELLING = "konseling", _("Sesi konseling")
    LEGAL_AID = "bantuan_hukum", _("Konsultasi bantuan hukum")
    POLICE_EXAM = "bap", _("Pemeriksaan polisi (BAP)")
    HEARING = "sidang", _("Sidang pengadilan")
    HOME_VISIT = "kunjungan_rumah", _("Kunjungan rumah")
    OTHER = "lainnya", _("Lainnya")


# Counted as counselling sessions on the case.
COUNSELLING_KINDS = (AppointmentKind.PSYCHOLOGIST, AppointmentKind.COUNSELLING)


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "terjadwal", _("Terjadwal")
    ATTENDED = "hadir", _("Hadir")
    MISSED = "tidak_hadir", _("Tidak hadir")
    RESCHEDULED = "dijadwalkan_ulang", _("Dijadwalkan ulang")
    CANCELLED = "dibatalkan", _("Dibatalkan")


class CareItemKind(models.TextChoices):
    """The post-rape care checklist. What the partner (puskesmas, RSUD) does; no clinical advice here."""

    MEDICAL = "pemeriksaan_medis", _("Pemeriksaan medis")
    CONTRACEPTION = "kontrasepsi_darurat", _("Kontrasepsi darurat")
    PEP = "pep_hiv", _("Profilaksis pasca pajanan HIV (PEP) dalam 72 jam")
    EVIDENCE = "bukti_visum", _("Pengambilan bukti / visum sebelum mandi atau berganti pakaian bila memungkinkan")
    PFA = "dukungan_psikologis", _("Dukungan psikologis awal")


class CareItemStatus(models.TextChoices):
    PENDING = "belum", _("Belum")
    DONE = "dilakukan", _("Dilakukan")
    DECLINED = "ditolak", _("Ditolak korban")
    NOT_APPLICABLE = "tidak_berlaku", _("Tidak berlaku")


class JusticeStage(models.TextChoices):
    """The stages of the criminal process a case worker follows, in order."""

    POLICE_REPORT = "laporan_polisi", _("Laporan polisi")
    INVESTIGATION = "penyidikan", _("Penyidikan")
    P21 = "p21", _("Berkas lengkap (P-21)")
    TRIAL = "persidangan", _("Persidangan")
    VERDICT = "putusan", _("Putusan")
    STOPPED = "dihentikan", _("Penyidikan dihentikan (SP3)")


class ProtectionKind(models.TextChoices):
    POLICE_TEMPORARY = "sementara_polisi", _("Pelindungan sementara oleh kepolisian (UU TPKS Pasal 42)")
    LPSK = "lpsk", _("Pelindungan LPSK (UU TPKS Pasal 43; UU 31/2014)")
    COURT_ORDER = "penetapan_pengadilan", _("Penetapan pengadilan: pembatasan gerak pelaku (UU TPKS Pasal 45)")


class LpskStatus(models.TextChoices):
    DRAFT = "draf", _("Draf, menunggu persetujuan manajer")
    APPROVED = "disetujui", _("Disetujui, surat siap dikirim")
    SENT = "dikirim", _("Dikirim ke LPSK")
    ACCEPTED = "diterima", _("Diterima LPSK")
    REJECTED = "ditolak", _("Ditolak LPSK")


class Applicant(models.TextChoices):
    VICTIM = "korban", _("Korban")
    WITNESS = "saksi", _("Saksi (termasuk pelapor)")


class RestitutionStatus(models.TextChoices):
    """UU TPKS Pasal 30-38: asked for, assessed (LPSK), ordered by the court, paid, or compensated by the state."""

    REQUESTED = "diajukan", _("Diajukan")
    ASSESSED = "dinilai", _("Dinilai (LPSK)")
    ORDERED = "diputus", _("Diputus pengadilan")
    PAID = "dibayar", _("Dibayar pelaku")
    COMPENSATED = "kompensasi", _("Kompensasi Dana Bantuan Korban")
    REFUSED = "tidak_dikabulkan", _("Tidak dikabulkan")


RESTITUTION_NEXT: dict[str, tuple[str, ...]] = {
    RestitutionStatus.REQUESTED: (RestitutionStatus.ASSESSED, RestitutionStatus.ORDERED, RestitutionStatus.REFUSED),
    RestitutionStatus.ASSESSED: (RestitutionStatus.ORDERED, RestitutionStatus.REFUSED),
    # Unpaid after 30 days, the state compensates the shortfall (Pasal 33, 35).
    RestitutionStatus.ORDERED: (RestitutionStatus.PAID, RestitutionStatus.COMPENSATED),
    RestitutionStatus.PAID: (RestitutionStatus.COMPENSATED,),
    RestitutionStatus.COMPENSATED: (),
    RestitutionStatus.REFUSED: (),
}


class TransferStatus(models.TextChoices):
    PREPARED = "disiapkan", _("Disiapkan, menunggu persetujuan manajer")
    SENT = "dikirim", _("Dikirim (kasus dilimpahkan)")
    RECEIVED = "diterima", _("Diterima unit tujuan")


# Who may receive a transfer (pelimpahan).
TRANSFER_PARTNER_TYPES = ("uptd_ppa_regency", "uptd_ppa_province", "sapa129")
# Who may be named as the origin of a case received by transfer.
ORIGIN_PARTNER_TYPES = TRANSFER_PARTNER_TYPES


class SummaryRecipient(models.TextChoices):
    """Who a resume kasus is for: the justice chain only."""

    POLICE = "police_uppa", _("Kepolisian (penyidik)")
    PROSECUTOR = "prosecutor", _("Kejaksaan (penuntut umum)")
    COURT = "court", _("Pengadilan (hakim)")
