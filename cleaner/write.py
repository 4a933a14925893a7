"""Stage 9: turn labelled lines into the outputs users read: clean text, labels TSV or JSONL.

In: LineResults and the keep set. Out: strings. Kept lines are joined with one blank line
between paragraphs; nothing here decides a label.
"""
from __future__ import annotations

import json
from typing import Collection, Iterable, Sequence

from .model import Label, LineResult

TSV_HEADER = "line\tlabel\tscore\treasons\ttext"


def render_text(lines: Iterable[LineResult], keep: Collection[Label]) -> str:
    """Return the clean text: the kept lines, paragraphs kept apart by one blank line."""
    return "\n\n".join(line.text for line in lines if line.label in keep)


def render_labels_tsv(lines: Sequence[LineResult]) -> str:
    """Return the labels table: a header, then line, label, score, reasons, text per line."""
    rows = [TSV_HEADER]
    for line in lines:
        text = line.text.replace("\t", " ")
        rows.append(f"{line.number}\t{line.label.value}\t{line.score:.4f}\t{','.join(line.reasons)}\t{text}")
    return "\n".join(rows) + "\n"


def label_record(line: LineResult) -> dict:
    """Return one line's labels JSON object."""
    return {"line": line.number, "label": line.label.value, "score": line.score,
            "reasons": list(line.reasons), "text": line.text}


def render_labels_jsonl(lines: Sequence[LineResult]) -> str:
    """Return one JSON object per line."""
    return "".join(json.dumps(label_record(line), ensure_ascii=False) + "\n" for line in lines)


def restore_line_ends(text: str, newline: str, bom: bool) -> str:
    """Return text with the input's line ending and byte-order mark put back."""
    if newline != "\n":
        text = text.replace("\n", newline)
    return ("\ufeff" + text) if bom else text
