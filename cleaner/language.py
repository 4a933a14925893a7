"""Stage 3: one language per page, detected once from a bounded sample of its prose lines.

In: the page's lines and the detection settings. Out: an ISO 639-1 code, or None when the
page has too little prose or the detector is unsure. Deterministic: langdetect is seeded
(langprob.py runs langdetect's detector, with its answers, on numpy arrays).
"""
from __future__ import annotations

from typing import Mapping, Sequence

from .langprob import get_probabilities
from .model import Line

# langdetect's codes that are not plain ISO 639-1, mapped onto ours.
CODE_MAP = {"zh-cn": "zh", "zh-tw": "zh", "iw": "he", "jw": "jv", "tl": "tl", "nb": "no", "nn": "no"}


def sample_prose(lines: Sequence[Line], max_chars: int, min_chars: int) -> str:
    """Return the page's longest lines, in page order, up to max_chars characters."""
    chosen = [line for line in lines if len(line.text) >= min_chars]
    chosen.sort(key=lambda l: (-len(l.text), l.number))
    total = 0
    for end, line in enumerate(chosen):
        if total >= max_chars:
            del chosen[end:]
            break
        total += len(line.text)
    chosen.sort(key=lambda l: l.number)
    return "\n".join([line.text for line in chosen])[:max_chars]


def detect_language(lines: Sequence[Line], *, max_chars: int, min_chars: int, min_probability: float,
                    letters: Mapping[str, str] | None = None, min_letters: int = 3) -> str | None:
    """Return the page's language code, or None when there is too little text or doubt.

    `letters` maps a language to the letters only its alphabet has (Serbian Cyrillic: ђ ћ):
    a sample with at least min_letters of them is that language, whatever langdetect (which
    has no profile for it) says.
    """
    sample = sample_prose(lines, max_chars, min_chars)
    if len(sample) < min_chars:
        return None
    for code, own in sorted((letters or {}).items()):
        if sum(sample.count(ch) for ch in own) >= min_letters:
            return code
    best = get_probabilities(sample)
    if not best or best[0].prob < min_probability:
        return None
    return CODE_MAP.get(best[0].lang, best[0].lang)
