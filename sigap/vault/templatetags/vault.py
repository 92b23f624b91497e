"""Masking filters for templates: ``{% load vault %}{{ identity.phone|mask_phone }}``."""

from __future__ import annotations

from django import template

from sigap.vault import masking

register = template.Library()


@register.filter
def mask_phone(value: str | None) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_nik(value: str | None) -> str:
    return masking.mask_nik(value)


@register.filter
def mask_text(value: str | None) -> str:
    return masking.mask_text(value)


@register.filter
def pseudonym(opaque_id: str | int, prefix: str = "R") -> str:
    return masking.pseudonym(opaque_id, prefix)
