"""Other language identifiers from PyPI wheels against today's statuses (issue 13).

usage: PYTHONPATH=DIR python bench/experiment_langid_candidates.py   (DIR: pip install --target DIR
       pycld2==0.42 lingua-language-detector==2.1.1 langdetect==1.0.9; a missing one is skipped)

Each candidate replaces only the detector behind ``language_of`` (same stop-word fast path, same rule:
another language with probability >= MIN_CONFIDENCE); in a fresh process per candidate: RSS grown by
loading it and detecting one text, CPU ms per detection, and the share of texts (sources as in
experiment_langid.py) whose status matches today's (English, or the same language).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiment_langid import memory_kib, texts  # noqa: E402

CANDIDATES = ("py3langid-mapped", "pycld2", "lingua-low", "langdetect")


def detector(name: str):  # noqa: ANN201 - a function text -> (code, probability)
    """Load one candidate; returns its detect function."""
    if name == "py3langid-mapped":
        from classifiers.text import detect_language

        return detect_language
    if name == "pycld2":
        import pycld2

        def cld2(text: str) -> tuple[str, float]:
            _, _, details = pycld2.detect(text[:300])
            return details[0][1].split("-")[0], details[0][2] / 100

        return cld2
    if name == "lingua-low":
        from lingua import LanguageDetectorBuilder

        det = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()

        def lingua(text: str) -> tuple[str, float]:
            values = det.compute_language_confidence_values(text[:300])
            if not values:
                return "un", 0.0
            return values[0].language.iso_code_639_1.name.lower(), values[0].value

        return lingua
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def langdetect(text: str) -> tuple[str, float]:
        try:
            best = detect_langs(text[:300])[0]
        except LangDetectException:
            return "un", 0.0
        return best.lang.split("-")[0], best.prob

    return langdetect


def child(name: str) -> None:
    """Memory, CPU and statuses of one candidate, as JSON on stdout."""
    import classifiers.text as T

    data = texts()
    before = memory_kib()["rss"]
    detect = detector(name)
    detect("Sanctions; oil price cap; tanker seizures")
    grown = (memory_kib()["rss"] - before) / 1024
    T.detect_language = detect  # language_of looks it up at call time
    every = [t for items in data.values() for t in items]
    start = time.process_time()
    for t in every:
        detect(t)
    cpu_ms = 1000 * (time.process_time() - start) / len(every)
    statuses = {source: [T.language_of(t) for t in items] for source, items in data.items()}
    json.dump(
        {"rss_grown_mib": round(grown, 1), "cpu_ms": round(cpu_ms, 3), "statuses": statuses}, sys.stdout
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    runs = {}
    for name in CANDIDATES:
        proc = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True)
        if proc.returncode:
            print(name, "skipped:", proc.stderr.strip().splitlines()[-1])
            continue
        runs[name] = json.loads(proc.stdout)
    today = runs["py3langid-mapped"]["statuses"]
    for name, run in runs.items():
        row = {"rss_grown_mib": run["rss_grown_mib"], "cpu_ms_per_detection": run["cpu_ms"]}
        for source, ref in today.items():
            got = run["statuses"][source]
            row[f"{source}_agree"] = round(sum(a == b for a, b in zip(ref, got, strict=True)) / len(ref), 4)
            row[f"{source}_english"] = round(sum(x == "en" for x in got) / len(got), 4)
        row["short"] = run["statuses"]["short"]
        print(name, json.dumps(row))


if __name__ == "__main__":
    main()
