"""Test helpers for code that seals values: key rings with chosen versions."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from sigap.vault.keyring import KeyRing, keyring, reset_keyring


@contextmanager
def key_versions(add: tuple[int, ...] = (), drop: tuple[int, ...] = ()) -> Iterator[KeyRing]:
    """Run with the current master keys plus fresh versions ``add`` and without ``drop``.

    Versions added inside one ``with`` block are lost when it ends, so nest
    blocks to model "the key was there, then it was gone".
    """
    masters = dict(keyring().masters)
    for version in add:
        masters[version] = secrets.token_bytes(32)
    for version in drop:
        masters.pop(version, None)
    text = ",".join(f"{v}:{base64.b64encode(k).decode()}" for v, k in sorted(masters.items()))
    with mock.patch.dict(os.environ, {"SIGAP_MASTER_KEY": text}):
        reset_keyring()
        try:
            yield keyring()
        finally:
            reset_keyring()
    reset_keyring()


@contextmanager
def exact_keys(masters: dict[int, bytes]) -> Iterator[KeyRing]:
    """Run with exactly these master keys (e.g. the ones captured by an outer block)."""
    text = ",".join(f"{v}:{base64.b64encode(k).decode()}" for v, k in sorted(masters.items()))
    with mock.patch.dict(os.environ, {"SIGAP_MASTER_KEY": text}):
        reset_keyring()
        try:
            yield keyring()
        finally:
            reset_keyring()
    reset_keyring()
