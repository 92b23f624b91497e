"""Time to make the pamphlets of every desa of the deployment region.

Runs on a scratch SQLite database with the regions loaded, no server needed:

    .venv/bin/python bench/pamphlet_bench.py [--repeat 3]

Prints the time for each part (combined A4 PDF, combined A5 PDF, per-desa A4 and
A5 PDFs, PNGs) and for the whole batch as the worker makes it
(``sigap.outreach.pamphlets.render_batch``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="sigap-pamphlet-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings_test")
    os.environ["SIGAP_DATA_DIR"] = scratch
    os.environ.pop("DATABASE_URL", None)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sigap.lib.testing import load_test_regions

    load_test_regions((os.environ.get("SIGAP_REGION", "18.11"),))

    from sigap.outreach import pamphlets

    contents = pamphlets.contents_for_region("pamflet-bench")
    print(f"villages: {len(contents)}")

    def timed(label: str, work: object) -> None:
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            work()  # type: ignore[operator]
            runs.append(time.perf_counter() - started)
        print(f"{label:<38} median {statistics.median(runs):7.2f} s   (runs: {', '.join(f'{r:.2f}' for r in runs)})")

    timed("combined PDF A4 (1 file, all pages)", lambda: pamphlets.render_pdf(contents, "a4"))
    timed("combined PDF A5 (1 file, all pages)", lambda: pamphlets.render_pdf(contents, "a5"))
    timed("per-desa PDF A4 (one file each)", lambda: [pamphlets.render_pdf([c], "a4") for c in contents])
    timed("per-desa PDF A5 (one file each)", lambda: [pamphlets.render_pdf([c], "a5") for c in contents])
    timed("per-desa PNG 1080x1350", lambda: [pamphlets.render_png(c) for c in contents])
    timed("whole batch (render_batch, ZIP)", lambda: pamphlets.render_batch(contents))


if __name__ == "__main__":
    main()
