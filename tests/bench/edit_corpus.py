"""How many realistic small-model answers the edit parser turns into the right file.

``python -m tests.bench.run edit_corpus`` or ``python -m tests.bench.edit_corpus``.

Each folder of ``tests/edit_corpus/`` holds ``original.<ext>``, the model's raw
``response.txt``, ``expected.<ext>`` (the file the edit should produce) and
``case.toml`` (``lines = "A-B"`` for a region answer, ``chat_apply = true`` for a chat code
block applied to a whole file, ``note``, or ``expect_error`` for
an answer that must be refused with that reason). A case passes when the parsed new
text equals the expected file (compared with ``\\n`` line endings) or, for an error
case, when the parser refuses with that reason. The smoke run does the same on the
first few cases.
"""

from __future__ import annotations

import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from desktop.assist.edits.model import EditError, NoUsableEdit
from desktop.assist.edits.parse import parse_response

CORPUS_DIR = Path(__file__).resolve().parent.parent / "edit_corpus"
HELDOUT_DIR = Path(__file__).resolve().parent.parent / "edit_corpus_heldout"  # written apart from the parser
FRESH_DIR = Path(__file__).resolve().parent.parent / "edit_corpus_fresh"  # written apart, after the held-out fixes
FINAL_DIR = Path(__file__).resolve().parent.parent / "edit_corpus_final"  # written apart, after all fixes; run once
SMOKE_CASES = 8


@dataclass(frozen=True)
class CaseResult:
    """One corpus case: whether the parse gave the expected outcome, and what it did."""

    name: str
    passed: bool
    detail: str  # the method and notes, or what went wrong


def corpus_cases(directory: Path = CORPUS_DIR) -> list[Path]:
    """The case folders, in name order."""
    return sorted(path for path in directory.iterdir() if (path / "case.toml").is_file())


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _single(folder: Path, stem: str) -> Path | None:
    found = sorted(folder.glob(f"{stem}.*"))
    return found[0] if found else None


def _region(spec: str | None) -> tuple[int, int] | None:
    if not spec:
        return None
    start, _, end = spec.partition("-")
    return int(start), int(end or start)


def run_case(folder: Path) -> CaseResult:
    """Parse one case's response against its original and compare with the expectation."""
    config = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    original = _single(folder, "original")
    if original is None:
        return CaseResult(folder.name, False, "no original.* file")
    base = _read(original)
    response = (folder / "response.txt").read_bytes().decode("utf-8")
    wanted_error = config.get("expect_error")
    try:
        parsed = parse_response(response, base, _region(config.get("lines")),
                                place_fragments=bool(config.get("chat_apply", False)))
    except NoUsableEdit as error:
        if wanted_error == error.reason:
            return CaseResult(folder.name, True, f"refused: {error.reason}")
        return CaseResult(folder.name, False, f"refused ({error.reason}): {error}")
    except EditError as error:
        return CaseResult(folder.name, False, f"error: {error}")
    if wanted_error:
        return CaseResult(folder.name, False, f"expected refusal {wanted_error!r}, got an edit ({parsed.method})")
    expected = _single(folder, "expected")
    if expected is None:
        return CaseResult(folder.name, False, "no expected.* file")
    detail = "; ".join((parsed.method, *parsed.notes))
    if parsed.new_text == _read(expected):
        return CaseResult(folder.name, True, detail)
    return CaseResult(folder.name, False, f"wrong text ({detail})")


def run_corpus(folders: list[Path]) -> list[CaseResult]:
    """Every case's result, in order."""
    return [run_case(folder) for folder in folders]


def success_share(results: list[CaseResult]) -> float:
    """The share of cases that passed (0.0 for none)."""
    return sum(result.passed for result in results) / len(results) if results else 0.0


CORPORA = (
    ("written with the parser", CORPUS_DIR),
    ("held-out (written apart; 33/40 on its first run)", HELDOUT_DIR),
    ("fresh (written apart; 40/44 on its first run)", FRESH_DIR),
    ("final (written apart after all other fixes; 51/52 on its one unseen run)", FINAL_DIR),
)


def run(smoke: bool) -> list[str]:
    """Every corpus in turn (what ``python -m tests.bench.run edit_corpus`` prints)."""
    lines: list[str] = []
    for label, directory in CORPORA:
        lines.append(f"{directory.name}: {label}")
        lines += [f"  {line}" for line in report(smoke, directory)]
    return lines


def report(smoke: bool, directory: Path = CORPUS_DIR) -> list[str]:
    """Report lines for one corpus: the share applied correctly, timing, and each failure."""
    folders = corpus_cases(directory)
    if smoke:
        folders = folders[:SMOKE_CASES]
    started = time.perf_counter()
    results = run_corpus(folders)
    elapsed = time.perf_counter() - started
    passed = sum(result.passed for result in results)
    lines = [
        f"applied correctly: {passed}/{len(results)} = {success_share(results):.1%} (target >= 95%)",
        f"parse time: {elapsed * 1000 / max(len(results), 1):.1f} ms per case",
    ]
    lines += [f"FAIL {result.name}: {result.detail}" for result in results if not result.passed]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the report of every corpus; or of one: ``--heldout``
    (``tests/edit_corpus_heldout/``), ``--dir PATH``, or ``-v`` (``tests/edit_corpus/``,
    also listing how each passing case was parsed).
    """
    args = sys.argv[1:] if argv is None else argv
    directory = HELDOUT_DIR if "--heldout" in args else CORPUS_DIR
    if "--dir" in args and args.index("--dir") + 1 < len(args):
        directory = Path(args[args.index("--dir") + 1])
    elif "--heldout" not in args and "-v" not in args:
        for line in run(smoke="--smoke" in args):
            print(line)
        return 0
    for line in report(smoke="--smoke" in args, directory=directory):
        print(line)
    if "-v" in args:
        for result in run_corpus(corpus_cases(directory)):
            if result.passed:
                print(f"ok   {result.name}: {result.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
