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
    "jsonld_inside", "jsonld_outside", "description",
)
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
LIST_TAGS = frozenset({"ul", "ol", "dl", "nav", "menu"})
# How far up from the headline's element the nearest element holding both it and a line is:
# one indicator per bin (beyond the last: none), as the score does with lengths.
TITLE_UP_BINS = (2, 4, 6)

Scored = Sequence[tuple[float, tuple[str, ...]]]


# ---------------------------------------------------------------- numbers
# The tags and facts an element passes on to every line inside it, as bits.
_TAG_BITS = {"p": 1, "h1": 2, "li": 8, "blockquote": 16, "table": 32, "article": 64, "main": 128, "header": 256}
_HEADING, _HIDDEN, _LINK_LIST, _CONTENT_NAME = 4, 512, 1024, 2048
_BIT_FEATURES = (("in_p", 1), ("in_h1", 2), ("in_heading", 4), ("in_li", 8), ("in_blockquote", 16),
                 ("in_table", 32), ("in_article", 64), ("in_main", 128), ("in_header", 256), ("in_hidden", 512),
                 ("link_list", 1024), ("content_name", 2048))


def find_title(evidence: Sequence[DomEvidence], features: Sequence[LineFeatures]) -> int | None:
    """Return the line of the page's headline: the page's title in an h1, else anywhere, else the first h1."""
    named = [i for i, ev in enumerate(evidence) if ev.title and features[i].chars]
    h1 = [i for i, ev in enumerate(evidence) if features[i].words >= 2 and any(n.tag == "h1" for n in ev.path)]
    both = [i for i in named if i in set(h1)]
    for choice in (both, named, h1):
        if choice:
            return choice[0]
    return None


def _element_bits(tree: DomTree, settings: Mapping) -> dict[int, int]:
    """Return, per element, the bits of the tags and facts of it and of every element around it."""
    content = _token_regex(settings["html.content_tokens"])
    min_share = settings["html.link_list_min_share"]
    named: dict[str, bool] = {}

    def own(node: DomNode) -> int:
        bits = _TAG_BITS.get(node.tag, 0)
        if node.tag in HEADING_TAGS:
            bits |= _HEADING
        if node.hidden:
            bits |= _HIDDEN
        if node.tag in LIST_TAGS and node.chars and node.link_chars / node.chars >= min_share:
            bits |= _LINK_LIST
        for name in node.names:
            if name not in named:
                named[name] = content is not None and content.search(name) is not None
            if named[name]:
                bits |= _CONTENT_NAME
        return bits

    return tree.inherit(own, int.__or__, 0)


def evidence_vectors(evidence: Sequence[DomEvidence], features: Sequence[LineFeatures], settings: Mapping,
                     tree: DomTree | None = None) -> list[tuple[float, ...]]:
    """Return every line's DOM evidence as numbers, in EVIDENCE_NAMES order."""
    tree = tree or DomTree(evidence)
    bits = _element_bits(tree, settings)
    # The link share of the nearest element around a line that holds context_min_chars (else the page's).
    min_chars = settings["html.context_min_chars"]
    context = tree.inherit(lambda n: n.link_chars / n.chars if n.chars >= min_chars else None,
                           lambda up, mine: up if mine is None else mine, None)
    title = find_title(evidence, features)
    anchor = {n.index: k for k, n in enumerate(evidence[title].path)} if title is not None else {}
    common = tree.inherit(lambda n: anchor.get(n.index), lambda up, mine: up if mine is None else mine, -1)
    positions = {name: k for k, name in enumerate(EVIDENCE_NAMES)}
    out = []
    for line, ev in enumerate(evidence):
        vec = [0.0] * len(EVIDENCE_NAMES)
        owner = tree.owner[line]
        if owner >= 0:
            own_bits = bits[owner]
            for name, bit in _BIT_FEATURES:
                if own_bits & bit:
                    vec[positions[name]] = 1.0
            share = context[owner]
            top = ev.path[0]
            vec[positions["context_link_share"]] = share if share is not None else (
                top.link_chars / top.chars if top.chars else 0.0)
            if anchor:
                levels = len(anchor) - (common[owner] + 1)   # elements up from the headline's to the nearest holding both
                for edge in TITLE_UP_BINS:
                    if levels <= edge:
                        vec[positions[f"title_up_{edge}"]] = 1.0
                        break
        vec[positions["link_share"]] = ev.link_share
        vec[positions["all_link"]] = float(ev.link_share >= 0.99)
        vec[positions["is_title"]] = float(ev.title)
        vec[positions["before_title"]] = float(title is not None and line < title)
        if ev.jsonld_body is not None:
            vec[positions["jsonld_inside"]] = ev.jsonld_body
            vec[positions["jsonld_outside"]] = 1.0 - ev.jsonld_body
        if ev.description:
            vec[positions["description"]] = ev.description
        out.append(tuple(vec))
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


def _category_index(categories: Sequence[Category]):
    """Return the HTML categories' tags (tag -> category numbers) and token patterns (number, regex)."""
    tags: dict[str, set[int]] = {}
    for k, cat in enumerate(categories):
        for tag in cat.html_tags:
            tags.setdefault(tag, set()).add(k)
    return tags, [(k, _token_regex(cat.html_tokens)) for k, cat in enumerate(categories) if cat.html_tokens]


def match_dom(ruleset: RuleSet, evidence: Sequence[DomEvidence], settings: Mapping,
              exempt: Sequence[int] = (), tree: DomTree | None = None) -> tuple[tuple[RuleHit, ...], ...]:
    """Return the hits of the rule set's HTML categories on every line.

    An element matches by its tag or its class and id names, and passes its categories on to
    every line inside it. Exempt elements (those holding the article) never match, nor does
    one holding more than token_max_page_share of the page's text.
    """
    tree = tree or DomTree(evidence)
    categories = [cat for cat in ruleset.categories if cat.is_html]
    tags, tokens = _category_index(categories)
    exempt = frozenset(exempt)
    page_chars = evidence[0].page_chars if evidence else 0
    max_chars = settings["html.token_max_page_share"] * page_chars
    named: dict[str, frozenset[int]] = {}

    def own(node: DomNode) -> frozenset[int]:
        if node.index in exempt or (page_chars and node.chars > max_chars):
            return frozenset()
        found = set(tags.get(node.tag, ()))
        for name in node.names:
            if name not in named:
                named[name] = frozenset(k for k, rx in tokens if rx.search(name))
            found |= named[name]
        return frozenset(found)

    inherited = tree.inherit(own, frozenset.union, frozenset())
    hits: dict[frozenset[int], tuple[RuleHit, ...]] = {}
    out = []
    for owner in tree.owner:
        found = inherited[owner] if owner >= 0 else frozenset()
        if found not in hits:
            hits[found] = tuple(RuleHit(categories[k].id, categories[k].label, categories[k].weight, None)
                                for k in sorted(found))
        out.append(hits[found])
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
    vectors = evidence_vectors(evidence, features, settings, tree)
    shifted = shift_by_evidence(scored, features, vectors, settings)
    holding = holding_elements(tree, [z for z, _ in shifted], features, evidence, settings)
    dom_hits = match_dom(ruleset, evidence, settings, exempt=holding, tree=tree)
    shifted = add_hit_weights(shifted, dom_hits)
    return tuple(shift_by_container(shifted, features, vectors, settings, tree)), dom_hits
