"""HTML input: what the DOM says about each line becomes rule hits and a shift of its content logit.

In: the raw logits of the text score, the DomEvidence of a page's lines (html.py), the
RuleSet's HTML categories and the `html.*` settings. Out: each line's raw logit shifted by its
evidence, as if the score had more features, and the hits of the HTML categories
(`base.html_nav`, ...). Text input never gets here; nothing here labels a line.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import regex

from .container import DomTree, container_names, container_vectors, find_container
from .model import DomEvidence, DomNode, LineFeatures, RuleHit
from .ruleset import Category, RuleSet

EVIDENCE_NAMES = (
    "link_share", "all_link", "context_link_share", "link_list", "in_p", "in_h1", "in_heading",
    "in_li", "in_blockquote", "in_table", "in_article", "in_main", "in_header", "in_hidden",
    "content_name", "is_title", "before_title", "title_up_2", "title_up_4", "title_up_6",
    "jsonld_inside", "jsonld_outside",
)
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
LIST_TAGS = frozenset({"ul", "ol", "dl", "nav", "menu"})
# How far up from the headline's element the nearest element holding both it and a line is:
# one indicator per bin (beyond the last: none), as the score does with lengths.
TITLE_UP_BINS = (2, 4, 6)

Scored = Sequence[tuple[float, tuple[str, ...]]]


# ---------------------------------------------------------------- numbers
def _in_link_list(path: Sequence[DomNode], min_share: float) -> bool:
    return any(n.tag in LIST_TAGS and n.chars and n.link_chars / n.chars >= min_share for n in path)


def _context_link_share(path: Sequence[DomNode], min_chars: int) -> float:
    """Return the link share of the nearest element around the line holding at least min_chars."""
    for node in reversed(path):
        if node.chars >= min_chars:
            return node.link_chars / node.chars
    return path[0].link_chars / path[0].chars if path and path[0].chars else 0.0


def find_title(evidence: Sequence[DomEvidence], features: Sequence[LineFeatures]) -> int | None:
    """Return the line of the page's headline: the page's title in an h1, else anywhere, else the first h1."""
    named = [i for i, ev in enumerate(evidence) if ev.title and features[i].chars]
    h1 = [i for i, ev in enumerate(evidence) if features[i].words >= 2 and any(n.tag == "h1" for n in ev.path)]
    both = [i for i in named if i in set(h1)]
    for choice in (both, named, h1):
        if choice:
            return choice[0]
    return None


def _levels_up(anchor: Sequence[int], path: Sequence[DomNode]) -> int:
    """Return how many elements up from the anchor's own the nearest one holding the path is."""
    common = 0
    for a, node in zip(anchor, path):
        if a != node.index:
            break
        common += 1
    return len(anchor) - common


def evidence_vectors(evidence: Sequence[DomEvidence], features: Sequence[LineFeatures],
                     settings: Mapping) -> list[tuple[float, ...]]:
    """Return every line's DOM evidence as numbers, in EVIDENCE_NAMES order."""
    title = find_title(evidence, features)
    anchor = tuple(n.index for n in evidence[title].path) if title is not None else None
    content = _token_regex(settings["html.content_tokens"])
    min_chars, min_share = settings["html.context_min_chars"], settings["html.link_list_min_share"]
    named: dict[str, bool] = {}
    out = []
    for i, ev in enumerate(evidence):
        tags = {n.tag for n in ev.path}
        jsonld = ev.jsonld_body
        up = [0.0] * len(TITLE_UP_BINS)
        if anchor is not None:
            levels = _levels_up(anchor, ev.path)
            for k, edge in enumerate(TITLE_UP_BINS):
                if levels <= edge:
                    up[k] = 1.0
                    break
        has_content_name = False
        for node in ev.path:
            for name in node.names:
                if name not in named:
                    named[name] = content is not None and content.search(name) is not None
                has_content_name = has_content_name or named[name]
        out.append((
            ev.link_share,
            float(ev.link_share >= 0.99),
            _context_link_share(ev.path, min_chars),
            float(_in_link_list(ev.path, min_share)),
            float("p" in tags),
            float("h1" in tags),
            float(bool(tags & HEADING_TAGS)),
            float("li" in tags),
            float("blockquote" in tags),
            float("table" in tags),
            float("article" in tags),
            float("main" in tags),
            float("header" in tags),
            float(any(n.hidden for n in ev.path)),
            float(has_content_name),
            float(ev.title),
            float(title is not None and i < title),
            *up,
            jsonld if jsonld is not None else 0.0,
            (1.0 - jsonld) if jsonld is not None else 0.0,
        ))
    return out


def shift_by_evidence(scored: Scored, features: Sequence[LineFeatures], vectors: Sequence[Sequence[float]],
                      settings: Mapping) -> list[tuple[float, tuple[str, ...]]]:
    """Return each raw logit plus its weighted evidence, with the evidence that moved it most."""
    bias = settings["html.bias"]
    weights = [settings[f"html.weights.{name}"] for name in EVIDENCE_NAMES]
    top = settings["score.reason_features"]
    out = []
    for (logit, reasons), f, vec in zip(scored, features, vectors):
        if not f.chars:
            out.append((logit, reasons))
            continue
        parts = [w * x for w, x in zip(weights, vec)]
        shift = bias + sum(parts)
        sign = 1.0 if shift >= 0 else -1.0
        ranked = sorted(range(len(parts)), key=lambda k: -sign * parts[k])
        moved = tuple(f"html.{EVIDENCE_NAMES[k]}" for k in ranked[:top] if sign * parts[k] > 0)
        out.append((logit + shift, moved + reasons))
    return out


def holding_elements(tree: DomTree, logits: Sequence[float], features: Sequence[LineFeatures],
                     evidence: Sequence[DomEvidence], settings: Mapping) -> frozenset[int]:
    """Return the elements that hold the article: around the headline, and around the container."""
    title = find_title(evidence, features)
    held = {n.index for n in evidence[title].path} if title is not None else set()
    container = find_container(tree, logits, features, settings)
    if container is not None:
        held.update(tree.chain(container)[:-1])
    return frozenset(held)


def shift_by_container(scored: Scored, features: Sequence[LineFeatures], vectors: Sequence[Sequence[float]],
                       settings: Mapping, tree: DomTree) -> list[tuple[float, tuple[str, ...]]]:
    """Return each logit moved by how its line sits towards the article found from them (container.py)."""
    names = container_names(EVIDENCE_NAMES)
    bias = settings["html.container.bias"]
    weights = [settings[f"html.container.weights.{name}"] for name in names]
    where = container_vectors(tree, [z for z, _ in scored], features, vectors, EVIDENCE_NAMES, settings)
    out = []
    for (z, reasons), f, vec in zip(scored, features, where):
        if not f.chars:
            out.append((z, reasons))
            continue
        shift = bias + sum(w * x for w, x in zip(weights, vec))
        if not vec[1] and shift < 0:
            reasons = ("html.outside_article",) + reasons
        out.append((z + shift, reasons))
    return out


# ---------------------------------------------------------------- HTML categories
def _token_regex(tokens: Sequence[str]) -> regex.Pattern | None:
    if not tokens:
        return None
    alternatives = "|".join(regex.escape(t) for t in sorted(set(tokens), key=lambda t: (-len(t), t)))
    return regex.compile(rf"(?:^|-)(?:{alternatives})(?:-|$)")


class _DomMatcher:
    """The HTML categories of a rule set, matched once per element and inherited by what it holds."""

    def __init__(self, categories: Sequence[Category], max_share: float, exempt: frozenset[int]):
        self.tags: dict[str, set[int]] = {}
        for k, cat in enumerate(categories):
            for tag in cat.html_tags:
                self.tags.setdefault(tag, set()).add(k)
        self.tokens = [(k, _token_regex(cat.html_tokens)) for k, cat in enumerate(categories) if cat.html_tokens]
        self.max_share = max_share
        self.exempt = exempt
        self.names: dict[str, frozenset[int]] = {}
        self.paths: dict[int, frozenset[int]] = {}   # element index -> categories of its path

    def own(self, node: DomNode, page_chars: int) -> frozenset[int]:
        """Return the categories an element itself matches (none for one holding the article)."""
        if node.index in self.exempt or (page_chars and node.chars > self.max_share * page_chars):
            return frozenset()
        found = set(self.tags.get(node.tag, ()))
        for name in node.names:
            if name not in self.names:
                self.names[name] = frozenset(k for k, rx in self.tokens if rx.search(name))
            found |= self.names[name]
        return frozenset(found)

    def path(self, path: Sequence[DomNode], page_chars: int) -> frozenset[int]:
        """Return the categories any element of a line's path matches."""
        known: frozenset[int] = frozenset()
        start = 0
        for depth in range(len(path) - 1, -1, -1):
            hit = self.paths.get(path[depth].index)
            if hit is not None:
                known, start = hit, depth + 1
                break
        for depth in range(start, len(path)):
            known = known | self.own(path[depth], page_chars)
            self.paths[path[depth].index] = known
        return known


def match_dom(ruleset: RuleSet, evidence: Sequence[DomEvidence], settings: Mapping,
              exempt: Sequence[int] = ()) -> tuple[tuple[RuleHit, ...], ...]:
    """Return the hits of the rule set's HTML categories on every line (exempt elements never match)."""
    categories = [cat for cat in ruleset.categories if cat.is_html]
    matcher = _DomMatcher(categories, settings["html.token_max_page_share"], frozenset(exempt))
    out = []
    for ev in evidence:
        found = matcher.path(ev.path, ev.page_chars)
        out.append(tuple(RuleHit(categories[k].id, categories[k].label, categories[k].weight, None)
                         for k in sorted(found)))
    return tuple(out)


def add_hit_weights(scored: Scored, hits: Sequence[Sequence[RuleHit]]) -> list[tuple[float, tuple[str, ...]]]:
    """Return each logit plus the weights of its HTML category hits (their ids are told as hits)."""
    return [(z + sum(h.weight for h in hs), reasons) for (z, reasons), hs in zip(scored, hits)]


# ---------------------------------------------------------------- all of it
def weigh_evidence(scored: Scored, features: Sequence[LineFeatures], evidence: Sequence[DomEvidence],
                   ruleset: RuleSet, settings: Mapping) -> tuple[tuple[tuple[float, tuple[str, ...]], ...],
                                                                 tuple[tuple[RuleHit, ...], ...]]:
    """Return the raw logits shifted by the DOM's evidence, and the HTML category hits of every line.

    Three steps: the line's own evidence (links, tags, headline, JSON-LD); the HTML categories,
    except on the elements that hold the article; where the line sits towards the article.
    """
    tree = DomTree(evidence)
    vectors = evidence_vectors(evidence, features, settings)
    shifted = shift_by_evidence(scored, features, vectors, settings)
    holding = holding_elements(tree, [z for z, _ in shifted], features, evidence, settings)
    dom_hits = match_dom(ruleset, evidence, settings, exempt=holding)
    shifted = add_hit_weights(shifted, dom_hits)
    return tuple(shift_by_container(shifted, features, vectors, settings, tree)), dom_hits
