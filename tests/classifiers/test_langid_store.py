"""The memory-mapped language model gives py3langid's own answers, once unpacked, in little memory."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import classifiers.text as text_mod
from classifiers.langid_store import load_identifier, store_path

TEXTS = [
    "Trump woos NRA gun lobby in Dallas",
    "Kyiv, Kharkiv, Odesa: overnight drone strikes, power cuts",
    "Правительство объявило о новых мерах поддержки. Министр выступил в парламенте.",
    "Le gouvernement a annoncé mardi une nouvelle aide militaire pour le pays.",
    "El gobierno anunció nuevas sanciones contra Rusia el martes por la tarde.",
    "Рада ухвалила закон про мобілізацію після тривалих дебатів у парламенті.",
    "Die Regierung sagte am Montag, dass sie die Gespräche weiter unterstützen werde.",
    "12345 !!! ---",
    "",
]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return tmp_path_factory.mktemp("langid")


def test_mapped_model_gives_py3langids_own_probabilities(base):
    mapped = load_identifier(base, text_mod._EXCLUDED_LANGUAGES)
    reference = text_mod._in_memory_identifier()
    assert mapped.nb_classes == reference.nb_classes and "pcm" not in mapped.nb_classes
    for text in TEXTS:
        assert mapped.classify(text) == reference.classify(text), text
        assert mapped.rank(text)[:5] == reference.rank(text)[:5], text


def test_model_is_unpacked_once_per_version_and_label_set(base):
    load_identifier(base, text_mod._EXCLUDED_LANGUAGES)
    path = store_path(base, text_mod._EXCLUDED_LANGUAGES)
    stamps = {p.name: p.stat().st_mtime_ns for p in path.iterdir()}
    load_identifier(base, text_mod._EXCLUDED_LANGUAGES)
    assert {p.name: p.stat().st_mtime_ns for p in path.iterdir()} == stamps
    assert [p.name for p in base.iterdir()] == [path.name]  # no temporary directory left behind
    assert store_path(base, frozenset()) != path


def test_language_check_still_works_where_the_model_cannot_be_written(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setattr(text_mod, "_LANGID_BASE", [blocker / "models"])
    text_mod._identifier.cache_clear()
    try:
        assert text_mod.language_of(TEXTS[2]) == "ru"
        assert text_mod.language_of(TEXTS[0]) == "en"
    finally:
        text_mod._identifier.cache_clear()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_detecting_languages_keeps_the_process_small(base):
    # py3langid loaded into the process adds ~72 MiB of RSS; mapped, a process holds the pages it reads.
    script = textwrap.dedent(
        f"""
        import classifiers.langid_store
        import classifiers.text as T

        def rss_kib():
            return next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmRSS"))

        T.use_language_cache({str(base)!r})
        before = rss_kib()
        statuses = [T.language_of(t) for t in {TEXTS!r}]
        print(rss_kib() - before, statuses)
        """
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=root)
    grown_kib, statuses = out.stdout.split(" ", 1)
    assert statuses.strip().startswith("['en', 'en', 'ru', 'fr', 'es', 'uk', 'de'")
    assert int(grown_kib) < 16 * 1024


def test_a_process_that_loses_the_unpacking_race_uses_the_winners_copy(base):
    from classifiers.langid_store import _convert

    path = store_path(base, text_mod._EXCLUDED_LANGUAGES)
    load_identifier(base, text_mod._EXCLUDED_LANGUAGES)
    stamps = {p.name: p.stat().st_mtime_ns for p in path.iterdir()}
    _convert(path, text_mod._EXCLUDED_LANGUAGES)  # as if it had started before the first finished
    assert {p.name: p.stat().st_mtime_ns for p in path.iterdir()} == stamps
    assert [p.name for p in base.iterdir()] == [path.name]
    assert load_identifier(base, text_mod._EXCLUDED_LANGUAGES).classify(TEXTS[3])[0] == "fr"
