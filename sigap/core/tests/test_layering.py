"""``core`` is the shared base: it imports no business app (accounts is the identity base it builds on)."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1]
ALLOWED = ("sigap.core", "sigap.lib", "sigap.accounts")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_core_imports_no_business_app() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for module in imported_modules(path):
            if module.startswith("sigap.") and not module.startswith(ALLOWED):
                offenders.append(f"{path.relative_to(CORE)}: {module}")
    assert offenders == []
