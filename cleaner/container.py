"""HTML input: where the article lies in the DOM, found from the lines' own logits.

In: a page's logits (the text score shifted by each line's own evidence), its lines' features
and DomEvidence, and the `html.container.*` settings. Out: per line, numbers that say how it
sits towards the article: inside the article container (readability's top candidate, scored by
cleaner's lines), inside the content root, what its DOM neighbours score, how much content its
block's parent and its kind of block hold. Nothing here weighs them: evidence.py does.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence, TypeVar

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
    """The elements around a page's lines: each one's parent and span, and the element that owns each line."""

    def __init__(self, evidence: Sequence[DomEvidence]):
        self.node: dict[int, DomNode] = {}
        self.parent: dict[int, int] = {}
        self.owner: list[int] = []
        for ev in evidence:
            path = ev.path
            self.owner.append(path[-1].index if path else -1)
            for k in range(len(path) - 1, -1, -1):
                index = path[k].index
                if index in self.node:
                    break
                self.node[index] = path[k]
                self.parent[index] = path[k - 1].index if k else -1
        self.bottom_up = sorted(self.node, reverse=True)   # descendants come after their ancestors

    def sums(self, values: Sequence[float]) -> dict[int, float]:
        """Return, per element, the sum of the values of the lines inside it."""
        total = dict.fromkeys(self.node, 0.0)
        for owner, value in zip(self.owner, values):
            if owner >= 0:
                total[owner] += value
        for index in self.bottom_up:
            up = self.parent[index]
            if up >= 0:
                total[up] += total[index]
        return total

    def inherit(self, own: Callable[[DomNode], T], combine: Callable[[T, T], T], top: T) -> dict[int, T]:
        """Return, per element, its own value combined with what it inherits from the elements around it."""
        out: dict[int, T] = {}
        for index in reversed(self.bottom_up):   # ancestors first
            up = self.parent[index]
            out[index] = combine(out[up] if up >= 0 else top, own(self.node[index]))
        return out

    def inside(self, line: int, element: int | None) -> bool:
        """Return whether a line lies inside an element."""
        if element is None:
            return False
        node = self.node[element]
        return node.index <= self.owner[line] <= node.end

    def chain(self, element: int) -> tuple[int, ...]:
        """Return an element and its ancestors, outermost first."""
        out = []
        while element >= 0:
            out.append(element)
            element = self.parent[element]
        return tuple(reversed(out))

    def block(self, line: int) -> int:
        """Return the line's block: the nearest element around it a browser lays out as a block."""
        index = self.owner[line]
        while index >= 0 and self.node[index].tag not in BLOCK_TAGS:
            index = self.parent[index]
        return index if index >= 0 else self.owner[line]


def _gains(logits, features, settings, negative_scale: float) -> list[float]:
    """Return each line's content mass: its clipped logit weighted by its length (boilerplate's scaled)."""
    clip, unit = settings["html.container.clip_logit"], settings["html.container.chars_unit"]
    out = []
    for z, f in zip(logits, features):
        gain = max(-clip, min(clip, z)) * (1.0 + f.chars / unit) if f.chars else 0.0
        out.append(gain * negative_scale if gain < 0 else gain)
    return out


def find_container(tree: DomTree, logits: Sequence[float], features: Sequence[LineFeatures],
                   settings: Mapping) -> int | None:
    """Return the element whose lines hold the most content mass (boilerplate's scaled by negative_scale)."""
    total = tree.sums(_gains(logits, features, settings, settings["html.container.negative_scale"]))
    if not total:
        return None
    best = max(total, key=lambda n: (total[n], n))   # ties: the deeper (later) element
    return best if total[best] > 0 else None


def find_content_root(tree: DomTree, logits: Sequence[float], features: Sequence[LineFeatures],
                      settings: Mapping) -> int | None:
    """Return the deepest element holding root_mass_share of the page's content mass."""
    total = tree.sums(_gains(logits, features, settings, 0.0))
    page = max(total.values(), default=0.0)
    if page <= 0:
        return None
    share = settings["html.container.root_mass_share"]
    return max(n for n, mass in total.items() if mass >= share * page)


def _dom_context(tree: DomTree, values: Sequence[float], features, min_lines: int) -> list[float]:
    """Return, per line, the mean value of the other lines in the nearest element holding min_lines."""
    count = tree.sums([1.0 if f.chars else 0.0 for f in features])
    total = tree.sums([v if f.chars else 0.0 for v, f in zip(values, features)])
    out = []
    for line, (v, f) in enumerate(zip(values, features)):
        index = tree.owner[line]
        while f.chars and index >= 0 and count[index] < min_lines:
            index = tree.parent[index]
        out.append((total[index] - v) / (count[index] - 1) if f.chars and index >= 0 else 0.0)
    return out


def _shares(tree: DomTree, logits, features, settings) -> tuple[list[float], list[float]]:
    """Return, per line, the content mass of its block's parent and of its kind of block, over the largest such."""
    gains = _gains(logits, features, settings, 0.0)
    parents: dict[int, float] = {}
    kinds: dict[tuple, float] = {}
    keys = []
    for line, (gain, f) in enumerate(zip(gains, features)):
        if not f.chars or tree.owner[line] < 0:
            keys.append(None)
            continue
        block = tree.block(line)
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


def container_vectors(tree: DomTree, logits: Sequence[float], features: Sequence[LineFeatures],
                      vectors: Sequence[Sequence[float]], evidence_names: Sequence[str],
                      settings: Mapping) -> list[tuple[float, ...]]:
    """Return each line's relation to the article, in container_names() order."""
    s = settings
    clip = s["html.container.clip_logit"]
    clipped = [max(-clip, min(clip, z)) for z in logits]
    container = find_container(tree, logits, features, s)
    root = find_content_root(tree, logits, features, s)
    near = _dom_context(tree, clipped, features, s["html.container.near_lines"])
    far = _dom_context(tree, clipped, features, s["html.container.far_lines"])
    parent_share, kind_share = _shares(tree, logits, features, s)
    split = [evidence_names.index(name) if name in evidence_names else None for name in ROOT_SPLIT]
    short = s["html.container.short_line_max_words"]
    out = []
    for line, (f, vec) in enumerate(zip(features, vectors)):
        in_root = tree.inside(line, root)
        own = (float(tree.inside(line, container)), float(in_root), near[line], far[line],
               parent_share[line], kind_share[line])
        sides = []
        for name, k in zip(ROOT_SPLIT, split):
            x = float(f.words <= short) if name == "short" else near[line] if name == "dom_near" else vec[k]
            sides += (x, 0.0) if in_root else (0.0, x)
        out.append(own + tuple(sides))
    return out
