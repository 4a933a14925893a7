"""Is the line labelled `title` the article's headline? Checked against what each page's HTML names.

The devset's gold texts have no headline, so F1 cannot tell a headline from a section name
above it. Each devset page's HTML does name its headline: its h1 elements, its og:title and
twitter:title, its <title>. For every page this cleans the text (`ID.txt`) and counts:

- right: the title line is one of those (at least 70% of its tokens are in one, and it has at
  least half of that one's tokens: "<title>" often adds " | Site name");
- wrong: a title line that is none of them ("Health News", "Read in app");
- none, headline present: no title line, though a line of the text is the headline;
- none, no headline line: no title line, and no line of the text is the headline.

    python benchmarks/titles.py [--list]      # --list: the wrong ones, with the headline's line

Session 10: the most topical headline-like line within 8 lines of the article was right on 160
pages and wrong on 112; the line sharing most words with the article's lead (label.py's
_most_topical_headline) is right on 215 and wrong on 65.
Session 11: with at least three words to a title (label.title_candidate_min_words), 218 and 59.
Session 12: with the article region re-tuned (smooth.region_chars_unit 100, boundary_logit -6), 218 and 56.
Session 15: 216 and 59 (three pages: a video's title above the first paragraph now wins on one,
a page of glued story cards has a title where it had none, a promo line beats a headline that
reads like a quote's speaker on a third), text F1 +0.0041.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import lxml.html

import cleaner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quality import SHARED, datasets, load_scorer  # noqa: E402


def headlines(html: bytes, score) -> list[set[str]]:
    """Return the token sets (score: the shared scorer, for its tokenizer) of what a page's HTML
    names as its headline."""
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    names = [h.text_content() for h in doc.iter("h1")]
    names += doc.xpath('//meta[@property="og:title" or @name="twitter:title" or @name="title"]/@content')
    names += [t.text for t in doc.iter("title") if t.text]
    return [set(score.tokenize(name)) for name in names if name and name.strip()]


def is_headline(text: str, names: list[set[str]], score) -> bool:
    tokens = set(score.tokenize(text))
    return bool(tokens) and any(len(tokens & name) >= 0.7 * len(tokens) and len(tokens & name) >= 0.5 * len(name)
                                for name in names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared folder (devset/ inside)")
    parser.add_argument("--list", action="store_true", help="print the pages whose title line is wrong")
    args = parser.parse_args()
    score = load_scorer(args.shared)
    c = cleaner.Cleaner()
    counts = {"right": 0, "wrong": 0, "none, headline present": 0, "none, no headline line": 0}
    for ds in datasets(args.shared):
        for row in map(json.loads, (ds / "meta.jsonl").read_text(encoding="utf-8").splitlines()):
            page = ds / row["id"]
            names = headlines(page.with_suffix(".html").read_bytes(), score)
            result = c.clean(page.with_suffix(".txt").read_text(encoding="utf-8"))
            title = next((line.text for line in result.lines if line.label is cleaner.Label.TITLE), None)
            if title is not None:
                right = is_headline(title, names, score)
                counts["right" if right else "wrong"] += 1
                if not right and args.list:
                    truth = next((line.text for line in result.lines if is_headline(line.text, names, score)), None)
                    print(f"{row['id'][:16]:16}  {title[:60]!r:64}  headline: {truth and truth[:60]!r}")
            elif any(is_headline(line.text, names, score) for line in result.lines):
                counts["none, headline present"] += 1
            else:
                counts["none, no headline line"] += 1
    print(" | ".join(f"{name}: {n}" for name, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
