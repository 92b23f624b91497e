"""Loads the wilayah CSV files shipped in ``regions/data`` into the database.

Idempotent: rows already present with the same name and parent are left alone,
changed rows are updated, new rows are inserted, so a second run writes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from sigap.regions.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
# File, column holding the parent code (None for provinces), in load order so
# that parents always exist before their children.
FILES: list[tuple[str, str | None]] = [
    ("provinces.csv", None),
    ("regencies.csv", "province_code"),
    ("districts.csv", "regency_code"),
    ("villages.csv", "district_code"),
]
BATCH = 5000


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated


def read_rows(data_dir: Path = DATA_DIR) -> list[tuple[str, str, str | None]]:
    rows: list[tuple[str, str, str | None]] = []
    for filename, parent_column in FILES:
        with open(data_dir / filename, newline="", encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                code = record["code"].strip()
                parent = record[parent_column].strip() if parent_column else None
                if parent is not None and Region.parent_code(code) != parent:
                    raise ValueError(f"{filename}: {code} does not sit under {parent}")
                rows.append((code, record["name"].strip(), parent))
    return rows


def load_regions(data_dir: Path = DATA_DIR) -> LoadResult:
    rows = read_rows(data_dir)
    result = LoadResult()
    existing = {code: (name, parent) for code, name, parent in Region.objects.values_list("code", "name", "parent_id")}
    to_create: list[Region] = []
    to_update: list[Region] = []
    for code, name, parent in rows:
        current = existing.get(code)
        if current is None:
            to_create.append(Region(code=code, name=name, level=Region.level_for_code(code), parent_id=parent))
        elif current != (name, parent):
            to_update.append(Region(code=code, name=name, level=Region.level_for_code(code), parent_id=parent))
        else:
            result.unchanged += 1
    with transaction.atomic():
        # Rows are ordered parents-first, so batches never reference a missing parent.
        for start in range(0, len(to_create), BATCH):
            Region.objects.bulk_create(to_create[start : start + BATCH])
        Region.objects.bulk_update(to_update, ["name", "level", "parent"], batch_size=BATCH)
    result.created = len(to_create)
    result.updated = len(to_update)
    return result
