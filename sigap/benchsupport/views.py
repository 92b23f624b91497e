"""Reference endpoints for `make bench` (never installed outside benchmarks).

The ceiling view does the least a write endpoint can do on the same server and
database: parse a small JSON body, insert one plain row, answer 201. Intake's
throughput is reported as a ratio to it.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sigap.benchsupport.models import CeilingRow


@csrf_exempt
@require_POST
def ceiling(request: HttpRequest) -> JsonResponse:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": {"message": "bad json", "fields": {}}}, status=400)
    with transaction.atomic():
        row = CeilingRow.objects.create(payload=str(body.get("payload", ""))[:200])
    return JsonResponse({"id": row.pk}, status=201)
