"""What to code next: uncertainty ranking with a diversity discount."""

from __future__ import annotations

import numpy as np

from classifiers.suggest import suggest, uncertainty


def test_uncertainty_is_one_at_coin_flips_and_zero_when_sure():
    frames = np.array([[0.5, 0.5], [0.0, 1.0], [0.75, 0.25]])
    assert np.allclose(uncertainty(frames), [1.0, 0.0, 0.5])
    stance = np.array([[0.34, 0.33, 0.33], [1.0, 0.0, 0.0], [0.5, 0.5, 0.0]])
    assert np.allclose(uncertainty(frames, stance), [(2 + 0.99) / 3, 0.0, (1 + 1) / 3])


def test_near_copies_are_not_all_suggested():
    texts = [
        "Missiles struck the port of Odesa overnight, damaging grain silos.",
        "Missiles struck the port of Odesa overnight, damaging grain silos and a pier.",
        "Parliament debated a new aid package for farmers hit by export losses.",
    ]
    scores = np.array([0.9, 0.89, 0.6])
    assert [i for i, _ in suggest(texts, scores, 2)] == [0, 2]
    assert [i for i, _ in suggest(texts, scores, 2, diversity=0.0)] == [0, 1]
    assert [i for i, _ in suggest(texts, scores, 10)] == [0, 2, 1]
    assert suggest(texts, scores, 0) == [] and suggest(["", ""], np.array([0.1, 0.2]), 1) == [(1, 0.2)]
