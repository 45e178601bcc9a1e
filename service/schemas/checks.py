"""Validators shared by the request schemas that read the served model (targets, frames) or text."""

from __future__ import annotations

import marshmallow as ma

from service.classifier_registry import get_model


def has_words(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must contain non-whitespace text.")


def check_target(value: str) -> None:
    """The served model must have a stance model for the target (422 naming ``target``).

    A target the codebook defines but the model was not trained for is refused here too, rather
    than answered with empty stance scores.
    """
    trained = get_model().stance_targets_
    if value not in trained:
        raise ma.ValidationError(f"Unknown target {value!r}; allowed: {', '.join(trained)}.")


def check_frame(value: str) -> None:
    """The frame must be defined in the served model's codebook (422 naming the field)."""
    codebook = get_model().codebook
    if value not in codebook.frame_keys:
        raise ma.ValidationError(f"Unknown frame {value!r}; allowed: {', '.join(codebook.frame_keys)}.")
