"""The code lists of case management. Labels are the office's Indonesian terms."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """The seven stages of case handling (Permen PPPA 2/2022), in order."""

    PENERIMAAN = "penerimaan", _("Penerimaan pengaduan")
    IDENTIFIKASI = "identifikasi", _("Identifikasi")
    ASESMEN = "asesmen", _("Asesmen")
    RENCANA = "rencana", _("Rencana intervensi")
    PELAKSANAAN = "pelaksanaan", _("Pelaksanaan intervensi")
    PEMANTAUAN = "pemantauan", _("Pemantauan dan evaluasi")
    TERMINASI = "terminasi", _("Terminasi")


class CaseStatus(models.TextChoices):
    """Open or closed: text, not a boolean, so SQLite reads its index for "open cases"."""

    OPEN = "terbuka", _("Terbuka")
    CLOSED = "ditutup", _("Ditutup")


STAGE_ORDER: dict[str, int] = {stage: i for i, stage in enumerate(Stage.values)}


class UptdService(models.TextChoices):
    """The six services of a UPTD PPA (Permen PPPA 2/2022)."""

    PENGADUAN = "pengaduan", _("Pengaduan masyarakat")
    PENJANGKAUAN = "penjangkauan", _("Penjangkauan korban")
    PENGELOLAAN_KASUS = "pengelolaan_kasus", _("Pengelolaan kasus")
    PENAMPUNGAN = "penampungan", _("Penampungan sementara")
    MEDIASI = "mediasi", _("Mediasi")
    PENDAMPINGAN = "pendampingan", _("Pendampingan korban")


class SimfoniService(models.TextChoices):
    """SIMFONI-PPA service types (jenis layanan)."""

    PENGADUAN = "pengaduan", _("Pengaduan")
    KESEHATAN = "kesehatan", _("Kesehatan")
    BANTUAN_HUKUM = "bantuan_hukum", _("Bantuan hukum")
    PENEGAKAN_HUKUM = "penegakan_hukum", _("Penegakan hukum")
    REHABILITASI_SOSIAL = "rehabilitasi_sosial", _("Rehabilitasi sosial")
    REINTEGRASI_SOSIAL = "reintegrasi_sosial", _("Reintegrasi sosial")
    PEMULANGAN = "pemulangan", _("Pemulangan")
    PENDAMPINGAN_TOKOH_AGAMA = "pendampingan_tokoh_agama", _("Pendampingan tokoh agama")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "diajukan", _("Diajukan")
    APPROVED = "disetujui", _("Disetujui")
    RETURNED = "dikembalikan", _("Dikembalikan")


class ClosureStatus(models.TextChoices):
    SUBMITTED = "diajukan", _("Diajukan")
    APPROVED = "disetujui", _("Disetujui")
    RETURNED = "dikembalikan", _("Dikembalikan")


class ClosureOutcome(models.TextChoices):
    GOALS_MET = "tujuan_tercapai", _("Tujuan intervensi tercapai")
    REFERRED_ON = "dirujuk_dilimpahkan", _("Dirujuk atau dilimpahkan ke lembaga lain")
    DECLINED = "korban_menolak", _("Korban menolak layanan lanjutan")
    UNREACHABLE = "tidak_terhubungi", _("Korban tidak dapat dihubungi")
    MOVED = "pindah_domisili", _("Korban pindah domisili")
    DECEASED = "meninggal", _("Korban meninggal dunia")
    OTHER = "lainnya", _("Lainnya")


class ReferralStatus(models.TextChoices):
    SENT = "dikirim", _("Dikirim")
    ACCEPTED = "diterima", _("Diterima")
    DECLINED = "ditolak", _("Ditolak")
    DONE = "selesai", _("Selesai")
    # Withdrawn by the unit when the case closed before the partner answered or finished.
    CANCELLED = "dibatalkan", _("Dibatalkan")


# Referrals still waiting for the partner or still in its hands.
OPEN_REFERRAL_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


# Which statuses may follow which: a referral is answered once, then finished.
REFERRAL_NEXT: dict[str, tuple[str, ...]] = {
    ReferralStatus.SENT: (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED),
    ReferralStatus.ACCEPTED: (ReferralStatus.DONE,),
    ReferralStatus.DECLINED: (),
    ReferralStatus.DONE: (),
    ReferralStatus.CANCELLED: (),
}


class ConsentBasis(models.TextChoices):
    VICTIM = "korban", _("Persetujuan korban")
    MANAGER_OVERRIDE = "keputusan_manajer", _("Keputusan manajer kasus (tanpa persetujuan korban)")


class TaskKind(models.TextChoices):
    FIRST_CONTACT = "kontak_pertama", _("Kontak pertama dengan korban")
    OUTREACH_VISIT = "kunjungan", _("Kunjungan penjangkauan")
    ASSESSMENT = "asesmen", _("Asesmen")
    POLICE_REFERRAL = "rujukan_polisi", _("Wajib lapor ke polisi dalam 3x24 jam (UU TPKS Pasal 41)")
    SHELTER_END = "akhir_penampungan", _("Akhir masa penampungan")
    PLAN_ITEM = "rencana", _("Layanan dalam rencana intervensi")
    # sigap.accompaniment: the post-rape care checklist (72 hours) and the police's
    # temporary protection (UU TPKS Pasal 42, 1x24 hours), escalated like every task.
    POST_RAPE_CARE = "perawatan_72jam", _("Perawatan pasca-perkosaan (72 jam)")
    PROTECTION = "pelindungan_polisi", _("Pelindungan sementara oleh polisi (1x24 jam)")


class PoliceDutyBasis(models.TextChoices):
    """Why the manager closed the police duty of a sexual-violence case without a police referral."""

    ADULT_REFUSAL = "penolakan_korban_dewasa", _("Korban dewasa menolak setelah diberi penjelasan lengkap")
    ALREADY_REPORTED = "sudah_dilaporkan", _("Sudah dilaporkan ke polisi oleh korban, keluarga atau lembaga lain")
    OTHER = "lainnya", _("Alasan lain (tulis alasannya)")


class MediationMatter(models.TextChoices):
    """What a mediation may be about: civil matters, or a complaint offence the victim does not want prosecuted."""

    NAFKAH = "nafkah", _("Nafkah (istri / anak)")
    HAK_ASUH = "hak_asuh", _("Hak asuh anak")
    HARTA_BERSAMA = "harta_bersama", _("Harta bersama")
    WARIS = "waris", _("Waris")
    DELIK_ADUAN = "delik_aduan", _("Delik aduan; korban tidak menghendaki proses hukum")
    LAINNYA = "lainnya", _("Perkara perdata lainnya")


class AttachmentKind(models.TextChoices):
    PHOTO = "foto", _("Foto")
    SCAN = "pindaian", _("Pindaian dokumen")
    PDF = "pdf", _("Dokumen PDF")
    MEDICAL = "rekam_medis", _("Laporan medis / visum")
    OTHER = "lainnya", _("Lainnya")
