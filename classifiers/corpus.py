"""The annotated training corpus: JSON Lines articles with sentence-level labels.

Format (one complete article per line) is described in docs/annotation-guide.md. Every
line is loaded; lines that cannot be used are reported in ``Corpus.problems`` and with a
warning, never dropped silently. Labels are validated against the codebook.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from classifiers.codebook import STANCE_LABELS, Codebook
from classifiers.errors import CorpusError

CORPUS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "articles"


@dataclass(frozen=True)
class CorpusSentence:
    text: str
    frames: tuple[str, ...]
    stance: str | None


@dataclass(frozen=True)
class CorpusArticle:
    id: str
    conflict: str
    event: str
    register: str
    title: str
    title_frames: tuple[str, ...]
    title_stance: str | None
    sentences: tuple[CorpusSentence, ...]
    frames: tuple[str, ...]
    dominant: str | None
    target: str | None
    stance: str | None
    source: str

    @property
    def text(self) -> str:
        """Body text as the classifier sees it: sentences joined by single spaces."""
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True)
class Corpus:
    articles: tuple[CorpusArticle, ...]
    hash: str
    files: tuple[str, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def n_sentences(self) -> int:
        return sum(len(a.sentences) for a in self.articles)


def _frames(value: object, allowed: set[str], where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: frames must be a list of strings")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown frame(s) {unknown}")
    return tuple(dict.fromkeys(value))


def _stance(value: object, allowed: set[str], where: str) -> str | None:
    if value is None or value in allowed:
        return value  # type: ignore[return-value]
    raise ValueError(f"{where}: stance {value!r} not in {sorted(allowed)} or null")


def parse_article(raw: dict, codebook: Codebook, source: str) -> CorpusArticle:
    """Validate one corpus record against the codebook; raises ValueError naming the field."""
    allowed = set(codebook.frame_keys)
    labels = set(STANCE_LABELS)
    aid = raw.get("id")
    if not isinstance(aid, str) or not aid:
        raise ValueError("id missing")
    sents = raw.get("sentences")
    if not isinstance(sents, list) or not sents:
        raise ValueError(f"{aid}: sentences missing or empty")
    parsed = []
    for i, s in enumerate(sents):
        if not isinstance(s, dict) or not isinstance(s.get("text"), str) or not s["text"].strip():
            raise ValueError(f"{aid}: sentences[{i}].text missing")
        parsed.append(
            CorpusSentence(
                s["text"].strip(),
                _frames(s.get("frames", []), allowed, f"{aid}.sentences[{i}]"),
                _stance(s.get("stance"), labels, f"{aid}.sentences[{i}]"),
            )
        )
    target = raw.get("target")
    if target is not None and target not in codebook.target_keys:
        raise ValueError(f"{aid}: unknown target {target!r}")
    dominant = raw.get("dominant")
    if dominant is not None and dominant not in allowed:
        raise ValueError(f"{aid}: unknown dominant frame {dominant!r}")
    return CorpusArticle(
        id=aid,
        conflict=str(raw.get("conflict") or "unknown"),
        event=str(raw.get("event") or "unknown"),
        register=str(raw.get("register") or "unknown"),
        title=str(raw.get("title") or "").strip(),
        title_frames=_frames(raw.get("title_frames", []), allowed, f"{aid}.title_frames"),
        title_stance=_stance(raw.get("title_stance"), labels, f"{aid}.title_stance"),
        sentences=tuple(parsed),
        frames=_frames(raw.get("frames", []), allowed, f"{aid}.frames"),
        dominant=dominant,
        target=target,
        stance=_stance(raw.get("stance"), labels, f"{aid}.stance"),
        source=source,
    )


def load_corpus(codebook: Codebook, corpus_dir: Path | str = CORPUS_DIR, *, strict: bool = False) -> Corpus:
    """Load every ``*.jsonl`` file under ``corpus_dir``.

    Notes
    -----
    A trailing line without a newline may be an article still being written; it is left out
    of both the data and the hash, and reported. Other unusable lines are reported too
    (``strict=True`` raises CorpusError instead). Duplicate ids are an error.
    """
    corpus_dir = Path(corpus_dir)
    files = sorted(corpus_dir.glob("*.jsonl"))
    if not files:
        raise CorpusError(f"no *.jsonl corpus files under {corpus_dir}")
    digest = hashlib.sha256()
    articles: list[CorpusArticle] = []
    problems: list[str] = []
    seen: set[str] = set()
    for path in files:
        data = path.read_bytes()
        complete, _, tail = data.rpartition(b"\n")
        if tail.strip():
            problems.append(f"{path.name}: incomplete trailing line ignored (still being written?)")
        digest.update(path.name.encode() + b"\0" + complete + b"\0")
        for n, line in enumerate(complete.decode("utf-8").split("\n"), start=1):
            if not line.strip():
                continue
            try:
                art = parse_article(json.loads(line), codebook, f"{path.name}:{n}")
                if art.id in seen:
                    raise ValueError(f"duplicate id {art.id}")
                seen.add(art.id)
                articles.append(art)
            except (ValueError, TypeError, AttributeError) as exc:
                problems.append(f"{path.name}:{n}: {exc}")
    if problems:
        if strict:
            raise CorpusError("; ".join(problems))
        warnings.warn(f"corpus: {len(problems)} problem(s): " + "; ".join(problems[:5]), stacklevel=2)
    if not articles:
        raise CorpusError(f"no usable articles under {corpus_dir}")
    return Corpus(
        articles=tuple(articles),
        hash=digest.hexdigest()[:16],
        files=tuple(p.name for p in files),
        problems=tuple(problems),
    )
