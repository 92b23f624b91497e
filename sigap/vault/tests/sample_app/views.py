"""A record page shaped like intake's report detail: masked by default, reveal on request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.views.decorators.http import require_http_methods

from sigap.accounts.roles import Perm
from sigap.accounts.views import permission_required
from sigap.vault.reveal import handle_reveal
from sigap.vault.tests.sample_app.models import SampleIdentity

PAGE = """{% extends "base.html" %}{% load vault %}{% block content %}
<h1>{{ identity.pk|pseudonym }}</h1>
{% if reveal.shown %}<p id="name">{{ reveal.revealed.name }}</p><p id="phone">{{ reveal.revealed.phone }}</p>
<p id="address">{{ reveal.revealed.address }}</p>
{% else %}<p id="name">{{ identity.name|mask_text }}</p><p id="phone">{{ identity.phone|mask_phone }}</p>{% endif %}
{% include "vault/reveal_form.html" with reveal=reveal %}
{% endblock %}"""


@permission_required(Perm.VIEW_REPORTS)
@require_http_methods(["GET", "POST"])
def identity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    identity = get_object_or_404(SampleIdentity, pk=pk)
    outcome = handle_reveal(request, identity, ["name", "phone", "address"])
    html = engines["django"].from_string(PAGE).render({"identity": identity, "reveal": outcome}, request)
    return HttpResponse(html, status=outcome.status)
