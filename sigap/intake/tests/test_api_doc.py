"""docs/API.md is the integration API's contract; these tests keep it true.

They read the OpenAPI document the app serves and the Markdown, so a new field,
endpoint, parameter or code value fails here until docs/API.md describes it, and
the document's examples are sent through the real API.

How docs/API.md is read: a *section* is a heading and the text up to the next
heading; a schema (``VictimInput``) is documented by the sections whose heading
names it in backticks, or else by the sections whose text does, and each of its
properties must appear there in backticks (`` `ampk_groups` ``). An endpoint is
documented by a heading holding ``METHOD /path`` and everything below it up to
the next heading of the same or a higher level.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from sigap.intake import api as intake_api
from sigap.intake.api import issue_token
from sigap.intake.codes import Sex, ViolenceType
from sigap.intake.models import Report
from sigap.lib.testing import SigapTestCase
from sigap.stats import public

DOCS = Path(settings.BASE_DIR) / "docs"
API_DOC = DOCS / "API.md"
EXAMPLE_HEADING = "Example: filing a report"
REFUSED_HEADING = "Example: a refused report"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Section:
    level: int
    heading: str
    text: str  # the heading line and its body up to the next heading of any level
    block: str  # the heading line and everything up to the next heading of the same or a higher level


def read_sections(markdown: str) -> list[Section]:
    lines = markdown.splitlines()
    headings: list[tuple[int, int, str]] = []  # (line index, level, heading text)
    fenced = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = re.match(r"(#{1,6})\s+(.*)", line)
        if match and not fenced:
            headings.append((index, len(match.group(1)), match.group(2).strip()))
    sections = []
    for position, (index, level, heading) in enumerate(headings):
        following = headings[position + 1 :]
        next_any = following[0][0] if following else len(lines)
        next_same = next((i for i, lvl, _h in following if lvl <= level), len(lines))
        sections.append(Section(level, heading, "\n".join(lines[index:next_any]), "\n".join(lines[index:next_same])))
    return sections


def json_blocks(text: str) -> list[Any]:
    return [json.loads(body) for body in re.findall(r"```json\n(.*?)\n```", text, flags=re.DOTALL)]


def mentions(text: str, name: str) -> bool:
    return f"`{name}`" in text


class ApiDocTestCase(SigapTestCase):
    def setUp(self) -> None:
        intake_api.lookup_limiter.reset()
        intake_api.failure_limiter.reset()
        self.api = Client()
        self.markdown = API_DOC.read_text(encoding="utf-8")
        self.sections = read_sections(self.markdown)
        response = self.api.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        self.schema: dict[str, Any] = response.json()

    def section(self, heading: str) -> Section:
        found = [s for s in self.sections if s.heading == heading]
        self.assertEqual(len(found), 1, f"docs/API.md needs exactly one heading {heading!r}")
        return found[0]

    def operations(self) -> list[tuple[str, str, dict[str, Any]]]:
        return [
            (method.upper(), path, operation)
            for path, item in self.schema["paths"].items()
            for method, operation in item.items()
            if method in HTTP_METHODS
        ]

    def post_report(self, body: Any) -> Any:
        token = issue_token(self.operator)
        return self.api.post("/api/v1/reports", json.dumps(body), content_type="application/json",
                             headers={"Authorization": f"Bearer {token}"})


class SchemaIsDocumentedTests(ApiDocTestCase):
    def test_every_property_of_every_request_and_response_schema_is_documented(self) -> None:
        missing: list[str] = []
        for name, component in self.schema["components"]["schemas"].items():
            properties = component.get("properties") or {}
            if not properties:
                continue
            own = [s.text for s in self.sections if mentions(s.heading, name)]
            named = own or [s.text for s in self.sections if mentions(s.text, name)]
            if not named:
                missing.append(f"schema {name}: no section of docs/API.md names `{name}`")
                continue
            text = "\n".join(named)
            missing += [f"{name}.{prop}: expected `{prop}` in the section naming `{name}`"
                        for prop in properties if not mentions(text, prop)]
        self.assertFalse(missing, "docs/API.md does not document:\n" + "\n".join(missing))

    def test_every_path_parameter_and_status_is_documented_under_its_endpoint(self) -> None:
        missing: list[str] = []
        for method, path, operation in self.operations():
            blocks = [s.block for s in self.sections if f"{method} {path}" in s.heading]
            if not blocks:
                missing.append(f"{method} {path}: no heading of docs/API.md names it")
                continue
            block = "\n".join(blocks)
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if not (mentions(block, name) or f"{{{name}}}" in block):
                    missing.append(f"{method} {path}: parameter `{name}` ({parameter['in']})")
            missing += [f"{method} {path}: status `{status}`"
                        for status in operation.get("responses", {}) if not mentions(block, status)]
        self.assertFalse(missing, "docs/API.md does not document:\n" + "\n".join(missing))

    def test_every_code_value_is_listed_here_or_in_categories(self) -> None:
        listed = self.markdown + (DOCS / "CATEGORIES.md").read_text(encoding="utf-8")
        missing: list[str] = []

        def walk(node: Any, where: str) -> None:
            if isinstance(node, dict):
                missing.extend(f"{where}: `{value}`" for value in node.get("enum", ())
                               if not mentions(listed, str(value)))
                for key, child in node.items():
                    walk(child, node.get("title", where) if key == "enum" else f"{where}.{key}")
            elif isinstance(node, list):
                for child in node:
                    walk(child, where)

        for name, component in self.schema["components"]["schemas"].items():
            walk(component, name)
        self.assertFalse(missing, "code values in neither docs/API.md nor docs/CATEGORIES.md:\n"
                         + "\n".join(missing))

    def test_every_key_of_the_public_statistics_is_documented(self) -> None:
        # Checked from a real answer too: the schema's keys of cells and maps (quarters, sexes, violence
        # types) are the stored snapshot's, which sigap.stats.public writes.
        year = timezone.localdate().year
        public.refresh(year)
        response = self.api.get(f"/api/v1/public/stats?year={year}")
        self.assertEqual(response.status_code, 200, response.content)
        keys: set[str] = {"suppressed"}  # only present on hidden cells

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                keys.update(node)
                for child in node.values():
                    walk(child)
            elif isinstance(node, list):
                for child in node:
                    walk(child)

        walk(response.json())
        block = self.section("GET /api/v1/public/stats").block
        codes = set(ViolenceType.values) | set(Sex.values)
        missing = sorted(k for k in keys if not mentions(block, k) and not (k in codes and mentions(self.markdown, k)))
        self.assertFalse(missing, f"keys of the public statistics not in its section of docs/API.md: {missing}")

    def test_links_to_other_documents_reach_a_heading(self) -> None:
        broken: list[str] = []
        for target, anchor in re.findall(r"\]\(([A-Z_]+\.md)#([^)]+)\)", self.markdown):
            anchors = {self.github_anchor(s.heading) for s in read_sections((DOCS / target).read_text("utf-8"))}
            if anchor not in anchors:
                broken.append(f"{target}#{anchor}")
        self.assertFalse(broken, f"links in docs/API.md to no heading: {broken}")

    @staticmethod
    def github_anchor(heading: str) -> str:
        return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


class ExamplesAreTrueTests(ApiDocTestCase):
    def example(self) -> tuple[dict[str, Any], dict[str, Any]]:
        blocks = json_blocks(self.section(EXAMPLE_HEADING).text)
        self.assertEqual(len(blocks), 2, f"{EXAMPLE_HEADING!r}: a ```json request, then its ```json answer")
        return blocks[0], blocks[1]

    def test_the_example_report_is_filed_and_answered_as_documented(self) -> None:
        body, documented = self.example()
        response = self.post_report(body)
        self.assertEqual(response.status_code, 201, response.content)
        answer = response.json()
        self.assertEqual(set(answer), set(documented))
        for field in ("risk", "case_type", "victim_case_types"):
            self.assertEqual(answer[field], documented[field], f"the documented answer's {field}")
        patterns = {"registration_number": r"\d{4}-\d{4}-\d{6}", "tracking_code": r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}",
                    "pin": r"\d{6}"}
        for field, pattern in patterns.items():
            self.assertRegex(answer[field], f"^{pattern}$")
            self.assertRegex(documented[field], f"^{pattern}$")
        report = Report.objects.get()
        self.assertEqual((report.victims.count(), report.events.count()), (2, 3))

    def test_the_refused_example_is_answered_as_documented_and_stores_nothing(self) -> None:
        body, _answer = self.example()
        body["victims"][1]["birth_date"] = "2999-01-01"
        body["chronology"][0]["description"] = "   "
        (documented,) = json_blocks(self.section(REFUSED_HEADING).text)
        response = self.post_report(body)
        self.assertEqual((response.status_code, response.json()), (422, documented))
        self.assertFalse(Report.objects.exists())
