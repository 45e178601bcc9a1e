"""Copy the dashboard's browser libraries from node_modules/ to service/static/vendor/ (``make vendor``).

The page must work offline and under a strict Content-Security-Policy (no CDN, no ``eval``), so the
built files are committed and served by the app. ``vega-interpreter`` (Vega's CSP-safe expression
evaluator) ships only as an ES module importing ``vega-util``; it is rewritten here into a classic
script that takes those three functions from the ``vega`` global (the UMD build exports them) and
sets ``window.vegaInterpreter``, so the page needs no import map (an inline script) and no bundler.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "service" / "static" / "vendor"
FILES = {
    "vega": "build/vega.min.js",
    "vega-lite": "build/vega-lite.min.js",
    "vega-embed": "build/vega-embed.min.js",
}
_IMPORT = re.compile(r"^import \{([^}]*)\} from 'vega-util';$", re.MULTILINE)
_EXPORT = "export { expression as expressionInterpreter };"
#: Source maps are not vendored; the comment would make browser dev tools request a missing file.
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


def classic_interpreter(source: str) -> str:
    """vega-interpreter's ES module as a classic script over the ``vega`` global."""
    names = _IMPORT.search(source)
    if names is None or _EXPORT not in source:
        raise SystemExit("vega-interpreter's module shape changed; update tools/vendor_js.py")
    body = _IMPORT.sub("", source).replace(_EXPORT, "")
    header = f"(function () {{\n'use strict';\nconst {{{names.group(1)}}} = window.vega;\n"
    footer = "window.vegaInterpreter = { expressionInterpreter: expression };\n})();\n"
    return header + body + footer


def main() -> int:
    if not MODULES.is_dir():
        print("node_modules/ is missing: run `npm ci` first (make vendor does).", file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    versions = {}
    for package, path in {**FILES, "vega-interpreter": "build/vega-interpreter.js"}.items():
        folder = MODULES / package
        versions[package] = json.loads((folder / "package.json").read_text())["version"]
        shutil.copy(folder / "LICENSE", VENDOR / f"{package}.LICENSE")
        text = (folder / path).read_text(encoding="utf-8")
        if package == "vega-interpreter":
            text = classic_interpreter(text)
        (VENDOR / Path(path).name).write_text(_SOURCE_MAP.sub("", text), encoding="utf-8")
    (VENDOR / "versions.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    print(f"vendored {', '.join(f'{k} {v}' for k, v in sorted(versions.items()))} into {VENDOR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
