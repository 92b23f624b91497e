"""The code lists of intake (docs/API.md, "Codes"): the only accepted values.

Each list is a ``TextChoices`` so models, forms, the API schema and statistics
share one definition. Labels are the Indonesian terms of SIMFONI-PPA.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    DATANG_LANGSUNG = "datang_langsung", _("Datang langsung")
    TELEPON = "telepon", _("Telepon")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    SURAT_EMAIL = "surat_email", _("Surat / e-mail")
    WEB = "web", _("Formulir web")
    RELAWAN = "relawan", _("Laporan relawan / perangkat desa")
    PENJANGKAUAN = "penjangkauan", _("Hasil penjangkauan")
    RUJUKAN = "rujukan", _("Rujukan")
    PELIMPAHAN = "pelimpahan", _("Pelimpahan")


class ReporterRelation(models.TextChoices):
    KORBAN_SENDIRI = "korban_sendiri", _("Korban sendiri")
    KELUARGA = "keluarga", _("Keluarga")
    TETANGGA = "tetangga", _("Tetangga")
    GURU = "guru", _("Guru")
    RELAWAN = "relawan", _("Relawan")
    PERANGKAT_DESA = "perangkat_desa", _("Perangkat desa")
    LAINNYA = "lainnya", _("Lainnya")


class Sex(models.TextChoices):
    L = "L", _("Laki-laki")
    P = "P", _("Perempuan")


class Education(models.TextChoices):
    TIDAK_SEKOLAH = "tidak_sekolah", _("Tidak/Belum Sekolah")
    PAUD_TK = "paud_tk", _("PAUD/TK")
    SD = "sd", _("SD")
    SLTP = "sltp", _("SLTP")
    SLTA = "slta", _("SLTA")
    PERGURUAN_TINGGI = "perguruan_tinggi", _("Perguruan Tinggi")


class Occupation(models.TextChoices):
    PELAJAR = "pelajar", _("Pelajar")
    IBU_RUMAH_TANGGA = "ibu_rumah_tangga", _("Ibu Rumah Tangga")
    TIDAK_BEKERJA = "tidak_bekerja", _("Tidak Bekerja")
    SWASTA_BURUH = "swasta_buruh", _("Swasta/Buruh")
    PNS_TNI_POLRI = "pns_tni_polri", _("PNS/TNI/Polri")
    PEDAGANG_TANI_NELAYAN = "pedagang_tani_nelayan", _("Pedagang/Tani/Nelayan")
    LAINNYA = "lainnya", _("Lainnya")
    TIDAK_DIKETAHUI = "tidak_diketahui", _("Tidak diketahui")


class MaritalStatus(models.TextChoices):
    BELUM_KAWIN = "belum_kawin", _("Belum kawin")
    KAWIN = "kawin", _("Kawin")
    CERAI_HIDUP = "cerai_hidup", _("Cerai hidup")
    CERAI_MATI = "cerai_mati", _("Cerai mati")


class PerpetratorRelation(models.TextChoices):
    ORANG_TUA = "orang_tua", _("Orang Tua")
    KELUARGA = "keluarga", _("Keluarga/Saudara")
    SUAMI_ISTRI = "suami_istri", _("Suami/Istri")
    TETANGGA = "tetangga", _("Tetangga")
    PACAR_TEMAN = "pacar_teman", _("Pacar/Teman")
    GURU = "guru", _("Guru")
    REKAN_KERJA = "rekan_kerja", _("Rekan Kerja")
    MAJIKAN = "majikan", _("Majikan")
    LAINNYA = "lainnya", _("Lainnya")
    TIDAK_DIKETAHUI = "tidak_diketahui", _("Tidak diketahui")


class Place(models.TextChoices):
    RUMAH_TANGGA = "rumah_tangga", _("Rumah Tangga")
    TEMPAT_KERJA = "tempat_kerja", _("Tempat Kerja")
    SEKOLAH = "sekolah", _("Sekolah")
    FASILITAS_UMUM = "fasilitas_umum", _("Fasilitas Umum")
    LEMBAGA_PENDIDIKAN_KILAT = "lembaga_pendidikan_kilat", _("Lembaga Pendidikan Kilat")
    LAINNYA = "lainnya", _("Lainnya")


# A chronology event whose place was not given is stored with this blank code:
# unknown ("belum dicatat"), listed as missing, never counted as "Lainnya".
PLACE_UNKNOWN = ""
PLACE_UNKNOWN_LABEL = _("Belum dicatat")


def place_label(code: str) -> str:
    """The place's label, "Belum dicatat" for the blank (unknown) code."""
    if not code:
        return str(PLACE_UNKNOWN_LABEL)
    try:
        return str(Place(code).label)
    except ValueError:
        return code


class ViolenceType(models.TextChoices):
    FISIK = "fisik", _("Fisik")
    PSIKIS = "psikis", _("Psikis")
    SEKSUAL = "seksual", _("Seksual")
    EKSPLOITASI = "eksploitasi", _("Eksploitasi")
    TRAFFICKING = "trafficking", _("Trafficking (TPPO)")
    PENELANTARAN = "penelantaran", _("Penelantaran")
    LAINNYA = "lainnya", _("Lainnya")


class SexualViolenceForm(models.TextChoices):
    """UU 12/2022 TPKS Pasal 4: the nine forms of ayat (1), then the forms of ayat (2).

    Ayat (2) names the crimes a rape or an abuse of a child is: record "perkosaan",
    not "pelecehan seksual fisik". Huruf c is split into its three acts.
    """

    PELECEHAN_NONFISIK = "pelecehan_nonfisik", _("Pelecehan seksual nonfisik")
    PELECEHAN_FISIK = "pelecehan_fisik", _("Pelecehan seksual fisik")
    PEMAKSAAN_KONTRASEPSI = "pemaksaan_kontrasepsi", _("Pemaksaan kontrasepsi")
    PEMAKSAAN_STERILISASI = "pemaksaan_sterilisasi", _("Pemaksaan sterilisasi")
    PEMAKSAAN_PERKAWINAN = "pemaksaan_perkawinan", _("Pemaksaan perkawinan")
    PENYIKSAAN_SEKSUAL = "penyiksaan_seksual", _("Penyiksaan seksual")
    EKSPLOITASI_SEKSUAL = "eksploitasi_seksual", _("Eksploitasi seksual")
    PERBUDAKAN_SEKSUAL = "perbudakan_seksual", _("Perbudakan seksual")
    KBGO = "kbgo", _("Kekerasan seksual berbasis elektronik")
    # Pasal 4 ayat (2)
    PERKOSAAN = "perkosaan", _("Perkosaan")
    PERBUATAN_CABUL = "perbuatan_cabul", _("Perbuatan cabul")
    PERSETUBUHAN_ANAK = "persetubuhan_anak", _("Persetubuhan terhadap anak")
    CABUL_ANAK = "cabul_anak", _("Perbuatan cabul terhadap anak")
    EKSPLOITASI_SEKSUAL_ANAK = "eksploitasi_seksual_anak", _("Eksploitasi seksual terhadap anak")
    MELANGGAR_KESUSILAAN = "melanggar_kesusilaan", _(
        "Perbuatan melanggar kesusilaan yang bertentangan dengan kehendak korban"
    )
    PORNOGRAFI = "pornografi", _(
        "Pornografi yang melibatkan anak atau yang secara eksplisit memuat kekerasan dan eksploitasi seksual"
    )
    PEMAKSAAN_PELACURAN = "pemaksaan_pelacuran", _("Pemaksaan pelacuran")
    TPPO_EKSPLOITASI_SEKSUAL = "tppo_eksploitasi_seksual", _(
        "Tindak pidana perdagangan orang untuk eksploitasi seksual"
    )
    KS_RUMAH_TANGGA = "ks_rumah_tangga", _("Kekerasan seksual dalam lingkup rumah tangga")
    TPPU_ASAL_TPKS = "tppu_asal_tpks", _("Pencucian uang dengan tindak pidana asal kekerasan seksual")
    TPKS_LAIN = "tpks_lain", _("Tindak pidana lain yang dinyatakan tegas sebagai kekerasan seksual")


# Forms that exist only against a child (Pasal 4 ayat 2 huruf c).
CHILD_ONLY_SEXUAL_FORMS: frozenset[str] = frozenset({
    SexualViolenceForm.PERSETUBUHAN_ANAK, SexualViolenceForm.CABUL_ANAK, SexualViolenceForm.EKSPLOITASI_SEKSUAL_ANAK,
})


class AgeGroup(models.TextChoices):
    """SIMFONI-PPA age groups."""

    A0_5 = "0-5", "0-5"
    A6_12 = "6-12", "6-12"
    A13_17 = "13-17", "13-17"
    A18_24 = "18-24", "18-24"
    A25_44 = "25-44", "25-44"
    A45_59 = "45-59", "45-59"
    A60 = "60+", "60+"


def age_group(age: int) -> str:
    for upper, group in ((5, "0-5"), (12, "6-12"), (17, "13-17"), (24, "18-24"), (44, "25-44"), (59, "45-59")):
        if age <= upper:
            return group
    return AgeGroup.A60


class ContactOutcome(models.TextChoices):
    NEW_REPORT = "laporan_baru", _("Laporan baru")
    FOLLOW_UP = "tindak_lanjut", _("Tindak lanjut kasus yang ada")
    INFORMATION = "informasi", _("Informasi atau konsultasi")
    REFERRED = "dirujuk", _("Dirujuk ke lembaga lain")
    SILENT = "diam_iseng_salah", _("Diam, iseng, atau salah sambung")


class HeardFrom(models.TextChoices):
    """"Dari mana tahu layanan ini?": how the person learned of the hotline (outreach is measured by it)."""

    PAMFLET = "pamflet", _("Pamflet / poster / stiker")
    SOSIALISASI_DESA = "sosialisasi_desa", _("Sosialisasi di desa")
    RELAWAN_PATBM = "relawan_patbm", _("Relawan PATBM / SAPA / perangkat desa")
    MEDIA_SOSIAL = "media_sosial", _("Media sosial")
    SEKOLAH = "sekolah", _("Sekolah")
    KELUARGA_TEMAN = "keluarga_teman", _("Keluarga / teman")
    LEMBAGA_LAIN = "lembaga_lain", _("Lembaga lain (puskesmas, polisi, LSM)")
    MEDIA_MASSA = "media_massa", _("Radio / TV / koran")
    PERNAH_MELAPOR = "pernah_melapor", _("Pernah melapor sebelumnya")
    LAINNYA = "lainnya", _("Lainnya")
    TIDAK_TAHU = "tidak_tahu", _("Tidak tahu / tidak menjawab")


class SafeChannel(models.TextChoices):
    TELEPON = "telepon", _("Telepon")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    KUNJUNGAN = "kunjungan", _("Kunjungan")
    LEWAT_RELAWAN = "lewat_relawan", _("Lewat relawan desa")
    TIDAK_DIHUBUNGI = "jangan_dihubungi", _("Jangan dihubungi")


class ReportStatus(models.TextChoices):
    """Internal status. Each maps to one public coarse status (``public_status``)."""

    DITERIMA = "diterima", _("Diterima")
    DITANGANI = "ditangani", _("Ditangani")
    SELESAI = "selesai", _("Selesai")


# The coarse status the reporter sees. Internal statuses may grow (the cases app
# may add finer ones); every one must map to one of these three.
PUBLIC_STATUS: dict[str, str] = {
    ReportStatus.DITERIMA: "diterima",
    ReportStatus.DITANGANI: "ditangani",
    ReportStatus.SELESAI: "selesai",
}
OPEN_STATUSES: tuple[str, ...] = (ReportStatus.DITERIMA, ReportStatus.DITANGANI)


class Risk(models.TextChoices):
    TINGGI = "tinggi", _("Tinggi")
    SEDANG = "sedang", _("Sedang")
    RENDAH = "rendah", _("Rendah")


RISK_ORDER = {Risk.RENDAH: 0, Risk.SEDANG: 1, Risk.TINGGI: 2}


class CaseType(models.TextChoices):
    """Jenis kasus, per victim (``sigap.intake.ages.case_type_for``; docs/CASES.md "Rules of law").

    KtP: an adult woman (UU 23/2004, Permen PPPA 2/2022); AMPK: a child, under 18
    at the incident (UU 35/2014 Pasal 59); Lainnya: an adult man, counted apart.
    """

    KTP = "KtP", _("Kekerasan terhadap Perempuan (KtP)")
    AMPK = "AMPK", _("Anak yang Memerlukan Perlindungan Khusus (AMPK)")
    LAINNYA = "Lainnya", _("Korban dewasa laki-laki")


# The report's (and case's) single case type when its victims differ: the first
# of these any victim has. Lists show it; statistics count the victims' own.
CASE_TYPE_PRECEDENCE: tuple[str, ...] = (CaseType.AMPK, CaseType.KTP, CaseType.LAINNYA)


class DatePrecision(models.TextChoices):
    """How precisely a chronology event's date is known (its earliest possible day counts for ages)."""

    HARI = "hari", _("Tanggal diketahui")
    BULAN = "bulan", _("Hanya bulan diketahui")
    TAHUN = "tahun", _("Hanya tahun diketahui")


class Authority(models.TextChoices):
    """Kewenangan (UU 23/2014): whose report this is by the places in it (``sigap.intake.authority``).

    Only ``sendiri`` is counted in this unit's statistics (``authority.OWN_AUTHORITY``).
    """

    OWN = "sendiri", _("Kabupaten/kota sendiri")
    # Every place in one other regency: transfer there.
    OTHER = "lain", _("Kabupaten/kota lain")
    # Crosses a regency border inside one province.
    PROVINCE = "provinsi", _("Provinsi (lintas kabupaten/kota)")
    # Crosses a provincial border.
    MINISTRY = "kementerian", _("Kementerian PPPA (lintas provinsi)")
    # A victim's or an incident's desa is not known: staff decide.
    UNDECIDED = "belum", _("Belum ditentukan (tempat tidak diketahui)")


class AmpkGroup(models.TextChoices):
    """The 15 groups of anak yang memerlukan perlindungan khusus, UU 35/2014 Pasal 59 ayat (2) huruf a-o."""

    SITUASI_DARURAT = "situasi_darurat", _("Anak dalam situasi darurat")
    BERHADAPAN_HUKUM = "berhadapan_hukum", _("Anak yang berhadapan dengan hukum")
    MINORITAS_TERISOLASI = "minoritas_terisolasi", _("Anak dari kelompok minoritas dan terisolasi")
    EKSPLOITASI = "eksploitasi", _("Anak yang dieksploitasi secara ekonomi dan/atau seksual")
    NAPZA = "napza", _(
        "Anak yang menjadi korban penyalahgunaan narkotika, alkohol, psikotropika, dan zat adiktif lainnya"
    )
    PORNOGRAFI = "pornografi", _("Anak yang menjadi korban pornografi")
    HIV_AIDS = "hiv_aids", _("Anak dengan HIV/AIDS")
    PENCULIKAN_PERDAGANGAN = "penculikan_perdagangan", _("Anak korban penculikan, penjualan, dan/atau perdagangan")
    KEKERASAN_FISIK_PSIKIS = "kekerasan_fisik_psikis", _("Anak korban kekerasan fisik dan/atau psikis")
    KEJAHATAN_SEKSUAL = "kejahatan_seksual", _("Anak korban kejahatan seksual")
    TERORISME = "terorisme", _("Anak korban jaringan terorisme")
    DISABILITAS = "disabilitas", _("Anak penyandang disabilitas")
    PERLAKUAN_SALAH = "perlakuan_salah", _("Anak korban perlakuan salah dan penelantaran")
    PERILAKU_MENYIMPANG = "perilaku_menyimpang", _("Anak dengan perilaku sosial menyimpang")
    STIGMATISASI = "stigmatisasi", _(
        "Anak yang menjadi korban stigmatisasi dari pelabelan terkait dengan kondisi orang tuanya"
    )


class DisabilityType(models.TextChoices):
    """Ragam penyandang disabilitas, UU 8/2016 Pasal 4 ayat (1); several together are disabilitas ganda (ayat 2)."""

    FISIK = "fisik", _("Disabilitas fisik")
    INTELEKTUAL = "intelektual", _("Disabilitas intelektual")
    MENTAL = "mental", _("Disabilitas mental")
    SENSORIK = "sensorik", _("Disabilitas sensorik (netra, rungu, wicara)")


class Accommodation(models.TextChoices):
    """Akomodasi yang layak a victim with a disability needs (UU TPKS Pasal 66 ayat 2; PP 39/2020)."""

    JURU_BAHASA_ISYARAT = "juru_bahasa_isyarat", _("Juru bahasa isyarat")
    PENDAMPING_DISABILITAS = "pendamping_disabilitas", _("Pendamping disabilitas")
    AKSESIBILITAS = "aksesibilitas", _("Aksesibilitas tempat dan sarana (kursi roda, ramp, transportasi)")
    KOMUNIKASI_ALTERNATIF = "komunikasi_alternatif", _("Komunikasi alternatif (braille, audio, bahasa sederhana)")
    TENAGA_AHLI = "tenaga_ahli", _("Dokter, psikolog, atau psikiater")
    WAKTU_DISESUAIKAN = "waktu_disesuaikan", _("Waktu pemeriksaan yang disesuaikan")
    LAINNYA = "lainnya", _("Lainnya")
