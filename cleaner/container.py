"""HTML input: where the article lies in the DOM, found from the lines' own logits.

In: a page's logits (the text score shifted by each line's own evidence), its lines' features
and DomEvidence, and the `html.container.*` settings. Out: per line, numbers that say how it
sits towards the article: inside the article container (readability's top candidate, scored by
cleaner's lines), inside the content root, what its DOM neighbours score, how much content its
block's parent and its kind of block hold. Nothing here weighs them: evidence.py does.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence, TypeVar

import numpy

from .html import BLOCK_TAGS
from .model import DomEvidence, DomNode, LineFeatures

CONTAINER_NAMES = (
    "in_container", "in_root", "dom_near", "dom_far", "parent_share", "kind_share",
)
# Evidence whose weight differs inside and outside the content root: each gives two numbers,
# "<name>_in_root" and "<name>_out_root" (a list item is content in the article, a teaser beside it).
T = TypeVar("T")
ROOT_SPLIT = ("short", "in_li", "in_p", "in_heading", "in_table", "link_share", "dom_near")


class DomTree:
    """The elements around a page's lines, in document order: each one's parent, and the element that owns each line.

    An element is known by its place in that order (its slot; ancestors come first), DomNode.index
    being its place among all of the page's elements.
    """

    def __init__(self, evidence: Sequence[DomEvidence]):
        found: dict[int, tuple[DomNode, int]] = {}     # element index -> its node, its parent's index
        for ev in evidence:
            path = ev.path
            for k in range(len(path) - 1, -1, -1):
                if path[k].index in found:
                    break
                found[path[k].index] = (path[k], path[k - 1].index if k else -1)
        order = sorted(found)
        slot = {index: s for s, index in enumerate(order)}
        self.node: list[DomNode] = [found[index][0] for index in order]
        self.parent: list[int] = [slot.get(found[index][1], -1) for index in order]
        self.owner: list[int] = [slot[ev.path[-1].index] if ev.path else -1 for ev in evidence]

    def sums(self, values: Sequence[float]) -> list[float]:
        """Return, per element, the sum of the values of the lines inside it."""
        total = [0.0] * len(self.node)
        for owner, value in zip(self.owner, values):
            if owner >= 0:
                total[owner] += value
        parent = self.parent
        for s in range(len(total) - 1, -1, -1):   # descendants before their ancestors
            if parent[s] >= 0:
                total[parent[s]] += total[s]
        return total

    def inherit(self, own: Callable[[DomNode], T], combine: Callable[[T, T], T], top: T) -> list[T]:
        """Return, per element, its own value combined with what it inherits from the elements around it."""
        out: list[T] = []
        for node, up in zip(self.node, self.parent):   # ancestors first
            out.append(combine(out[up] if up >= 0 else top, own(node)))
        return out

    def nearest(self, values: Sequence[T | None], top: T) -> list[T]:
        """Return, per element, its value, else that of the nearest element around it with one (None: none), else top."""
        out: list[T] = []
        for value, up in zip(values, self.parent):
            out.append(value if value is not None else out[up] if up >= 0 else top)
        return out

    def inside(self, element: int | None) -> numpy.ndarray:
        """Return, per line, whether it lies inside an element."""
        owned = numpy.array([self.node[s].index if s >= 0 else -1 for s in self.owner], dtype=numpy.int64)
        if element is None:
            return numpy.zeros(len(owned), dtype=bool)
        node = self.node[element]
        return (node.index <= owned) & (owned <= node.end)

    def chain(self, element: int) -> tuple[int, ...]:
        """Return an element and its ancestors, outermost first."""
        out = []
        while element >= 0:
            out.append(element)
            element = self.parent[element]
        return tuple(reversed(out))

    def blocks(self) -> list[int]:
        """Return, per element, the nearest element around it (itself included) that a browser lays out as a
        block; an element inside none is its own."""
        nearest = self.nearest([s if node.tag in BLOCK_TAGS else None for s, node in enumerate(self.node)], None)
        return [s if block is None else block for s, block in enumerate(nearest)]


def _gains(logits: Sequence[float], features: Sequence[LineFeatures], settings: Mapping,
           negative_scale: float) -> list[float]:
    """Return each line's content mass: its clipped logit weighted by its length (boilerplate's scaled)."""
    clip, unit = settings["html.container.clip_logit"], settings["html.container.chars_unit"]
    chars = numpy.array([f.chars for f in features], dtype=numpy.float64)
    gains = numpy.clip(numpy.array(logits, dtype=numpy.float64), -clip, clip) * (1.0 + chars / unit)
    gains[chars == 0] = 0.0
    return numpy.where(gains < 0, gains * negative_scale, gains).tolist()


def find_container(tree: DomTree, logits: Sequence[float], features: Sequence[LineFeatures],
                   settings: Mapping) -> int | None:
    """Return the element whose lines hold the most content mass (boilerplate's scaled by negative_scale)."""
    total = tree.sums(_gains(logits, features, settings, settings["html.container.negative_scale"]))
    if not total:
        return None
    best = len(total) - 1 - total[::-1].index(max(total))   # ties: the deeper (later) element
    return best if total[best] > 0 else None


def _content_root(mass: Sequence[float], settings: Mapping) -> int | None:
    """Return the deepest element holding root_mass_share of the page's content mass (mass: per element)."""
    page = max(mass, default=0.0)
    if page <= 0:
        return None
    share = settings["html.container.root_mass_share"]
    return max(s for s, m in enumerate(mass) if m >= share * page)


def _dom_context(tree: DomTree, values: Sequence[float], features, min_lines: Sequence[int]) -> list[list[float]]:
    """Return, for each of min_lines, per line the mean value of the other lines in the nearest element
    holding that many lines."""
    count = tree.sums([1.0 if f.chars else 0.0 for f in features])
    total = tree.sums([v if f.chars else 0.0 for v, f in zip(values, features)])
    out = []
    for least in min_lines:
        holding = tree.nearest([s if n >= least else None for s, n in enumerate(count)], -1)
        means = []
        for owner, v, f in zip(tree.owner, values, features):
            s = holding[owner] if f.chars and owner >= 0 else -1
            means.append((total[s] - v) / (count[s] - 1) if s >= 0 else 0.0)
        out.append(means)
    return out


def _shares(tree: DomTree, gains: Sequence[float], features) -> tuple[list[float], list[float]]:
    """Return, per line, the content mass of its block's parent and of its kind of block, over the largest such."""
    blocks = tree.blocks()
    parents: dict[int, float] = {}
    kinds: dict[tuple, float] = {}
    keys = []
    for owner, gain, f in zip(tree.owner, gains, features):
        if not f.chars or owner < 0:
            keys.append(None)
            continue
        block = blocks[owner]
        parent = tree.parent[block]
        node = tree.node[block]
        kind = (node.tag, node.names, tree.node[parent].tag if parent >= 0 else "", tree.node[parent].names if parent >= 0 else ())
        keys.append((parent, kind))
        parents[parent] = parents.get(parent, 0.0) + gain
        kinds[kind] = kinds.get(kind, 0.0) + gain
    top_parent = max(parents.values(), default=0.0) or 1.0
    top_kind = max(kinds.values(), default=0.0) or 1.0
    return ([parents[k[0]] / top_parent if k else 0.0 for k in keys],
            [kinds[k[1]] / top_kind if k else 0.0 for k in keys])


def container_names(evidence_names: Sequence[str]) -> tuple[str, ...]:
    """Return the names of the numbers container_vectors gives, in order."""
    return CONTAINER_NAMES + tuple(f"{name}_{side}" for name in ROOT_SPLIT for side in ("in_root", "out_root"))


def container_matrix(tree: DomTree, logits: Sequence[float], features: Sequence[LineFeatures],
                     vectors: Sequence[Sequence[float]], evidence_names: Sequence[str],
                     settings: Mapping) -> numpy.ndarray:
    """Return each line's relation to the article as a row, in container_names() order."""
    s = settings
    n = len(features)
    clip = s["html.container.clip_logit"]
    clipped = [max(-clip, min(clip, z)) for z in logits]
    gains = _gains(logits, features, s, 0.0)
    container = find_container(tree, logits, features, s)
    in_root = tree.inside(_content_root(tree.sums(gains), s))
    near, far = _dom_context(tree, clipped, features, (s["html.container.near_lines"], s["html.container.far_lines"]))
    parent_share, kind_share = _shares(tree, gains, features)
    matrix = numpy.zeros((n, len(CONTAINER_NAMES) + 2 * len(ROOT_SPLIT)))
    for k, column in enumerate((tree.inside(container), in_root, near, far, parent_share, kind_share)):
        matrix[:, k] = column
    evidence = numpy.array(vectors, dtype=numpy.float64).reshape(n, len(evidence_names))
    short = numpy.array([f.words for f in features]) <= s["html.container.short_line_max_words"]
    for k, name in enumerate(ROOT_SPLIT):
        x = short if name == "short" else near if name == "dom_near" else evidence[:, evidence_names.index(name)]
        x = numpy.asarray(x, dtype=numpy.float64)
        in_column = len(CONTAINER_NAMES) + 2 * k   # "<name>_in_root", then "<name>_out_root"
        matrix[in_root, in_column] = x[in_root]
        matrix[~in_root, in_column + 1] = x[~in_root]
    return matrix


def container_vectors(tree: DomTree, logits: Sequence[float], features: Sequence[LineFeatures],
                      vectors: Sequence[Sequence[float]], evidence_names: Sequence[str],
                      settings: Mapping) -> list[tuple[float, ...]]:
    """Return each line's relation to the article, in container_names() order."""
    return list(map(tuple, container_matrix(tree, logits, features, vectors, evidence_names, settings).tolist()))
