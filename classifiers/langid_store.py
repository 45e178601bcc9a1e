"""py3langid's model as flat arrays on disk, memory-mapped read-only by every process (issue 13).

Why: py3langid ships its model LZMA-compressed and unpacks it into each process that detects a
language: ~72 MiB of private memory (a 37 MiB DFA transition table, a 27 MiB float16 probability
matrix, and two per-state Python lists), ~98 MiB of RSS in the job worker, which put its peak at
355 MiB against a 300 MB goal. Written once as uncompressed ``.npy`` files and mapped with
``np.load(mmap_mode="r")``, the same arrays live in the page cache, shared by all workers on the
host, and a process holds only the pages its texts touch. Scoring stays py3langid's own
(``LanguageIdentifier`` over the same values and dtypes), so results are bit-identical.

The conversion is deterministic (same py3langid wheel, same excluded labels, same bytes) and goes
through a temporary directory renamed into place, so concurrent first users never read half a file.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import load_model

log = logging.getLogger("framescope.langid")

_ARRAYS = ("ptc", "pc", "classes", "rowbase", "nextmove", "out")


def store_path(base: Path, excluded: frozenset[str]) -> Path:
    """The directory for this py3langid version and label set: a new wheel or set gets a new one."""
    digest = hashlib.sha256((MODEL_DIR / MODEL_FILE).read_bytes())
    digest.update(",".join(sorted(excluded)).encode())
    return Path(base) / f"langid-{version('py3langid')}-{digest.hexdigest()[:12]}"


def _convert(dest: Path, excluded: frozenset[str]) -> None:
    """Unpack the shipped model without the ``excluded`` labels into ``dest`` (atomic rename)."""
    ptc, pc, classes, nextmove, row, out = load_model(MODEL_DIR / MODEL_FILE)
    keep = [i for i, label in enumerate(classes) if label not in excluded]
    arrays = {
        # the same column selection LanguageIdentifier.set_languages makes, done once on disk
        "ptc": np.ascontiguousarray(ptc[:, keep]),
        "pc": np.asarray(pc)[keep],
        "classes": np.array([classes[i] for i in keep]),
        # state -> offset of its 256-entry row, pre-shifted as LanguageIdentifier does in memory
        "rowbase": np.frombuffer(row, dtype=f"u{row.itemsize}").astype(np.uint32) << 8,
        "nextmove": np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}"),
        "out": np.asarray(out, dtype=np.int32),
    }
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        for name, array in arrays.items():
            with open(tmp / f"{name}.npy", "wb") as fh:
                np.save(fh, array, allow_pickle=False)
                fh.flush()
                os.fsync(fh.fileno())  # written back, so _mapped can drop its cached pages
        tmp.chmod(0o755)  # mkdtemp makes it private; workers may run as other users
        tmp.rename(dest)
    except OSError:
        if not dest.is_dir():  # another process did not win the race: a real failure
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _mapped(path: Path) -> np.ndarray:
    """A read-only mapping of one array that pages in only the 4 KiB pages a text reads.

    The DFA rows and matrix rows are read scattered, so read-ahead is off (``MADV_RANDOM``).
    Linux also maps a whole cached large folio (up to 2 MiB) on one fault: a file read or written
    sequentially is cached that way, and one short text then made ~35 MiB resident. Its cached
    pages that no process maps are dropped first, so they come back as single pages.
    """
    if hasattr(os, "posix_fadvise"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    array = np.load(path, mmap_mode="r", allow_pickle=False)
    if hasattr(mmap, "MADV_RANDOM") and isinstance(array, np.memmap):
        array._mmap.madvise(mmap.MADV_RANDOM)
    return array


def load_identifier(base: Path, excluded: frozenset[str] = frozenset()) -> LanguageIdentifier:
    """A probability-normalised py3langid identifier whose tables are mapped from ``base``.

    Converts the shipped model into ``base`` on first use (a second or two, once per host).
    """
    path = store_path(base, excluded)
    if not path.is_dir():
        log.info("unpacking py3langid model", extra={"path": str(path)})
        _convert(path, excluded)
    arrays = {name: _mapped(path / f"{name}.npy") for name in _ARRAYS}
    ident = LanguageIdentifier(
        arrays["ptc"],
        np.array(arrays["pc"]),
        arrays["classes"].tolist(),
        # memoryviews: indexing gives plain ints at array.array speed in the DFA walk
        memoryview(arrays["nextmove"]),
        memoryview(arrays["out"]),
        norm_probs=True,
        tk_row=(),
    )
    ident._rowbase = memoryview(arrays["rowbase"])
    return ident
