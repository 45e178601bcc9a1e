"""Experiment (issue 9, round 4): corpus files, article-head evidence, dominant rules, paired bootstrap.

usage: python bench/experiment_round4.py corpus [--with FILE ...] [--test]
       python bench/experiment_round4.py head [--with FILE ...]
       python bench/experiment_round4.py bootstrap CANDIDATE.joblib [--test]

``corpus`` trains the full pipeline on ``fixtures/corpus/articles`` plus the named files of
``fixtures/corpus/not-trained`` (grouped CV metrics, then the tune half; ``--test`` adds the test
half: final candidate only). ``head`` runs the grouped cross-validation once, then compares
article-head evidence variants by nested grouped CV on the corpus and on the tune half: dictionary
evidence (log sentences with >= 1 and >= 2 indicator matches, lede match), a stacked
document-level bag-of-words frame model (out-of-fold), and dominant-frame rules. ``bootstrap``
compares a saved candidate with the served model article by article (1,000 paired resamples).

Results (2026-12-07, in docs/model-card.md "Round 4"): ``not-trained/transfer2.jsonl`` (40
articles) CV frame 0.821 -> 0.824, stance 0.933 -> 0.939, dominant 0.805 -> 0.807; tune frame
0.689 -> 0.690, stance 0.516 -> 0.553, dominant 0.743 -> 0.752, all inside the bootstrap noise;
test dominant 0.651 -> 0.593 (paired -0.058, 95 % -0.105 to -0.012): not adopted. Dictionary
evidence: CV and tune disagree; document model and dominant rules: within noise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.article import flatten, prepare_article  # noqa: E402
from classifiers.article_head import ArticleFrameHead, article_evidence, corpus_evidence  # noqa: E402
from classifiers.build import train  # noqa: E402
from classifiers.cache import load_or_train  # noqa: E402
from classifiers.codebook import load_codebook  # noqa: E402
from classifiers.corpus import CORPUS_DIR, load_corpus  # noqa: E402
from classifiers.cv import cross_validate  # noqa: E402
from classifiers.dev_eval import dev_report, format_report, model_predictions  # noqa: E402
from classifiers.eval_split import load_split, subsets  # noqa: E402
from classifiers.params import resolve_params  # noqa: E402
from classifiers.scoring import EVAL_DIR, read_jsonl, score  # noqa: E402

NOT_TRAINED = CORPUS_DIR.parent / "not-trained"
SERVED = ROOT / "instance" / "models"


def corpus_with(names: Sequence[str]) -> Path:
    """A temporary corpus directory: the training files plus the named not-trained files."""
    tmp = Path(tempfile.mkdtemp(prefix="corpus-"))
    for f in [*sorted(CORPUS_DIR.glob("*.jsonl")), *(NOT_TRAINED / n for n in names)]:
        (tmp / f.name).symlink_to(f)
    return tmp


def run_corpus(names: Sequence[str], include_test: bool) -> None:
    codebook = load_codebook()
    corpus = load_corpus(codebook, corpus_with(names))
    model = train(codebook, corpus)
    s = model.manifest["metrics_summary"]
    print(f"{model.version} ({len(corpus.articles)} articles): {s}")
    print(format_report(dev_report(model, include_test=include_test)))


def _tune_half():
    arts = read_jsonl(EVAL_DIR / "articles.jsonl")
    subs = subsets(load_split(), arts)
    return [a for a in arts if a["id"] in subs["tune"]], read_jsonl(EVAL_DIR / "labels.jsonl"), subs


def _dictionary_evidence(fz, n_frames, texts, bounds, lede) -> np.ndarray:
    hits = fz.lexicon_counts(fz.transform_counts(texts))[:, :n_frames]
    out = np.zeros((len(bounds) - 1, n_frames, 3))
    for i in range(len(bounds) - 1):
        h, led = hits[bounds[i] : bounds[i + 1]], lede[bounds[i] : bounds[i + 1]]
        if len(h):
            out[i, :, 0] = np.log1p((h >= 1).sum(0))
            out[i, :, 1] = np.log1p((h >= 2).sum(0))
            out[i, :, 2] = (h[led].max(0) >= 1) if led.any() else 0
    return out


def _documents(fz, texts, bounds) -> sp.csr_matrix:
    """Article rows: the sentences' n-gram counts summed, then the model's TF-IDF."""
    rows = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    agg = sp.csr_matrix((np.ones(len(texts)), (rows, np.arange(len(texts)))), (len(bounds) - 1, len(texts)))
    return fz.features_from_counts((agg @ fz.transform_counts(texts)).tocsr())


def _doc_model() -> LogisticRegression:
    return LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000)


def run_head(names: Sequence[str]) -> None:
    """Nested grouped CV and tune-half frame macro-F1 for article-head evidence variants."""
    codebook = load_codebook()
    keys, k = codebook.frame_keys, len(codebook.frame_keys)
    corpus = load_corpus(codebook, corpus_with(names))
    params = resolve_params(None)
    model = train(codebook, corpus, params)
    cv = cross_validate(corpus, codebook, params)
    table, fz = cv["table"], model.sentence_model_.featurizer
    bounds = np.searchsorted(table.article, np.arange(len(corpus.articles) + 1))
    gold = np.asarray([[f in a.frames for f in keys] for a in corpus.articles], dtype=int)
    events = np.asarray([a.event for a in corpus.articles])
    folds = list(GroupKFold(n_splits=5).split(gold, groups=events))
    tune, labels, subs = _tune_half()
    prepared = [prepare_article(a.get("title", ""), a.get("text", "")) for a in tune]
    texts, tb = flatten(prepared)
    proba = model.sentence_model_.scores(texts, model.attribution_discount).frame
    lede = np.concatenate([p.lede for p in prepared])
    title = np.concatenate([[f == "title" for _, _, f in p.spans] for p in prepared]).astype(bool)
    base = model.classify_many([(a.get("title", ""), a.get("text", ""), None) for a in tune])
    X = {"corpus": corpus_evidence(table, len(corpus.articles), cv["frame"])}
    X["tune"] = article_evidence(proba, tb, lede, title)
    dic = {
        "corpus": _dictionary_evidence(fz, k, table.texts, bounds, table.lede),
        "tune": _dictionary_evidence(fz, k, texts, tb, lede),
    }
    docs_c, docs_t = _documents(fz, table.texts, bounds), _documents(fz, texts, tb)
    doc = {"corpus": np.zeros(gold.shape), "tune": np.zeros((len(tune), k))}
    for j in range(k):
        for tr, te in folds:
            lr = _doc_model().fit(docs_c[tr], gold[tr, j])
            doc["corpus"][te, j] = lr.predict_proba(docs_c[te])[:, 1]
        lr = _doc_model().fit(docs_c, gold[:, j])
        doc["tune"][:, j] = lr.predict_proba(docs_t)[:, 1]
    variants = {
        "served evidence": lambda s: X[s],
        "+ dictionary": lambda s: np.concatenate([X[s], dic[s]], axis=2),
        "+ document model": lambda s: np.concatenate([X[s], doc[s][:, :, None]], axis=2),
    }
    for name, make in variants.items():
        Xc, Xt = make("corpus"), make("tune")
        oof = np.zeros(gold.shape)
        for tr, te in folds:
            oof[te] = ArticleFrameHead(C=1.0).fit(Xc[tr], gold[tr]).predict_proba(Xc[te])
        y, p = gold.astype(bool), oof >= 0.5
        tp, fp, fn = (y & p).sum(0), (~y & p).sum(0), (y & ~p).sum(0)
        cv_f1 = float(np.mean(2 * tp / np.maximum(2 * tp + fp + fn, 1)))
        present = ArticleFrameHead(C=1.0).fit(Xc, gold).predict_proba(Xt) >= 0.5
        preds = []
        for i, (a, r) in enumerate(zip(tune, base, strict=True)):
            mass = np.where(present[i], proba[tb[i] : tb[i + 1]].sum(0), -1.0)
            dom = keys[int(np.argmax(mass))] if present[i].any() else None
            chosen = [f for f, q in zip(keys, present[i], strict=True) if q]
            preds.append({"id": a["id"], "frames": chosen, "dominant": dom, "stance": r.stance.label})
        out = []
        for sub in ("tune", "tune-other", "tune-ru-ua"):
            g = [x for x in labels if x["id"] in subs[sub]]
            sc = score([p for p in preds if p["id"] in subs[sub]], g, keys)
            out.append(f"{sub} {sc['frame_macro_f1']:.3f}")
        brier = float(np.mean((oof - gold) ** 2))
        print(f"{name:18s} CV frame {cv_f1:.4f} Brier {brier:.4f} | " + ", ".join(out))


def run_bootstrap(candidate: Path, include_test: bool, n_boot: int = 1000) -> None:
    """Paired bootstrap over eval articles: candidate minus served, 95 % percentile intervals."""
    codebook = load_codebook()
    served = load_or_train(codebook, SERVED)
    other = joblib.load(candidate)
    arts = read_jsonl(EVAL_DIR / "articles.jsonl")
    labels = read_jsonl(EVAL_DIR / "labels.jsonl")
    subs = subsets(load_split(), arts)
    rng = np.random.default_rng(0)
    keys = codebook.frame_keys

    def figures(preds, gold):
        s = score(preds, gold, keys)
        return np.array([s["frame_macro_f1"], s["stance_macro_f1"], s["dominant_accuracy"]])

    for sub in ["tune"] + (["test"] if include_test else []):
        sel = [a for a in arts if a["id"] in subs[sub]]
        gold = [x for x in labels if x["id"] in subs[sub]]
        pa, pb = model_predictions(served, sel), model_predictions(other, sel)
        diffs = []
        for _ in range(n_boot):
            g = [gold[i] for i in rng.integers(0, len(gold), len(gold))]
            diffs.append(figures(pb, g) - figures(pa, g))
        lo, hi = np.percentile(diffs, [2.5, 97.5], axis=0)
        d = figures(pb, gold) - figures(pa, gold)
        for j, name in enumerate(("frame macro-F1", "stance macro-F1", "dominant accuracy")):
            print(
                f"{sub} {name}: {other.version} - {served.version} {d[j]:+.3f} ({lo[j]:+.3f}, {hi[j]:+.3f})"
            )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["corpus", "head", "bootstrap"])
    ap.add_argument("candidate", nargs="?", type=Path)
    ap.add_argument("--with", dest="files", nargs="*", default=[])
    ap.add_argument("--test", action="store_true", help="also the test half (final candidate only)")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    if args.what == "corpus":
        run_corpus(args.files, args.test)
    elif args.what == "head":
        run_head(args.files)
    else:
        run_bootstrap(args.candidate, args.test)


if __name__ == "__main__":
    main()
