"""Fill the local cache of front-end assets that the teaching page needs, from the npm registry.

Solara fetches its JavaScript from a public CDN, which machines without general
internet access cannot reach; the npm registry is reachable. This packs each
package the page asks for with ``npm pack`` and unpacks it as
``CACHE/<spec>/...``, the layout Solara's asset proxy reads when started with
``SOLARA_ASSETS_PROXY_CACHE_DIR=CACHE`` (``lhe viz`` does this). Packages
already in the cache are skipped, so running it again costs nothing.

    python tools/fetch_viz_assets.py [CACHE]     # default: .venv/solara-assets
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# what Solara 1.64 asks for with ipyvuetify < 3 (Vue 2), and the Vega packages for Altair charts
SPECS = [
    "@widgetti/solara-vuetify-app@10.1.1",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
]
DEFAULT_CACHE = Path(__file__).resolve().parent.parent / ".venv" / "solara-assets"


def fetch(spec: str, cache: Path) -> bool:
    """Pack and unpack one package into ``cache/spec``; False when it was already there."""
    target = cache / spec
    if target.is_dir() and any(target.iterdir()):
        return False
    if shutil.which("npm") is None:
        raise SystemExit("fetch_viz_assets: npm is needed to fetch the page's assets (apt-get install npm)")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", tmp],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise SystemExit(f"fetch_viz_assets: npm pack {spec} failed:\n{out.stderr.strip()}")
        tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp, filter="data")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(Path(tmp) / "package"), target)
    return True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cache = Path(args[0]) if args else DEFAULT_CACHE
    cache.mkdir(parents=True, exist_ok=True)
    for spec in SPECS:
        print(f"{'fetched' if fetch(spec, cache) else 'cached '} {spec}")
    print(f"assets in {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
