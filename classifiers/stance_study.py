"""Attribution-discount sweep: how much own-voice weighting helps stance, in CV and on real articles.

usage: python -m classifiers.stance_study [--eval-dir ../shared/eval]

The model card reports this table so the choice of ``attribution_discount`` can be checked:
the sentence stance head is trained on own-voice labels and already sees the attribution cues,
so moving attributed sentences' favor/against mass to neutral afterwards partly double-counts
attribution. Cross-validation (grouped by event) ranks lower discounts higher; the real-article
figures are shown next to it because the committed value was chosen with them in view (the
card says so). Everything except the discount is the production pipeline: same heads, same
thresholds, same article rule, same ``ArticleClassifier``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifiers.article import own_voice
from classifiers.classifier import ArticleClassifier
from classifiers.codebook import STANCE_LABELS, Codebook, load_codebook
from classifiers.corpus import Corpus, load_corpus
from classifiers.cv import cross_validate, cv_metrics, stance_article_oof
from classifiers.evaluate import model_predictions
from classifiers.features import lexicons_from_codebook
from classifiers.params import resolve_params
from classifiers.scoring import EVAL_DIR, f1_from_counts, read_jsonl, score
from classifiers.sentence_model import ATTRIBUTION_LEXICON
from classifiers.training import fit_sentence_model, fit_stance_aggregator, stance_article_data

DISCOUNTS = (0.0, 0.3, 0.5, 0.7, 1.0)


def _macro(y: np.ndarray, pred: np.ndarray) -> tuple[float, dict[str, float]]:
    per = {}
    for c in STANCE_LABELS:
        tp = int(((y == c) & (pred == c)).sum())
        fp = int(((y != c) & (pred == c)).sum())
        fn = int(((y == c) & (pred != c)).sum())
        per[c] = f1_from_counts(tp, fp, fn)
    return float(np.mean(list(per.values()))), per


def discount_sweep(
    codebook: Codebook,
    corpus: Corpus,
    eval_dir: Path | None = EVAL_DIR,
    discounts: Sequence[float] = DISCOUNTS,
) -> list[dict]:
    """Nested-CV article stance macro-F1 and (if the set is present) eval stance scores per discount."""
    params = resolve_params({"attribution_discount": 0.0})
    cv = cross_validate(corpus, codebook, params)  # raw out-of-fold sentence stance probabilities
    table = cv["table"]
    _, thresholds = cv_metrics(corpus, codebook, cv)
    sentence_model = fit_sentence_model(
        table.texts, table.frames, table.stance, lexicons_from_codebook(codebook), params
    )
    feat = sentence_model.featurizer
    attr_col = feat.lexicon_names_.index(ATTRIBUTION_LEXICON)
    attributed = np.asarray(
        (feat.transform_counts(table.texts) @ feat.lexicon_matrix_[:, attr_col]).todense()
    )
    attributed = attributed.ravel() > 0
    events = np.asarray([a.event for a in corpus.articles])
    have_eval = eval_dir is not None and (Path(eval_dir) / "labels.jsonl").is_file()
    if have_eval:
        articles = read_jsonl(Path(eval_dir) / "articles.jsonl")
        gold = read_jsonl(Path(eval_dir) / "labels.jsonl")
    rows = []
    for d in discounts:
        proba = own_voice(cv["stance"], attributed, d)
        X, labels = stance_article_data(corpus, table, proba, cv["alias"])
        has = np.asarray([lbl is not None for lbl in labels])
        y = labels[has].astype(str)
        pred = stance_article_oof(X[has], y, events[has], params["stance_class_weight"])
        cv_macro, cv_per = _macro(y, pred)
        row = {"discount": d, "cv_macro": cv_macro, "cv": cv_per}
        if have_eval:
            clf = ArticleClassifier(
                codebook=codebook, primary_ratio=params["primary_ratio"], attribution_discount=d
            ).fit(
                sentence_model,
                fit_stance_aggregator(X, labels, params),
                thresholds,
                manifest={"version": "study"},
            )
            sc = score(model_predictions(clf, articles), gold, codebook.frame_keys)
            row.update(
                eval_macro=sc["stance_macro_f1"], eval=sc["stance"], eval_frame_macro=sc["frame_macro_f1"]
            )
        rows.append(row)
    return rows


def _triple(per: dict[str, float]) -> str:
    return " / ".join(f"{per[c]:.2f}" for c in STANCE_LABELS)


def format_rows(rows: list[dict]) -> list[str]:
    """Markdown table of a sweep."""
    has_eval = "eval_macro" in rows[0] if rows else False
    head = ["discount", "CV stance macro-F1 (favor / against / neutral)"]
    if has_eval:
        head += ["eval stance macro-F1 (favor / against / neutral)", "eval frame macro-F1"]
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join(["---:"] * len(head)) + " |"]
    for r in rows:
        cells = [f"{r['discount']:.1f}", f"{r['cv_macro']:.3f} ({_triple(r['cv'])})"]
        if has_eval:
            cells += [f"{r['eval_macro']:.3f} ({_triple(r['eval'])})", f"{r['eval_frame_macro']:.3f}"]
        out.append("| " + " | ".join(cells) + " |")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    args = ap.parse_args(argv)
    codebook = load_codebook()
    print("\n".join(format_rows(discount_sweep(codebook, load_corpus(codebook), args.eval_dir))))


if __name__ == "__main__":
    main()
