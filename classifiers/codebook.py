"""Codebooks as data: frame and stance-target definitions loaded from YAML.

The hash of a codebook's canonical JSON travels with every classification, so a stored
result can always be traced to the exact definitions that produced it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from classifiers.errors import (
    InvalidCodebookError,
    UnknownCodebookError,
    UnknownFrameError,
    UnknownTargetError,
)

CODEBOOK_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "codebooks"
#: The one definition of the stance labels. The order is part of the model: sentence and article
#: stance probabilities are columns (favor, against, neutral), and own-voice weighting moves the
#: first two into the third.
STANCE_LABELS = ("favor", "against", "neutral")
#: Codebook, frame and target keys: the same slugs the API uses for outlets and events.
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
#: Media formats ``parse_codebook`` reads.
CODEBOOK_FORMATS = ("yaml", "json")


@dataclass(frozen=True)
class FrameDef:
    """One frame: key, human label, definition, inclusion/exclusion rules, indicator phrases."""

    key: str
    label: str
    definition: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetDef:
    """A stance target: what favor/against mean, names that show the article concerns it."""

    key: str
    label: str
    description: str
    labels: tuple[str, ...] = STANCE_LABELS
    aliases: tuple[str, ...] = ()
    side_terms: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Codebook:
    """A frozen codebook; ``hash`` is the first 16 hex digits of sha256(canonical JSON)."""

    key: str
    version: str
    label: str
    frames: tuple[FrameDef, ...]
    targets: tuple[TargetDef, ...]
    default_target: str
    present_rule: str = ""
    hash: str = ""

    @property
    def frame_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.frames)

    @property
    def target_keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.targets)

    def frame(self, key: str) -> FrameDef:
        """Return a frame definition; raises UnknownFrameError for keys not in the codebook."""
        for f in self.frames:
            if f.key == key:
                return f
        raise UnknownFrameError(f"unknown frame {key!r}; allowed: {', '.join(self.frame_keys)}")

    def target(self, key: str) -> TargetDef:
        """Return a target definition; raises UnknownTargetError for keys not in the codebook."""
        for t in self.targets:
            if t.key == key:
                return t
        raise UnknownTargetError(f"unknown target {key!r}; allowed: {', '.join(self.target_keys)}")

    def to_dict(self) -> dict:
        """JSON-ready dict (tuples become lists); includes the hash."""
        d = asdict(self)
        return json.loads(json.dumps(d))


def _canonical_hash(d: dict) -> str:
    payload = json.dumps(d, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _strs(raw: dict, name: str, where: str) -> tuple[str, ...]:
    value = raw.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidCodebookError(f"{where}.{name} must be a list of strings")
    return tuple(v.strip().lower() if name in ("indicators", "aliases") else v.strip() for v in value)


def codebook_from_dict(raw: dict) -> Codebook:
    """Validate a parsed codebook mapping and build a Codebook with its content hash."""
    if not isinstance(raw, dict):
        raise InvalidCodebookError("codebook must be a mapping")
    for name in ("key", "version", "label", "frames", "targets", "default_target"):
        if name not in raw:
            raise InvalidCodebookError(f"codebook is missing {name!r}")
    for name in ("frames", "targets"):
        if not isinstance(raw[name], list):
            raise InvalidCodebookError(f"{name} must be a list")
    _check_key(raw["key"], "key")
    frames = []
    for i, f in enumerate(raw["frames"]):
        where = f"frames[{i}]"
        if not isinstance(f, dict) or not {"key", "label", "definition"} <= set(f):
            raise InvalidCodebookError(f"{where} needs key, label and definition")
        _check_key(f["key"], f"{where}.key")
        frames.append(
            FrameDef(
                key=str(f["key"]),
                label=str(f["label"]),
                definition=str(f["definition"]).strip(),
                include=_strs(f, "include", where),
                exclude=_strs(f, "exclude", where),
                indicators=_strs(f, "indicators", where),
            )
        )
    keys = [f.key for f in frames]
    if len(set(keys)) != len(keys) or not keys:
        raise InvalidCodebookError("frame keys must be unique and non-empty")
    targets = []
    for i, t in enumerate(raw["targets"]):
        where = f"targets[{i}]"
        if not isinstance(t, dict) or not {"key", "description"} <= set(t):
            raise InvalidCodebookError(f"{where} needs key and description")
        _check_key(t["key"], f"{where}.key")
        if not isinstance(t.get("side_terms") or {}, dict):
            raise InvalidCodebookError(f"{where}.side_terms must be a mapping of label to terms")
        labels = _strs(t, "labels", where) or STANCE_LABELS
        side = {
            str(k): _strs({"indicators": v}, "indicators", f"{where}.side_terms")
            for k, v in (t.get("side_terms") or {}).items()
        }
        if not set(side) <= set(labels):
            raise InvalidCodebookError(f"{where}.side_terms keys must be among {labels}")
        targets.append(
            TargetDef(
                key=str(t["key"]),
                label=str(t.get("label", t["key"])),
                description=str(t["description"]).strip(),
                labels=labels,
                aliases=_strs(t, "aliases", where),
                side_terms=side,
            )
        )
    target_keys = [t.key for t in targets]
    if len(set(target_keys)) != len(target_keys) or not target_keys:
        raise InvalidCodebookError("target keys must be unique and non-empty")
    if raw["default_target"] not in set(target_keys):
        raise InvalidCodebookError("default_target must be one of the targets")
    cb = Codebook(
        key=str(raw["key"]),
        version=str(raw["version"]),
        label=str(raw["label"]),
        frames=tuple(frames),
        targets=tuple(targets),
        default_target=str(raw["default_target"]),
        present_rule=str(raw.get("present_rule", "")).strip(),
    )
    content = cb.to_dict()
    content.pop("hash")
    return Codebook(**{**cb.__dict__, "hash": _canonical_hash(content)})


def _check_key(value: object, where: str) -> None:
    if not isinstance(value, str) or KEY_PATTERN.fullmatch(value) is None:
        raise InvalidCodebookError(f"{where} must be 1-64 letters, digits, '.', '_' or '-'; got {value!r}")


def parse_codebook(text: str, format: str = "yaml") -> Codebook:  # noqa: A002 - the media format
    """Validate a codebook sent as YAML or JSON text (an upload) and build it with its hash.

    Parameters
    ----------
    text : str
        The document: the same mapping as ``fixtures/codebooks/*.yaml``.
    format : {"yaml", "json"}
        How to read ``text``.

    Notes
    -----
    YAML anchors and aliases are refused: an upload is untrusted, and aliases let a few hundred
    bytes expand into billions of values once the document is walked ("billion laughs").
    """
    if format not in CODEBOOK_FORMATS:
        raise InvalidCodebookError(
            f"unknown codebook format {format!r}; allowed: {', '.join(CODEBOOK_FORMATS)}"
        )
    if format == "json":
        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise InvalidCodebookError(f"not valid JSON: {exc}") from exc
        return codebook_from_dict(raw)
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=yaml.SafeLoader)):
            raise InvalidCodebookError("YAML aliases (*name) are not accepted in a codebook")
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidCodebookError(f"not valid YAML: {exc}") from exc
    return codebook_from_dict(raw)


def load_codebook(key_or_path: str | Path = "conflict") -> Codebook:
    """Load a codebook by key (``fixtures/codebooks/<key>.yaml``) or by file path."""
    path = Path(key_or_path)
    if not path.suffix:
        if not str(key_or_path).replace("-", "").replace("_", "").isalnum():
            raise UnknownCodebookError(f"invalid codebook key {key_or_path!r}")
        path = CODEBOOK_DIR / f"{key_or_path}.yaml"
    if not path.is_file():
        raise UnknownCodebookError(f"no codebook at {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InvalidCodebookError(f"{path.name}: {exc}") from exc
    return codebook_from_dict(raw)
