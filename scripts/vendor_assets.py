"""Copy the front-end libraries installed by npm into static/vendor, with their licences."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

FILES = {
    "leaflet": ["dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE"],
    "leaflet.markercluster": [
        "dist/leaflet.markercluster.js",
        "dist/MarkerCluster.css",
        "dist/MarkerCluster.Default.css",
        "MIT-LICENCE.txt",
    ],
    # Vector tiles in Leaflet; the bundle includes pbf and vector-tile (BSD). Its licence
    # (Beerware) is at the end of its README.
    "leaflet.vectorgrid": ["dist/Leaflet.VectorGrid.bundled.min.js", "README.md"],
    "axe-core": ["axe.min.js", "LICENSE"],
    "swagger-ui-dist": ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"],
}


def main() -> None:
    """Copy each listed file or folder; fail loudly when one is missing."""
    for package, items in FILES.items():
        target = VENDOR / package
        target.mkdir(parents=True, exist_ok=True)
        for item in items:
            source = MODULES / package / item
            if not source.exists():
                raise SystemExit(f"missing {source}: run npm ci")
            destination = target / Path(item).name
            if source.is_dir():
                shutil.copytree(source, destination, dirs_exist_ok=True)
            else:
                shutil.copy2(source, destination)
    print(f"front-end libraries copied to {VENDOR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
