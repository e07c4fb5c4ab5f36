"""Fit the in-file ranking's weights (``retrieval.IN_FILE_WEIGHTS``) on the development sets.

``python -m tests.bench.fit_in_file [--smoke]`` indexes a copy of the standard library,
and for every development question lists the chunks of the answer's file that the
in-file ranking looks at, with their features (``retrieval.in_file_features``). A
listwise logistic model (a softmax over each question's candidates, the answer's chunks
the target) is fitted by gradient descent, with the weights named in
``retrieval.HELD_IN_FILE_WEIGHTS`` held at their values in ``IN_FILE_WEIGHTS``. It prints the weights, then
checks them the honest way: each set is left out of a fit in turn and scored with it,
and the answers ranked first, among the first two and the first five in their file are
counted, next to the weights the code has now. The held-out set is never read.

Not a pytest test and not part of ``tests.bench.run``: it takes about a minute and
changes nothing; copy the weights it prints into ``retrieval.py`` by hand.
"""

from __future__ import annotations

import argparse
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from desktop.index import retrieval
from desktop.index.retrieval import FileRanker, SearchIndex, in_file_features, match_expression, prepare_query
from tests.bench.retrieval_eval import DEV_SETS, SMOKE_FILES, Question, indexed_corpus, question_sets
from tests.bench.retrieval_eval import answers as is_answer

FEATURES = tuple(retrieval.IN_FILE_WEIGHTS)
ITERATIONS = 300
RATE = 0.5
L2 = 0.01  # pulls the free weights toward 0, so a feature the data hardly uses stays small
CUTOFFS = (1, 2, 5)


@dataclass(frozen=True)
class Sample:
    """One question's candidates in its answer's file: a feature row per chunk, whether
    the chunk is (part of) the answer, and the definition name the ranking dedupes by."""

    set_name: str
    features: np.ndarray  # candidates x FEATURES
    answers: np.ndarray  # 1.0 where the chunk answers
    names: tuple[str | int, ...]


def collect(index: SearchIndex, set_name: str, questions: Sequence[Question]) -> list[Sample]:
    """The samples of ``questions`` whose answer is among the in-file candidates."""
    ranker = FileRanker()
    samples = []
    for question in questions:
        query = prepare_query(index, question.question, None, None, True)
        file_id = index.file_id(question.path)
        if file_id is None or not query.words:
            continue
        scored = index.match_chunks(index.weighing_match(query.words), ranker.limit, ranker.weights)
        infos = index.chunk_infos([chunk_id for chunk_id, _ in scored])
        rows = [(c, score) for c, score in scored if c in infos and infos[c].file_id == file_id]
        found = in_file_features(index, query, match_expression(query.words), file_id, rows)
        answers = [is_answer(chunk, question) for chunk, _ in found]
        if any(answers):
            samples.append(Sample(
                set_name,
                np.array([[features.get(name, 0.0) for name in FEATURES] for _, features in found]),
                np.array(answers, dtype=float),
                tuple(chunk.symbol or chunk.id for chunk, _ in found),
            ))
    return samples


def fit(samples: Sequence[Sample], fixed: Mapping[str, float]) -> dict[str, float]:
    """Weights that make each sample's answers likely under a softmax of the weighted
    features, the ``fixed`` ones held."""
    weights = np.zeros(len(FEATURES))
    for name in ("text", "symbol_text", "in_file", "name_coverage", "name_order", "mentions"):
        weights[FEATURES.index(name)] = 1.0
    for name, value in fixed.items():
        weights[FEATURES.index(name)] = value
    free = np.array([name not in fixed for name in FEATURES], dtype=float)
    for _ in range(ITERATIONS):
        gradient = np.zeros_like(weights)
        for sample in samples:
            scores = sample.features @ weights
            likely = np.exp(scores - scores.max())
            likely /= likely.sum()
            gradient += sample.features.T @ (likely - sample.answers / sample.answers.sum())
        weights -= RATE * free * (gradient / max(len(samples), 1) + L2 * weights)
    return {name: round(float(value), 2) for name, value in zip(FEATURES, weights)}


def placed(samples: Sequence[Sample], weights: Mapping[str, float], cutoff: int) -> int:
    """How many samples have an answer among the first ``cutoff`` definitions of their
    file, ranked as ``best_in_file`` ranks them (one place per definition name)."""
    vector = np.array([weights.get(name, 0.0) for name in FEATURES])
    count = 0
    for sample in samples:
        seen: list[str | int] = []
        for row in np.argsort(-(sample.features @ vector), kind="stable"):
            if sample.names[row] in seen:
                continue
            seen.append(sample.names[row])
            if sample.answers[row]:
                count += len(seen) <= cutoff
                break
            if len(seen) >= cutoff:
                break
    return count


def run(smoke: bool) -> list[str]:
    """Collect the samples, fit, and compare with the weights in the code, set by set."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    only = SMOKE_FILES if smoke else None
    with indexed_corpus(stdlib, only) as (_corpus, index, _seconds):
        index.refresh()
        samples = [s for name, qs in question_sets(DEV_SETS, stdlib, only).items() for s in collect(index, name, qs)]
    fixed = {name: retrieval.IN_FILE_WEIGHTS[name] for name in retrieval.HELD_IN_FILE_WEIGHTS}
    lines = [f"{len(samples)} questions with the answer among its file's candidates", f"fitted: {fit(samples, fixed)}"]
    held_out = {c: 0 for c in CUTOFFS}
    for name in dict.fromkeys(s.set_name for s in samples):
        weights = fit([s for s in samples if s.set_name != name], fixed)
        for cutoff in CUTOFFS:
            held_out[cutoff] += placed([s for s in samples if s.set_name == name], weights, cutoff)
    now = {c: placed(samples, retrieval.IN_FILE_WEIGHTS, c) for c in CUTOFFS}
    lines.append("answers first / in the first 2 / in the first 5 of their file: "
                 f"each set left out of its fit {held_out[1]} / {held_out[2]} / {held_out[5]}; "
                 f"the code's weights (fitted on all) {now[1]} / {now[2]} / {now[5]}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.bench.fit_in_file [--smoke]``."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench.fit_in_file")
    parser.add_argument("--smoke", action="store_true", help="a few packages only")
    args = parser.parse_args(argv)
    for line in run(args.smoke):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
