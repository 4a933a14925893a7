"""How to run cleaner: one documented, immutable object built by the CLI or by a caller.

In: the user's choices. Out: a Config the pipeline reads. What cleaner *believes* (rules,
numbers) is not here but in the RuleSet.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import CONTENT_LABELS, CleanerError, Label


@dataclass(frozen=True)
class Config:
    """The options of a cleaning run."""

    language: str = "auto"                          # "auto" (detect per page) or an ISO 639-1 code
    rules: tuple[str, ...] = ()                     # user rule files, applied after base and language
    keep: frozenset[Label] = field(default=CONTENT_LABELS)  # labels whose lines make the clean text
    stable: bool = False                            # clean the clean text again until it stays the same


def parse_keep(value: str) -> frozenset[Label]:
    """Return the keep set from a comma-separated list of labels."""
    labels = set()
    for name in (part.strip() for part in value.split(",")):
        if not name:
            continue
        try:
            labels.add(Label(name))
        except ValueError:
            allowed = ", ".join(label.value for label in Label)
            raise CleanerError(f"--keep: unknown label {name!r}; use some of {allowed}") from None
    if not labels:
        raise CleanerError("--keep: name at least one label, e.g. --keep title,heading,body")
    return frozenset(labels)
