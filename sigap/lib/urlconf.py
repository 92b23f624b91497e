"""Every URL pattern of the site, walked from the URL conf: for the access matrix and the fuzz test.

``url_patterns()`` yields one ``Route`` per pattern: its dotted name
("cases:case_detail"), the pattern text ("kasus/<int:pk>/"), its path
parameters with their converters, and a ``build(values)`` that fills them in.
``parameter_names()`` lists the query and form parameter names the code base
reads (``request.GET.get("x")``, ``params.get("x")``, form fields), so a fuzzer
sends names the views actually look at.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

_SOURCE = Path(__file__).resolve().parent.parent
_READS = re.compile(
    r"""(?:GET|POST|params|query|data|body|payload)\s*\.\s*(?:get|getlist|pop)\(\s*["']([A-Za-z_][\w.\-]{0,40})["']"""
    r"""|(?:GET|POST)\[\s*["']([A-Za-z_][\w.\-]{0,40})["']\s*\]"""
)


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    converters: tuple[tuple[str, str], ...]  # (parameter, converter class name) in order
    module: str = ""  # where the view is defined

    def build(self, values: dict[str, str]) -> str:
        """The path with each ``<conv:name>`` replaced by its value, percent-encoded (bytes of UTF-8,
        lone surrogates kept as such)."""

        def fill(match: re.Match[str]) -> str:
            raw = values[match.group(2)]
            return quote(raw.encode("utf-8", "surrogatepass"), safe="")

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, self.pattern)


def _walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str,
          converters: tuple[tuple[str, str], ...]) -> Iterator[Route]:
    for entry in patterns:
        pattern = entry.pattern
        text = str(pattern)
        if not isinstance(pattern, RoutePattern):
            raise TypeError(f"regular-expression URL patterns are not supported by the matrix: {text!r}")
        own = tuple((name, type(conv).__name__) for name, conv in pattern.converters.items())
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry.url_patterns, prefix + text, inner, converters + own)
        else:
            view = inspect.unwrap(entry.callback)
            yield Route(name=namespace + (entry.name or f"<unnamed {prefix + text}>"), pattern=prefix + text,
                        converters=converters + own, module=getattr(view, "__module__", "") or "")


def url_patterns() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", "", ()))


def _names_in(text: str) -> set[str]:
    return {match.group(1) or match.group(2) for match in _READS.finditer(text)}


def module_parameter_names(module: str) -> list[str]:
    """The parameter names read in the view's package (its views, queries, forms...) and its forms' fields."""
    source = sys.modules.get(module)
    if source is None or not getattr(source, "__file__", None) or not module.startswith("sigap"):
        return []
    folder = Path(source.__file__).resolve().parent  # type: ignore[arg-type]
    if folder.name == "views":
        folder = folder.parent
    names: set[str] = set()
    for path in folder.glob("*.py"):
        names |= _names_in(path.read_text(encoding="utf-8"))
    for path in folder.glob("views/*.py"):
        names |= _names_in(path.read_text(encoding="utf-8"))
    from django import forms

    for name, attr in list(sys.modules.items()):
        if not name.startswith(module.rsplit(".", 1)[0]) or attr is None:
            continue
        for value in list(vars(attr).values()):
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                names.update(getattr(value, "base_fields", {}))
    return sorted(names)


def parameter_names() -> list[str]:
    """Query/form parameter names read anywhere in ``sigap/``, plus every declared form field."""
    from django import forms

    names: set[str] = set()
    for path in _SOURCE.rglob("*.py"):
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        names |= _names_in(path.read_text(encoding="utf-8"))

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for form in subclasses(forms.BaseForm):
        if form.__module__.startswith("sigap") and ".tests" not in form.__module__:
            names.update(getattr(form, "base_fields", {}))
    return sorted(names)
