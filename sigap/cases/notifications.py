"""The cases app's door to the notifier seam (``sigap.core.notify``).

Texts carry case numbers and kinds of event, never personal data. The seam
stores the notice for the in-app notification centre when the transaction
commits; WhatsApp and e-mail channels plug in behind it later.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def notify(users: Iterable[Any], kind: str, text: str, link: str = "") -> None:
    from sigap.core.notify import notify as deliver  # the seam, owned by core

    recipients = [u for u in users if u is not None]
    if recipients:
        deliver(recipients, f"cases.{kind}", text, link=link)
