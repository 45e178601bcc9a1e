"""Experiment: stance settings by grouped CV on our corpus and the eval TUNE half (issue 9).

usage: python bench/experiment_stance.py CONFIG_NAME ...   (see CONFIGS)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.build import train  # noqa: E402
from classifiers.codebook import load_codebook  # noqa: E402
from classifiers.corpus import CORPUS_DIR, load_corpus  # noqa: E402
from classifiers.dev_eval import dev_report  # noqa: E402

NOT_TRAINED = ROOT / "fixtures" / "corpus" / "not-trained"
CONFIGS = {
    "default": ({}, False),
    "balanced": ({"stance_class_weight": "balanced"}, False),
    "discount0": ({"attribution_discount": 0.0}, False),
    "extra": ({}, True),
    "extra-balanced": ({"stance_class_weight": "balanced"}, True),
}


def corpus_for(extra: bool, codebook):
    if not extra:
        return load_corpus(codebook)
    tmp = Path(tempfile.mkdtemp())
    for p in list(CORPUS_DIR.glob("*.jsonl")) + [p for p in NOT_TRAINED.glob("ru-ua-*.jsonl")]:
        shutil.copy(p, tmp / p.name)
    return load_corpus(codebook, tmp)


def main(names):
    warnings.simplefilter("ignore")
    codebook = load_codebook()
    for name in names:
        params, extra = CONFIGS[name]
        model = train(codebook, corpus_for(extra, codebook), params)
        m = model.manifest["metrics"]
        rep = dev_report(model, dictionary=False)
        t, o = rep["tune"]["model"], rep["tune-other"]["model"]
        print(
            f"{name:16s} CV frame {m['article_frame_macro_f1']:.3f} "
            f"stance {m['article_stance_macro_f1']:.3f} "
            f"dom {m['dominant_accuracy']:.3f} | tune frame {t['frame_macro_f1']:.3f} stance "
            f"{t['stance_macro_f1']:.3f} ({', '.join(f'{v:.2f}' for v in t['stance'].values())}) "
            f"dom {t['dominant_accuracy']:.3f} | tune-other frame {o['frame_macro_f1']:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:] or list(CONFIGS))
