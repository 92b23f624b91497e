from __future__ import annotations

from django.test import TestCase

from sigap.lib.testing import load_test_regions
from sigap.regions.loader import load_regions
from sigap.regions.models import Level, Region


class FullLoadTests(TestCase):
    def test_loads_all_of_indonesia_once_and_a_second_run_changes_nothing(self) -> None:
        first = load_regions()
        self.assertEqual(first.created, 38 + 514 + 7285 + 83762)
        counts = {level: Region.objects.filter(level=level).count() for level in Level.values}
        self.assertEqual(counts, {"provinsi": 38, "kabupaten": 514, "kecamatan": 7285, "desa": 83762})
        second = load_regions()
        self.assertEqual((second.created, second.updated, second.unchanged), (0, 0, 91599))

    def test_a_renamed_village_is_updated_in_place(self) -> None:
        load_test_regions()
        Region.objects.filter(code="18.11.01.2001").update(name="Nama Lama")
        result = load_regions()
        self.assertEqual(result.updated, 1)
        self.assertNotEqual(Region.objects.get(code="18.11.01.2001").name, "Nama Lama")


class MesujiTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_test_regions()

    def test_mesuji_has_7_kecamatan_and_105_desa(self) -> None:
        mesuji = Region.objects.get(code="18.11")
        self.assertEqual(mesuji.name, "Kabupaten Mesuji")
        self.assertEqual(Region.objects.in_deployment().kecamatan().count(), 7)
        self.assertEqual(Region.objects.in_deployment().desa().count(), 105)

    def test_api_returns_region_with_children(self) -> None:
        response = self.client.get("/api/v1/regions/18.11")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["code"], "18.11")
        self.assertEqual(body["level"], "kabupaten")
        self.assertEqual(body["parent"], "18")
        self.assertEqual(len(body["children"]), 7)
        self.assertEqual(set(body["children"][0]), {"code", "name"})
        desa_total = sum(
            len(self.client.get(f"/api/v1/regions/{child['code']}").json()["children"]) for child in body["children"]
        )
        self.assertEqual(desa_total, 105)

    def test_api_desa_has_no_children_and_kecamatan_parent(self) -> None:
        body = self.client.get("/api/v1/regions/18.11.01.2001").json()
        self.assertEqual(body["level"], "desa")
        self.assertEqual(body["parent"], "18.11.01")
        self.assertEqual(body["children"], [])

    def test_unknown_code_is_a_json_404(self) -> None:
        for code in ("99.99", "abc", "18.11.99"):
            response = self.client.get(f"/api/v1/regions/{code}")
            self.assertEqual(response.status_code, 404)
            self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
            self.assertIn("message", response.json()["error"])

    def test_openapi_schema_is_served(self) -> None:
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        self.assertIn("/api/v1/regions/{code}", response.json()["paths"])
