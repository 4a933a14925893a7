"""HTML input: what the DOM says about each line becomes rule hits and a shift of its content logit.

In: the raw logits of the text score, the DomEvidence of a page's lines (html.py), the
RuleSet's HTML categories and the `html.*` settings. Out: each line's raw logit shifted by its
evidence, as if the score had more features, and the hits of the HTML categories
(`base.html_nav`, ...). Text input never gets here; nothing here labels a line.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Mapping, Sequence

import numpy
import regex

from .caches import register
from .container import DomTree, container_matrix, container_names, find_container
from .model import DomEvidence, DomNode, LineFeatures, RuleHit
from .ruleset import Category, RuleSet
from .score import pushed_most

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
_COLUMNS = {name: k for k, name in enumerate(EVIDENCE_NAMES)}
_REASONS = tuple(f"html.{name}" for name in EVIDENCE_NAMES)

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
    def in_h1(i: int) -> bool:
        return features[i].words >= 2 and any(n.tag == "h1" for n in evidence[i].path)

    named = [i for i, ev in enumerate(evidence) if ev.title and features[i].chars]
    if named:
        return next(filter(in_h1, named), named[0])
    return next(filter(in_h1, range(len(evidence))), None)


def _element_bits(tree: DomTree, settings: Mapping) -> list[int]:
    """Return, per element, the bits of the tags and facts of it and of every element around it."""
    content = name_matcher((tuple(settings["html.content_tokens"]),))
    min_share = settings["html.link_list_min_share"]

    def own(node: DomNode) -> int:
        bits = _TAG_BITS.get(node.tag, 0)
        if node.tag in HEADING_TAGS:
            bits |= _HEADING
        if node.hidden:
            bits |= _HIDDEN
        if node.tag in LIST_TAGS and node.chars and node.link_chars / node.chars >= min_share:
            bits |= _LINK_LIST
        if any(map(content, node.names)):
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
    context = tree.nearest([n.link_chars / n.chars if n.chars >= min_chars else None for n in tree.node], None)
    title = find_title(evidence, features)
    anchor = {n.index: k for k, n in enumerate(evidence[title].path)} if title is not None else {}
    common = tree.nearest([anchor.get(n.index) for n in tree.node], -1)
    matrix = numpy.zeros((len(evidence), len(EVIDENCE_NAMES)))
    column = _COLUMNS.__getitem__
    laid = [(line, owner) for line, owner in enumerate(tree.owner) if owner >= 0]   # the lines inside an element
    rows = [line for line, _ in laid]
    own_bits = numpy.array([bits[owner] for _, owner in laid], dtype=numpy.int64)
    for name, bit in _BIT_FEATURES:
        matrix[rows, column(name)] = (own_bits & bit) != 0
    matrix[rows, column("context_link_share")] = [_context_share(context[owner], evidence[line].path[0])
                                                   for line, owner in laid]
    if anchor:
        # Elements up from the headline's to the nearest holding both, in TITLE_UP_BINS (beyond the last: none).
        levels = [len(anchor) - (common[owner] + 1) for _, owner in laid]
        up = numpy.searchsorted(TITLE_UP_BINS, levels)
        binned = up < len(TITLE_UP_BINS)
        matrix[numpy.array(rows, dtype=numpy.int64)[binned], column(f"title_up_{TITLE_UP_BINS[0]}") + up[binned]] = 1.0
    link_share = numpy.array([ev.link_share for ev in evidence])
    matrix[:, column("link_share")] = link_share
    matrix[:, column("all_link")] = link_share >= 0.99
    matrix[:, column("is_title")] = [ev.title for ev in evidence]
    if title is not None:
        matrix[:title, column("before_title")] = 1.0
    body = [(line, ev.jsonld_body) for line, ev in enumerate(evidence) if ev.jsonld_body is not None]
    if body:
        inside = numpy.array([share for _, share in body])
        matrix[[line for line, _ in body], column("jsonld_inside")] = inside
        matrix[[line for line, _ in body], column("jsonld_outside")] = 1.0 - inside
    matrix[:, column("description")] = [ev.description or 0.0 for ev in evidence]
    return list(map(tuple, matrix.tolist()))


def _context_share(share: float | None, top: DomNode) -> float:
    """Return the link share of a line's context, or the page's (its outermost element's) if it has none."""
    if share is not None:
        return share
    return top.link_chars / top.chars if top.chars else 0.0


def shift_by_evidence(scored: Scored, features: Sequence[LineFeatures], vectors: Sequence[Sequence[float]],
                      settings: Mapping) -> list[tuple[float, tuple[str, ...]]]:
    """Return each raw logit plus its weighted evidence, with the evidence that moved it most."""
    bias = settings["html.bias"]
    weights = numpy.array([settings[f"html.weights.{name}"] for name in EVIDENCE_NAMES])
    top = settings["score.reason_features"]
    parts = numpy.array(vectors, dtype=numpy.float64).reshape(len(vectors), len(EVIDENCE_NAMES)) * weights
    # A running sum, not numpy's pairwise one: the same float as summing the parts in order.
    shifts = bias + numpy.cumsum(parts, axis=1)[:, -1]
    out = []
    for (logit, reasons), f, shift, pushed in zip(scored, features, shifts.tolist(),
                                                  pushed_most(parts, shifts, top, _REASONS)):
        if not f.chars:
            out.append((logit, reasons))
            continue
        out.append((logit + shift, pushed + reasons))
    return out


def holding_elements(tree: DomTree, logits: Sequence[float], features: Sequence[LineFeatures],
                     evidence: Sequence[DomEvidence], settings: Mapping) -> frozenset[int]:
    """Return the elements that hold the article: around the headline, and around the container."""
    title = find_title(evidence, features)
    held = {n.index for n in evidence[title].path} if title is not None else set()
    container = find_container(tree, logits, features, settings)
    if container is not None:
        held.update(tree.node[s].index for s in tree.chain(container)[:-1])
    return frozenset(held)


def shift_by_container(scored: Scored, features: Sequence[LineFeatures], vectors: Sequence[Sequence[float]],
                       settings: Mapping, tree: DomTree) -> list[tuple[float, tuple[str, ...]]]:
    """Return each logit moved by how its line sits towards the article found from them (container.py)."""
    names = container_names(EVIDENCE_NAMES)
    bias = settings["html.container.bias"]
    weights = numpy.array([settings[f"html.container.weights.{name}"] for name in names])
    where = container_matrix(tree, [z for z, _ in scored], features, vectors, EVIDENCE_NAMES, settings)
    # A running sum, not numpy's pairwise one: the same float as summing the parts in order.
    shifts = bias + numpy.cumsum(where * weights, axis=1)[:, -1]
    in_root = where[:, names.index("in_root")].tolist()
    out = []
    for (z, reasons), f, shift, inside in zip(scored, features, shifts.tolist(), in_root):
        if not f.chars:
            out.append((z, reasons))
            continue
        if not inside and shift < 0:
            reasons = ("html.outside_article",) + reasons
        out.append((z + shift, reasons))
    return out


# ---------------------------------------------------------------- HTML categories
_PLAIN_NAME = regex.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _token_regex(tokens: Sequence[str]) -> regex.Pattern:
    alternatives = "|".join(regex.escape(t) for t in sorted(set(tokens), key=lambda t: (-len(t), t)))
    return regex.compile(rf"(?:^|-)(?:{alternatives})(?:-|$)")


class NameMatcher:
    """Which of some lists of tokens a class or id name holds (as whole name parts), by the lists' numbers.

    A token matches where it is one or more whole parts of the name ("share" in "social-share-bar").
    A name as split_names makes them (lower-case letters and digits, parts joined by one "-") is
    looked up by its runs of parts; any other name is searched with one pattern per list. Names
    repeat within a page and across a site's pages, so each answer is remembered (up to MEMORY
    names; then the memory is emptied).
    """

    MEMORY = 65536

    def __init__(self, token_lists: Sequence[Sequence[str]]):
        self.patterns = [(k, _token_regex(tokens)) for k, tokens in enumerate(token_lists) if tokens]
        self.lists: dict[str, frozenset[int]] = {}      # token -> the numbers of the lists that hold it
        for k, tokens in enumerate(token_lists):
            for token in tokens:
                self.lists[token] = self.lists.get(token, frozenset()) | {k}
        self.longest = max((token.count("-") + 1 for token in self.lists), default=0)   # in name parts
        self.memo: dict[str, frozenset[int]] = {}

    def __call__(self, name: str) -> frozenset[int]:
        found = self.memo.get(name)
        if found is None:
            if len(self.memo) >= self.MEMORY:
                self.memo.clear()
            found = self.memo[name] = self.match(name)
        return found

    def match(self, name: str) -> frozenset[int]:
        """Return the numbers of the lists with a token in the name (not remembered)."""
        if _PLAIN_NAME.fullmatch(name) is None:
            return frozenset(k for k, rx in self.patterns if rx.search(name))
        parts = name.split("-")
        found: set[int] = set()
        for i, run in enumerate(parts):   # every run of up to `longest` parts
            found.update(self.lists.get(run, ()))
            for part in parts[i + 1:i + self.longest]:
                run += "-" + part
                found.update(self.lists.get(run, ()))
        return frozenset(found)


@lru_cache(maxsize=64)
def name_matcher(token_lists: tuple[tuple[str, ...], ...]) -> NameMatcher:
    """Return the NameMatcher of some lists of tokens, compiled once."""
    return NameMatcher(token_lists)


register(name_matcher.cache_clear)


def _tag_index(categories: Sequence[Category]) -> dict[str, frozenset[int]]:
    """Return the HTML categories' tags: tag -> the numbers of the categories that name it."""
    tags: dict[str, set[int]] = {}
    for k, cat in enumerate(categories):
        for tag in cat.html_tags:
            tags.setdefault(tag, set()).add(k)
    return {tag: frozenset(ks) for tag, ks in tags.items()}


def match_dom(ruleset: RuleSet, evidence: Sequence[DomEvidence], settings: Mapping,
              exempt: Sequence[int] = (), tree: DomTree | None = None) -> tuple[tuple[RuleHit, ...], ...]:
    """Return the hits of the rule set's HTML categories on every line.

    An element matches by its tag or its class and id names, and passes its categories on to
    every line inside it. Exempt elements (those holding the article) never match, nor does
    one holding more than token_max_page_share of the page's text.
    """
    tree = tree or DomTree(evidence)
    categories = [cat for cat in ruleset.categories if cat.is_html]
    tags = _tag_index(categories)
    tokens = name_matcher(tuple(cat.html_tokens for cat in categories))
    exempt = frozenset(exempt)
    page_chars = evidence[0].page_chars if evidence else 0
    max_chars = settings["html.token_max_page_share"] * page_chars
    nothing: frozenset[int] = frozenset()

    def own(node: DomNode) -> frozenset[int]:
        if node.index in exempt or (page_chars and node.chars > max_chars):
            return nothing
        found = tags.get(node.tag, nothing)
        for name in node.names:
            found |= tokens(name)
        return found

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
