"""/v1/reliability: alpha from stored annotations equals the krippendorff package's; model as a coder."""

from __future__ import annotations

import csv
import io

import krippendorff
import pytest

from tests.service.conftest import assert_problem, make_article

FRAMES = ["economic-cost", "domestic-politics", "military-operations"]
# Ten articles: (alice's frames, bob's frames) as indexes into FRAMES, and their stances.
ALICE = [{0, 1}, {0}, {1}, {2}, {0, 2}, set(), {1}, {0, 1}, {2}, {0}]
BOB = [{0, 1}, {0, 1}, {1}, {2}, {0}, set(), {1, 2}, {0}, {2}, {0}]
ALICE_STANCE = ["favor", "against", None, "neutral", "favor", None, "against", "neutral", "favor", None]
BOB_STANCE = ["favor", "against", "neutral", "neutral", "favor", None, "favor", "neutral", "favor", None]


@pytest.fixture
def coded(client) -> list[int]:
    articles = [make_article(i, event="budget-vote") for i in range(10)]
    response = client.post("/v1/articles/batch?create_missing=true", json=articles)
    ids = [item["id"] for item in response.get_json()["items"]]
    items = []
    for coder, frames, stances in (("alice", ALICE, ALICE_STANCE), ("bob", BOB, BOB_STANCE)):
        for article_id, chosen, stance in zip(ids, frames, stances, strict=True):
            keys = [FRAMES[i] for i in sorted(chosen)]
            dominant = keys[0] if keys else None
            items.append(
                {
                    "article_id": article_id,
                    "coder": coder,
                    "frames": keys,
                    "dominant": dominant,
                    "stance": stance,
                }
            )
    assert client.post("/v1/annotations", json=items).status_code == 201
    return ids


def rows_by(body: dict, includes_model: bool = False) -> dict:
    return {
        (r["variable"], r["category"]): r
        for r in body["tables"]["agreement"]
        if r["includes_model"] == includes_model
    }


def test_alpha_per_frame_and_stance_matches_the_krippendorff_package(client, coded):
    response = client.get("/v1/reliability?codebook=conflict&coders=alice,bob&n_resamples=500")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    rows = rows_by(body)
    for index, frame in enumerate(FRAMES):
        data = [[int(index in s) for s in ALICE], [int(index in s) for s in BOB]]
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        row = rows[("frame", frame)]
        assert row["alpha"] == pytest.approx(expected, abs=0.01)
        assert row["n_units"] == 10 and row["coders"] == "alice,bob" and row["n_resamples"] > 0
        assert row["ci_low"] <= row["alpha"] <= row["ci_high"]
    labels = {"favor": 0, "against": 1, "neutral": 2, None: 3}
    data = [[labels[s] for s in ALICE_STANCE], [labels[s] for s in BOB_STANCE]]
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert rows[("stance", None)]["alpha"] == pytest.approx(expected, abs=0.01)
    assert rows[("stance", None)]["percent_agreement"] == pytest.approx(0.8)
    unused = rows[("frame", "escalation-risk")]  # nobody used it: no variation, no alpha
    assert unused["alpha"] is None and unused["percent_agreement"] == 1.0 and unused["note"]
    for row in rows.values():
        if row["alpha"] is not None:
            expected_flag = (
                "unacceptable"
                if row["alpha"] < 0.667
                else "tentative"
                if row["alpha"] < 0.8
                else "acceptable"
            )
            assert row["flag"] == expected_flag
    meta = body["metadata"]
    assert meta["codebook"]["key"] == "conflict" and len(meta["annotation_codebook_hashes"]) == 1
    assert meta["target"] == "ukraine-support" and meta["coders"] == ["alice", "bob"]
    again = client.get("/v1/reliability?codebook=conflict&coders=alice,bob&n_resamples=500").get_json()
    assert again == body  # seeded bootstrap


def test_low_alpha_is_flagged_and_warned(client, coded):
    body = client.get("/v1/reliability?coders=alice,bob&n_resamples=0").get_json()
    flagged = [r for r in body["tables"]["agreement"] if r["flag"] == "unacceptable"]
    warned = {w["frame"] for w in body["tables"]["warnings"]}
    assert flagged and {(r["variable"], r["category"]) for r in flagged} == {
        (w["message"].split(":")[0].split(" ")[0], w["frame"]) for w in body["tables"]["warnings"]
    }
    assert all(w["code"] == "unreliable" for w in body["tables"]["warnings"]) and warned
    assert all(r["ci_low"] is None for r in body["tables"]["agreement"])


def test_the_model_as_a_coder(client, coded, classifier):
    url = f"/v1/reliability?coders=alice,bob&model={classifier.version}&n_resamples=100"
    body = client.get(url).get_json()
    with_model = rows_by(body, includes_model=True)
    assert with_model[("frame", "economic-cost")]["coders"] == f"alice,bob,{classifier.version}"
    references = {s["reference"] for s in body["tables"]["model_scores"]}
    assert {"alice", "bob", "consensus"} <= references
    assert body["metadata"]["model"]["n_articles_labelled"] == 10
    one_coder = client.get(
        f"/v1/reliability?coders=alice&model={classifier.version}&n_resamples=0"
    ).get_json()
    assert all(r["includes_model"] for r in one_coder["tables"]["agreement"])


def test_csv_tables(client, coded):
    response = client.get("/v1/reliability?coders=alice,bob&n_resamples=50&format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert (
        len(rows) == 8 + 2 and {"alpha", "ci_low", "ci_high", "percent_agreement", "flag"} <= rows[0].keys()
    )
    accept = client.get(
        "/v1/reliability?coders=alice,bob&n_resamples=0&table=warnings", headers={"Accept": "text/csv"}
    )
    assert accept.mimetype == "text/csv" and accept.headers["Content-Disposition"].endswith('"warnings.csv"')


def test_bad_requests_name_the_parameter(client, app, coded):
    assert_problem(client.get("/v1/reliability?coders=alice,zoe"), 422, {"coders"})
    assert_problem(client.get("/v1/reliability?coders=alice,bob&model=no-such-model"), 422, {"model"})
    assert_problem(client.get("/v1/reliability?coders=alice,bob&target=mars"), 422, {"target"})
    assert_problem(client.get("/v1/reliability?coders=alice"), 422)
    assert_problem(client.get("/v1/reliability"), 422, {"coders"})
    assert_problem(client.get("/v1/reliability?coders=alice,bob&codebook=nothing"), 404)
    app.config["MAX_RELIABILITY_RESAMPLES"] = 100
    body = assert_problem(
        client.get("/v1/reliability?coders=alice,bob&n_resamples=101"), 422, {"n_resamples"}
    )
    assert "FRAMESCOPE_MAX_RELIABILITY_RESAMPLES" in body["errors"][0]["detail"]
