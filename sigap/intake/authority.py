"""Kewenangan: whose report this is, by the places in it (UU 23/2014, sub-urusan perlindungan perempuan dan anak).

UU 23/2014's annex (urusan pemerintahan bidang pemberdayaan perempuan dan
perlindungan anak) gives the protection of women and children to the level of
government whose area the case lies in: a case inside one kabupaten/kota is that
regency's; a case that crosses regency borders inside one province is the
province's; a case that crosses provincial borders is the ministry's
(Kementerian PPPA). The places that count are where each victim lives and where
each incident happened.

So SIGAP suggests, from the desa codes of the report (``suggest``):

* ``sendiri``: every known place is in this deployment's regency;
* ``lain``: every known place is in one other regency (transfer it there);
* ``provinsi``: the places cross a regency border inside one province;
* ``kementerian``: the places cross a provincial border;
* ``belum``: a victim's desa or an incident's desa is not known: staff decide
  (the report is flagged ``place_unknown`` for follow-up).

Staff may change the suggestion with a reason (``actions.decide_authority``,
kept as ``AuthorityDecision`` rows and audited). Statistics, the SIMFONI-PPA
export and public numbers count only the unit's own reports:
``Report.objects.own_authority()`` / ``OWN_AUTHORITY`` is the one predicate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from sigap.intake.codes import Authority

# The one rule for "this unit's own report" in every count (dashboards, SIMFONI-PPA, public numbers).
OWN_AUTHORITY = Q(authority=Authority.OWN)


def regency_of(desa_code: str) -> str:
    """``18.11.01.2001`` -> ``18.11``."""
    return ".".join(desa_code.split(".")[:2])


def province_of(desa_code: str) -> str:
    """``18.11.01.2001`` -> ``18``."""
    return desa_code.split(".")[0]


@dataclass(frozen=True)
class Suggestion:
    """What SIGAP suggests: the authority, the region to transfer to (a regency for ``lain``, a
    province for ``provinsi``), and the codes that decided it (for the reason shown to staff)."""

    authority: str
    transfer_to: str | None
    victim_regencies: tuple[str, ...] = ()
    event_regencies: tuple[str, ...] = ()
    unknown: bool = False


def suggest(victim_desa: Sequence[str | None], event_desa: Sequence[str | None],
            home: str | None = None) -> Suggestion:
    """The authority the places call for. ``None`` in either list: that desa is not known."""
    home = home or settings.SIGAP_REGION
    victims = tuple(sorted({regency_of(code) for code in victim_desa if code}))
    events = tuple(sorted({regency_of(code) for code in event_desa if code}))
    unknown = any(not code for code in victim_desa) or any(not code for code in event_desa)
    regencies = set(victims) | set(events)
    if unknown or not regencies:
        # Without every place the border question cannot be answered: staff decide.
        return Suggestion(Authority.UNDECIDED, None, victims, events, unknown=True)
    provinces = {province_of(code) for code in regencies}
    if len(provinces) > 1:
        return Suggestion(Authority.MINISTRY, None, victims, events)
    if len(regencies) > 1:
        return Suggestion(Authority.PROVINCE, provinces.pop(), victims, events)
    regency = regencies.pop()
    if regency == home:
        return Suggestion(Authority.OWN, None, victims, events)
    return Suggestion(Authority.OTHER, regency, victims, events)


def _names(codes: Iterable[str]) -> str:
    from sigap.regions.models import Region

    wanted = list(codes)
    names = dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    return ", ".join(names.get(code, code) for code in wanted)


def reason(suggestion: Suggestion) -> str:
    """The suggestion's reason in words, for staff (region names only: nothing personal)."""
    where = {"victims": _names(suggestion.victim_regencies) or "—",
             "events": _names(suggestion.event_regencies) or "—"}
    if suggestion.authority == Authority.UNDECIDED:
        return _("Desa korban atau desa tempat kejadian tidak diketahui, sehingga belum dapat dinilai apakah kasus "
                 "melintasi batas kabupaten/kota. Petugas memutuskan kewenangan setelah tempatnya jelas "
                 "(diketahui sejauh ini: korban di %(victims)s; kejadian di %(events)s).") % where
    if suggestion.authority == Authority.OWN:
        return _("Korban tinggal dan kejadian terjadi di kabupaten/kota ini (korban di %(victims)s; kejadian di %(events)s), "
                 "tidak melintasi batas kabupaten/kota.") % where
    if suggestion.authority == Authority.OTHER:
        return _("Korban dan kejadian seluruhnya di kabupaten/kota lain (korban di %(victims)s; kejadian di %(events)s): "
                 "kewenangan daerah itu, usulkan pelimpahan.") % where
    if suggestion.authority == Authority.PROVINCE:
        return _("Kasus melintasi batas kabupaten/kota dalam satu provinsi (korban di %(victims)s; kejadian di "
                 "%(events)s): kewenangan provinsi (UU 23/2014).") % where
    return _("Kasus melintasi batas provinsi (korban di %(victims)s; kejadian di %(events)s): kewenangan "
             "kementerian (UU 23/2014).") % where


def suggestion_for(report: Any) -> Suggestion:
    """SIGAP's suggestion from the report's victims and current chronology events."""
    from sigap.intake.models import ChronologyEvent

    victims = list(report.victims.values_list("desa_id", flat=True))
    events = list(ChronologyEvent.objects.current().filter(report=report).values_list("desa_id", flat=True))
    return suggest(victims, events)


def refresh(report: Any) -> None:
    """After the places of a report changed (an amendment): the suggestion and ``place_unknown`` follow the
    current places, and so does the authority unless staff have decided it (their decision stands).
    Sets the fields on ``report``; the caller saves it in its transaction."""
    suggestion = suggestion_for(report)
    report.place_unknown = suggestion.unknown
    report.authority_suggested = suggestion.authority
    if not report.authority_decisions.exists():
        report.authority = suggestion.authority
        report.transfer_to_id = suggestion.transfer_to
