"""The reference graph and its PageRank: pure functions, checked on small graphs."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from desktop.index.graph import DAMPING, build_graph, edge_weight, pagerank, personalized_rank, renumbered


def test_pagerank_sums_to_one_and_favours_the_file_everyone_uses():
    # 1, 2 and 3 all use 0; 0 uses nothing.
    ranks = pagerank({0, 1, 2, 3}, {1: {0: 1.0}, 2: {0: 1.0}, 3: {0: 1.0}})
    assert sum(ranks.values()) == pytest.approx(1.0)
    assert max(ranks, key=ranks.get) == 0
    assert ranks[1] == pytest.approx(ranks[2]) == pytest.approx(ranks[3])


def test_pagerank_of_an_empty_graph_is_empty():
    assert pagerank(set(), {}) == {}


def test_heavier_edges_carry_more_rank():
    ranks = pagerank({0, 1, 2}, {0: {1: 9.0, 2: 1.0}})
    assert ranks[1] > ranks[2]


def test_personalized_rank_stays_near_the_seed():
    # two separate chains: 0 -> 1 -> 2 and 10 -> 11 -> 12
    edges = {0: {1: 1.0}, 1: {2: 1.0}, 10: {11: 1.0}, 11: {12: 1.0}}
    ranks = personalized_rank({0: 1.0}, edges)
    assert ranks[0] > ranks[1] > ranks[2] > 0
    assert not {10, 11, 12} & set(ranks)


def _exact_personal_rank(seeds, edges):
    """The same ranks by pushing every node's residue at once until none is left."""
    residue, rank = dict(seeds), defaultdict(float)
    while sum(residue.values()) > 1e-12:
        spread = defaultdict(float)
        for node, mass in residue.items():
            rank[node] += (1 - DAMPING) * mass
            out = edges.get(node, {})
            for target, weight in out.items():
                spread[target] += DAMPING * mass * weight / sum(out.values())
        residue = spread
    return rank


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_personalized_rank_is_close_to_the_exact_ranks(seed):
    chooser = random.Random(seed)
    edges = {
        node: {chooser.randrange(400): chooser.random() + 0.1 for _ in range(chooser.randrange(0, 15))}
        for node in range(400)
    }
    exact = _exact_personal_rank({0: 0.5, 7: 0.5}, edges)
    ranks = personalized_rank({0: 1.0, 7: 1.0}, edges)
    leading = sorted(exact, key=exact.get, reverse=True)[:20]
    assert all(ranks.get(node, 0.0) == pytest.approx(exact[node], rel=0.1) for node in leading)
    assert sum(abs(ranks.get(node, 0.0) - value) for node, value in exact.items()) < 0.05


def test_personalized_rank_without_seeds_is_empty():
    assert personalized_rank({}, {0: {1: 1.0}}) == {}
    assert personalized_rank({0: 0.0}, {0: {1: 1.0}}) == {}


def test_build_graph_links_users_to_definers_but_not_to_themselves():
    definers = {"parse": [1], "helper": [2, 1]}
    refs = [(2, "parse", 4), (1, "parse", 1), (3, "helper", 1)]
    graph = build_graph({1, 2, 3}, definers, refs)
    assert set(graph.edges[2]) == {1}
    assert 1 not in graph.edges  # file 1 only refers to its own definition
    assert set(graph.edges[3]) == {1, 2}
    assert graph.definition_rank[(1, "parse")] > 0
    assert (2, "parse") not in graph.definition_rank
    assert graph.file_rank[1] > graph.file_rank[3]


def test_names_with_many_definers_and_private_names_weigh_less():
    assert edge_weight(4, 1, "parse") > edge_weight(4, 2, "parse") > edge_weight(4, 10, "parse")
    assert edge_weight(1, 1, "_private") < edge_weight(1, 1, "public")
    assert edge_weight(9, 1, "x") == pytest.approx(3 * edge_weight(1, 1, "x"))


def test_references_to_unknown_names_are_ignored():
    graph = build_graph({1, 2}, {"known": [1]}, [(2, "unknown", 3)])
    assert dict(graph.edges) == {}
    assert graph.file_rank[1] == pytest.approx(graph.file_rank[2])


def test_renumbered_moves_every_id_and_drops_removed_files():
    graph = build_graph([1, 2, 3], {"parse": [1], "emit": [2]}, [(2, "parse", 3), (3, "parse", 1), (3, "emit", 2)])
    moved = renumbered(graph, {1: 11, 3: 3})  # file 1 re-indexed as 11, file 2 removed
    assert moved.nodes == {11, 3}
    assert moved.edges == {3: {11: graph.edges[3][1]}}
    assert moved.file_rank == {11: graph.file_rank[1], 3: graph.file_rank[3]}
    assert moved.definition_rank == {(11, "parse"): graph.definition_rank[(1, "parse")]}
    assert moved.rank_from_code == {(11, "parse"): graph.rank_from_code[(1, "parse")]}


def test_rank_from_code_leaves_out_what_flows_in_from_tests():
    # 2 is code and 3 a test; both use "parse" (defined in 1), only the test uses "check"
    graph = build_graph([1, 2, 3], {"parse": [1], "check": [1]}, [(2, "parse", 1), (3, "parse", 1), (3, "check", 4)], tests={3})
    assert graph.rank_from_code[(1, "parse")] < graph.definition_rank[(1, "parse")]
    assert graph.rank_from_code.get((1, "check"), 0.0) == 0.0 < graph.definition_rank[(1, "check")]
    untested = build_graph([1, 2, 3], {"parse": [1]}, [(2, "parse", 1), (3, "parse", 1)])
    assert untested.rank_from_code == untested.definition_rank
