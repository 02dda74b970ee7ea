#!/usr/bin/env python3
"""Fetch Harken's front-end assets from the npm registry into src/harken/static/vendor/.

Run it to upgrade: it downloads each pinned package with `npm pack`, copies only the files
Harken serves, and records name, version and integrity in VERSIONS.json. The vendored files
are committed, so installing and running Harken never touches the network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "src" / "harken" / "static" / "vendor"

#: package@version -> {file inside the package: path under static/vendor/}
#: Pico is Harken's CSS base: maintained (2.1.1, 2025), MIT, about 11 KB compressed, and it
#: styles plain semantic HTML, so every form on every page looks right without classes.
#: harken/harken.css tunes it through its custom properties (density, colours) and adds the
#: shell; replacing it would mean restyling every form for no gain.
ASSETS = {
    "htmx.org@2.0.11": {"package/dist/htmx.min.js": "htmx/htmx.min.js"},
    "@picocss/pico@2.1.1": {"package/css/pico.min.css": "pico/pico.min.css"},
    # The API docs page (/api/v1/docs/): Swagger UI renders the OpenAPI schema with a
    # "try it out" console, from files served here (script-src 'self', no CDN).
    "swagger-ui-dist@5.35.0": {
        "package/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
        "package/swagger-ui.css": "swagger-ui/swagger-ui.css",
        "package/LICENSE": "swagger-ui/LICENSE",
    },
}


def fetch(spec: str, files: dict[str, str], workdir: Path) -> dict[str, str]:
    out = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    with tarfile.open(workdir / info["filename"]) as tar:
        for inner, target in files.items():
            member = tar.extractfile(inner)
            if member is None:
                sys.exit(f"{spec} has no {inner}")
            dest = VENDOR / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            with dest.open("wb") as fh:
                shutil.copyfileobj(member, fh)
    return {"name": info["name"], "version": info["version"], "integrity": info["integrity"]}


def main() -> None:
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec, files in ASSETS.items():
            record = fetch(spec, files, Path(tmp))
            record["files"] = sorted(files.values())
            records.append(record)
            print(f"{record['name']}@{record['version']}: {', '.join(record['files'])}")
    (VENDOR / "VERSIONS.json").write_text(json.dumps(records, indent=2) + "\n")


if __name__ == "__main__":
    main()
