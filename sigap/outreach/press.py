"""Press-release drafts: a text a person edits, with the anonymised figures it was written with."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from sigap.outreach.coverage import build_coverage
from sigap.outreach.models import Campaign
from sigap.outreach.seams import public_figures


def campaign_figures() -> dict[str, Any]:
    """Outreach numbers (never personal) plus the statistics app's public figures when it exists."""
    coverage = build_coverage()
    totals = coverage.totals()
    figures: dict[str, Any] = {
        "desa": len(coverage.rows),
        "desa_with_contact_point": totals["contact_points"],
        "desa_with_patbm": totals["patbm"],
        "sapa_volunteers": totals["sapa"],
        "desa_reached": totals["reached"],
        "pamphlets_handed_out": totals["pamphlets"],
        "as_of": timezone.localdate().isoformat(),
    }
    stats = public_figures()
    if stats:
        figures["statistics"] = stats
    return figures


def draft_for(campaign: Campaign) -> tuple[str, str, dict[str, Any]]:
    figures = campaign_figures()
    title = f"{settings.SIGAP_OFFICE_NAME}: {campaign.name}"
    body = (
        f"{settings.SIGAP_OFFICE_NAME} mengajak seluruh warga untuk melaporkan kekerasan terhadap "
        f"perempuan dan anak. Laporan dapat disampaikan melalui hotline {settings.SIGAP_HOTLINE}, "
        f"WhatsApp {settings.SIGAP_WHATSAPP}, atau dalam keadaan darurat ke "
        f"{' / '.join(settings.SIGAP_EMERGENCY_NUMBERS)}.\n\n"
        f"Dalam kampanye \"{campaign.name}\", jaringan perlindungan kini menjangkau "
        f"{figures['desa_reached']} dari {figures['desa']} desa; {figures['desa_with_contact_point']} desa "
        f"memiliki narahubung, {figures['desa_with_patbm']} desa memiliki kelompok PATBM, dan "
        f"{figures['pamphlets_handed_out']} pamflet telah dibagikan.\n\n"
        "Korban maupun saksi dapat melapor. Kami akan merahasiakan identitas pelapor dan melindunginya. "
        "Layanan ini gratis.\n\n"
        "Catatan untuk redaksi: sesuai UU 11/2012 Pasal 19, identitas anak (nama, nama orang tua, alamat, "
        "wajah, sekolah, dan hal lain yang dapat mengungkap jati diri anak) wajib dirahasiakan.\n\n"
        f"Narahubung media: {settings.SIGAP_PRESS_CONTACT}, {settings.SIGAP_PRESS_PHONE}"
        + (f", {settings.SIGAP_PRESS_EMAIL}" if settings.SIGAP_PRESS_EMAIL else "")
        + "."
    )
    return title, body, figures
