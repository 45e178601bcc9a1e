"""Codebooks sent as text (API uploads): YAML or JSON, validated like the shipped files."""

import json

import pytest
import yaml

from classifiers import InvalidCodebookError, load_codebook
from classifiers.codebook import CODEBOOK_DIR, codebook_from_dict, parse_codebook

SMALL = {
    "key": "protest",
    "version": "0.1",
    "label": "Protest coverage",
    "frames": [
        {"key": "riot", "label": "Riot", "definition": "Violence and disorder.", "indicators": ["Riot*"]},
        {"key": "debate", "label": "Debate", "definition": "Grievances and demands."},
    ],
    "targets": [
        {
            "key": "protesters",
            "description": "The protesters' cause.",
            "aliases": ["Marchers"],
            "side_terms": {"favor": ["peaceful"], "against": ["mob"]},
        }
    ],
    "default_target": "protesters",
}


def test_yaml_and_json_give_the_same_codebook_and_hash():
    from_yaml = parse_codebook(yaml.safe_dump(SMALL), "yaml")
    from_json = parse_codebook(json.dumps(SMALL), "json")
    assert from_yaml == from_json == codebook_from_dict(SMALL)
    assert from_yaml.frame_keys == ("riot", "debate") and len(from_yaml.hash) == 16
    assert from_yaml.frame("riot").indicators == ("riot*",)  # lower-cased as in the fixtures
    assert from_yaml.target("protesters").aliases == ("marchers",)


def test_the_shipped_codebook_parses_from_its_text_with_its_hash():
    text = (CODEBOOK_DIR / "conflict.yaml").read_text(encoding="utf-8")
    assert parse_codebook(text).hash == load_codebook("conflict").hash
    assert codebook_from_dict(load_codebook("conflict").to_dict()).hash == load_codebook("conflict").hash


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"frames": "riot"}, "frames must be a list"),
        ({"targets": {}}, "targets must be a list"),
        ({"key": "has space"}, "key must be"),
        ({"key": 7}, "key must be"),
        ({"frames": [{"key": "a b", "label": "x", "definition": "y"}]}, r"frames\[0\].key"),
        ({"frames": [{"key": "a", "label": "x"}]}, r"frames\[0\] needs"),
        ({"frames": [SMALL["frames"][0], SMALL["frames"][0]]}, "unique"),
        ({"targets": [SMALL["targets"][0]] * 2}, "target keys must be unique"),
        ({"default_target": "nobody"}, "default_target"),
        ({"targets": [{**SMALL["targets"][0], "side_terms": {"maybe": ["x"]}}]}, "side_terms keys"),
        ({"targets": [{**SMALL["targets"][0], "side_terms": ["x"]}]}, "side_terms must be a mapping"),
    ],
)
def test_invalid_codebooks_say_what_is_wrong(change, message):
    with pytest.raises(InvalidCodebookError, match=message):
        parse_codebook(json.dumps({**SMALL, **change}), "json")


def test_unparseable_text_and_unknown_formats():
    with pytest.raises(InvalidCodebookError, match="not valid YAML"):
        parse_codebook("key: [unclosed")
    with pytest.raises(InvalidCodebookError, match="not valid JSON"):
        parse_codebook("{", "json")
    with pytest.raises(InvalidCodebookError, match="must be a mapping"):
        parse_codebook("- a\n- b\n")
    with pytest.raises(InvalidCodebookError, match="allowed: yaml, json"):
        parse_codebook("{}", "toml")


def test_yaml_aliases_are_refused():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    with pytest.raises(InvalidCodebookError, match="aliases"):
        parse_codebook(bomb)
