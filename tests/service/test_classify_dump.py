"""``ClassificationSchema.dump`` writes results without walking marshmallow fields; same answer."""

import json
from pathlib import Path

import marshmallow as ma

from service.schemas.classify import ClassificationSchema

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples" / "articles.json"


def field_dump(obj):
    """What the schema's declared fields produce (marshmallow's own ``dump``)."""
    schema = ClassificationSchema()
    return ma.Schema.dump(schema, obj, many=isinstance(obj, list))


def test_fast_dump_equals_the_fields_dump(classifier):
    samples = json.loads(SAMPLES.read_text(encoding="utf-8"))
    items = [(a.get("title") or "", a["text"], None) for a in samples]
    items += [("", "Too short.", None), ("Krieg", "Der Krieg geht weiter, sagt die Regierung. " * 5, None)]
    results = classifier.classify_many(items)
    assert {r.status for r in results} == {"ok", "insufficient_text", "unsupported_language"}
    assert any(e.field == "title" for r in results for f in r.frames for e in f.evidence)
    dumped = ClassificationSchema().dump(results)
    assert dumped == field_dump(results)
    assert [list(d) for d in dumped] == [list(d) for d in field_dump(results)]  # same key order
    assert ClassificationSchema().dump(results[0]) == field_dump(results[0])
    assert json.dumps(dumped) == json.dumps(field_dump(results))  # same types (int, float, bool)
