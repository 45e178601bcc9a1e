"""The language check with py3langid's tables memory-mapped vs loaded into the process (issue 13).

usage: python bench/experiment_langid.py [--out FILE]

Agreement: every text of our corpus, the eval articles, GVFC headlines (when ../shared is there),
the short and non-English inputs of the tests, through ``language_of`` and ``detect_language`` with
each backend: statuses and probabilities must be identical. Memory: a fresh process per backend
reports its RSS and PSS (shared pages split between the processes mapping them) before the first
detection, after one, and after all texts. CPU seconds per detection for both.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared"
SHORT = [
    "Ceasefire holds",
    "Florida school failed Parkland shooter, report says",
    "Trump woos NRA gun lobby in Dallas",
    "Kyiv, Kharkiv, Odesa: overnight drone strikes, power cuts",
    "Правительство объявило о новых мерах поддержки. Министр выступил в парламенте.",
    "Le gouvernement a annoncé mardi une nouvelle aide militaire pour le pays.",
    "El gobierno anunció nuevas sanciones contra Rusia el martes por la tarde.",
    "Die Regierung sagte am Montag, dass sie die Gespräche weiter unterstützen werde.",
    "Il governo ha annunciato nuove sanzioni contro la Russia martedì pomeriggio.",
    "Рада ухвалила закон про мобілізацію після тривалих дебатів у парламенті.",
    "Missiles, drones, sirens: a night in Kyiv",
    "Sanctions; oil price cap; tanker seizures",
]


def texts() -> dict[str, list[str]]:
    """Inputs by source; sources that are absent are left out."""
    out: dict[str, list[str]] = {"short": SHORT}
    corpus = []
    for path in sorted((REPO / "fixtures" / "corpus").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                corpus.append(f"{row.get('title', '')}\n{row.get('text', '')}")
    out["corpus"] = corpus
    eval_file = SHARED / "eval" / "articles.jsonl"
    if eval_file.is_file():
        rows = [json.loads(x) for x in eval_file.read_text(encoding="utf-8").splitlines() if x.strip()]
        out["eval"] = [f"{r['title']}\n{r['text']}" for r in rows]
    gvfc = SHARED / "datasets" / "gvfc_multimodal" / "GVFC_extension_multimodal.csv"
    if gvfc.is_file():
        with open(gvfc, encoding="utf-8", newline="") as fh:
            out["gvfc"] = [r["headline"] for r in csv.DictReader(fh) if r["headline"].strip()]
    return out


def memory_kib() -> dict[str, int]:
    """RSS and PSS of this process (KiB), from /proc."""
    rollup = Path("/proc/self/smaps_rollup").read_text().splitlines()
    fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if line.split()[-1] == "kB"}
    return {"rss": fields["Rss"], "pss": fields["Pss"]}


def child(mode: str, cache: str) -> None:
    """One backend in this fresh process: memory, CPU, statuses and probabilities as JSON."""
    import time

    import classifiers.text as T

    if mode == "memory":
        T._identifier = T.cache(T._in_memory_identifier)
    else:
        T.use_language_cache(cache)
        T._identifier()  # unpack once (not timed in the per-text figures)
        T._identifier.cache_clear()
    import numpy  # noqa: F401 - loaded before the baseline in both modes

    data = texts()
    before = memory_kib()
    T.detect_language("Sanctions; oil price cap; tanker seizures")
    after_one = memory_kib()
    statuses, probs, cpu, n = {}, {}, 0.0, 0
    for name, items in data.items():
        start = time.process_time()
        probs[name] = [T.detect_language(t) for t in items]
        cpu += time.process_time() - start
        n += len(items)
        statuses[name] = [T.language_of(t) for t in items]
    after_all = memory_kib()
    json.dump(
        {
            "memory": {"before": before, "after_one": after_one, "after_all": after_all},
            "cpu_ms_per_detection": 1000 * cpu / n,
            "statuses": statuses,
            "probs": probs,
        },
        sys.stdout,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", choices=["memory", "mapped"])
    ap.add_argument("--cache")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.cache)
        return
    with tempfile.TemporaryDirectory() as cache:
        results = {}
        for mode in ("memory", "mapped", "mapped"):  # the second mapped run finds the file unpacked
            proc = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--cache", cache],
                check=True,
                capture_output=True,
                text=True,
            )
            results[mode] = json.loads(proc.stdout)
    mem, mapped = results["memory"], results["mapped"]
    report = {"sizes": {k: len(v) for k, v in mem["statuses"].items()}}
    for name in mem["statuses"]:
        a, b = mem["statuses"][name], mapped["statuses"][name]
        report[f"{name}_status_agreement"] = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
        report[f"{name}_english"] = sum(x == "en" for x in b) / len(b)
        report[f"{name}_probs_identical"] = mem["probs"][name] == mapped["probs"][name]
    for mode, res in (("memory", mem), ("mapped", mapped)):
        m = res["memory"]
        report[mode] = {
            "rss_delta_first_mib": round((m["after_one"]["rss"] - m["before"]["rss"]) / 1024, 1),
            "rss_delta_all_mib": round((m["after_all"]["rss"] - m["before"]["rss"]) / 1024, 1),
            "pss_delta_all_mib": round((m["after_all"]["pss"] - m["before"]["pss"]) / 1024, 1),
            "cpu_ms_per_detection": round(res["cpu_ms_per_detection"], 3),
        }
    report["short_statuses"] = dict(zip(SHORT, mapped["statuses"]["short"], strict=True))
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
