"""WhatsApp webhook rate: signed deliveries per second on a file SQLite database.

Not a test: a measurement against the production server (`manage.py serve`,
gunicorn + the task worker, as `make run` starts it) in a scratch data
directory, through the harness in bench/harness.py. Each delivery is one text
message in the Cloud API's documented shape, signed with X-Hub-Signature-256;
senders come from a pool so most deliveries join an existing conversation, as
on a busy hotline. Every 200 is a committed, durable write (WAL,
synchronous=FULL). A second run re-sends deliveries already stored (Meta's
retries), which must be answered 200 and store nothing.

    .venv/bin/python bench/webhook_bench.py [--deliveries 2000] [--clients 8] [--senders 200]
    DATABASE_URL=postgres://... .venv/bin/python bench/webhook_bench.py   # PostgreSQL instead
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Environment, Measure, run_load, running_server, write_results

APP_SECRET = "bench-app-secret"  # noqa: S105 - a scratch deployment's own secret

COUNT_SNIPPET = """
from sigap.intake.channels.conversations.models import Conversation, Message
print(Message.objects.count(), Conversation.objects.count())
"""


def delivery(n: int, senders: int) -> bytes:
    wa_id = f"62812{n % senders:08d}"
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281271857372", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": f"Pengirim {n % senders}"}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": f"wamid.BENCH{n:09d}", "timestamp": str(int(time.time())),
                          "type": "text", "text": {"body": f"Pesan uji nomor {n}: tolong bantu kami."}}],
        }}]}],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_headers(body: bytes) -> dict[str, str]:
    signature = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--senders", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    # The scratch deployment's WhatsApp channel: on, pointed at nothing real.
    # Office hours always open: no automatic replies leave the machine.
    os.environ.update({
        "SIGAP_WHATSAPP_API_BASE": "http://127.0.0.1:9",
        "SIGAP_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        "SIGAP_WHATSAPP_ACCESS_TOKEN": "bench-token",
        "SIGAP_WHATSAPP_APP_SECRET": APP_SECRET,
        "SIGAP_WHATSAPP_VERIFY_TOKEN": "bench-verify",
        "SIGAP_OFFICE_HOURS": "mon-sun 00:00-24:00",
    })
    env = Environment(Path(tempfile.mkdtemp(prefix="sigap-webhook-bench-")), os.environ.get("DATABASE_URL", ""))
    env.prepare()
    bodies = [delivery(n, args.senders) for n in range(args.deliveries)]

    async def send(client: httpx.AsyncClient, n: int) -> httpx.Response:
        body = bodies[n]
        return await client.post("/webhooks/whatsapp", content=body, headers=signed_headers(body))

    with running_server(env, workers=args.workers, threads=args.threads) as server:
        run_load(server.base_url, send, clients=2, total=20)  # warm-up: imports, first conversations
        fresh = run_load(server.base_url, send, clients=args.clients, total=args.deliveries)
        retried = run_load(server.base_url, send, clients=args.clients, total=args.deliveries)
    messages, conversations = (int(v) for v in env.manage("shell", "-c", COUNT_SNIPPET).stdout.split()[-2:])

    database = "PostgreSQL" if env.database_url else "SQLite (file, WAL, synchronous=FULL)"
    print(f"database: {database}; server: gunicorn {args.workers} workers x {args.threads} threads; "
          f"{args.clients} concurrent clients; {os.cpu_count()} cores")
    for label, result in (("new deliveries", fresh), ("retried deliveries", retried)):
        print(f"{label:20s} {result.rate:7.1f}/s  p50 {result.percentile(50):6.1f} ms  "
              f"p95 {result.percentile(95):6.1f} ms  errors {result.errors} {result.error_samples[:2]}")
    print(f"stored: {messages} messages in {conversations} conversations "
          f"(expected {args.deliveries} messages in {min(args.senders, args.deliveries)} conversations)")
    if messages != args.deliveries:
        raise SystemExit("the number of stored messages is wrong")
    measures = [
        Measure("WhatsApp webhook, new deliveries", f"{fresh.rate:.0f}/s (p95 {fresh.percentile(95):.0f} ms)",
                "well above peak hotline traffic", None, {"rate": fresh.rate}),
        Measure("WhatsApp webhook, retried deliveries", f"{retried.rate:.0f}/s", "stored once", messages ==
                args.deliveries, {"rate": retried.rate}),
    ]
    table, path = write_results(measures, label="webhook", extra={"database": database, "args": vars(args)})
    print(table)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
