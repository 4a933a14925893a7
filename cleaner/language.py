"""Stage 3: one language per page, detected once from a bounded sample of its prose lines.

In: the page's lines and the detection settings. Out: an ISO 639-1 code, or None when the
page has too little prose or the detector is unsure. Deterministic: langdetect is seeded.
"""
from __future__ import annotations

from typing import Sequence

from langdetect import LangDetectException, detector_factory

from .model import Line

# langdetect's codes that are not plain ISO 639-1, mapped onto ours.
CODE_MAP = {"zh-cn": "zh", "zh-tw": "zh", "iw": "he", "jw": "jv", "tl": "tl", "nb": "no", "nn": "no"}


def _detector(text: str):
    factory = detector_factory._factory
    if factory is None:
        detector_factory.init_factory()
        factory = detector_factory._factory
    factory.seed = 0  # langdetect is random; a fixed seed makes it repeatable
    detector = factory.create()
    detector.append(text)
    return detector


def sample_prose(lines: Sequence[Line], max_chars: int, min_chars: int) -> str:
    """Return the page's longest lines, in page order, up to max_chars characters."""
    ranked = sorted((line for line in lines if len(line.text) >= min_chars), key=lambda l: (-len(l.text), l.number))
    chosen, total = [], 0
    for line in ranked:
        if total >= max_chars:
            break
        chosen.append(line)
        total += len(line.text)
    return "\n".join(line.text for line in sorted(chosen, key=lambda l: l.number))[:max_chars]


def detect_language(lines: Sequence[Line], *, max_chars: int, min_chars: int, min_probability: float) -> str | None:
    """Return the page's language code, or None when there is too little text or doubt."""
    sample = sample_prose(lines, max_chars, min_chars)
    if len(sample) < min_chars:
        return None
    try:
        best = _detector(sample).get_probabilities()
    except LangDetectException:
        return None
    if not best or best[0].prob < min_probability:
        return None
    return CODE_MAP.get(best[0].lang, best[0].lang)
