"""The "Typical customer" and "Reports" pages' server times over 90 days, and the PDF's.

    .venv/bin/python bench/voice.py [--mentions 100000] [--requests 10] [--contacts 5000]

Loads the same generated workspace as ``bench/analytics.py`` (its loader, fixed seed),
adds ``--contacts`` contacts with an age band and a region linked to as many of the heard
authors, then times each page through Django's test client (median, p95) and one PDF.
SQLite in a temporary folder by default, or ``DATABASE_URL``. Generated data, not real.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
REGIONS = ["North", "South", "East", "West"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--contacts", type=int, default=5_000)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-voice-"))
    os.environ.setdefault("HARKEN_DATA_DIR", str(data))
    os.environ["HARKEN_ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("HARKEN_DEBUG", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "harken.settings"
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    import analytics as base  # bench/analytics.py: the same generated workspace
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"bench/voice.py: {args.mentions:,} mentions, {args.contacts:,} contacts")
    print(f"  database: {connection.vendor} ({connection.settings_dict['NAME']})")
    workspace, owner = base._load(args.mentions)
    _contacts(workspace, args.contacts)
    print(f"  {'page (90 days)':<22} {'median':>8} {'p95':>8} {'CPU':>8} {'queries':>8}")
    base._time("typical customer", "/analytics/typical-customer/?range=90", owner, args.requests)
    base._time("reports (a month)", "/analytics/report/", owner, args.requests)
    _pdf(workspace)


def _contacts(workspace: Any, count: int) -> None:
    from harken.contacts.models import Contact, Identity
    from harken.listening.models import Author

    rng = random.Random(13)
    authors = list(Author.objects.filter(workspace=workspace).order_by("pk")[:count])
    contacts = Contact.objects.bulk_create(
        Contact(
            workspace=workspace,
            name=f"Contact {n}",
            status=rng.choice(["customer", "customer", "prospect", "non_customer"]),
            segments={"age band": rng.choice(BANDS), "region": rng.choice(REGIONS)},
        )
        for n in range(len(authors))
    )
    Identity.objects.bulk_create(
        Identity(workspace=workspace, contact=c, network=a.network, handle=a.handle, author=a)
        for c, a in zip(contacts, authors, strict=True)
    )


def _pdf(workspace: Any) -> None:
    from harken.analytics.periods import today_in
    from harken.analytics.reports.build import build
    from harken.analytics.reports.periods import last_complete
    from harken.analytics.reports.render import pdf

    period = last_complete("monthly", today_in(workspace))
    started = time.perf_counter()
    data = pdf(build(workspace, period, "monthly"))
    print(f"  report PDF: {len(data) / 1024:.0f} KiB in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
