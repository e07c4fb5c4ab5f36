from pathlib import Path

IGNORED_DIRS = {".git", "__pycache__", "node_modules", ".venv"}


def iter_source_files(root: Path, suffixes: tuple[str, ...] = (".py",)):
    for path in sorted(root.rglob("*")):
        if any(part in IGNORED_DIRS for part in path.parts):
            continue
        if path.is_file() and path.suffix in suffixes:
            yield path


def relative_names(root: Path, files) -> list[str]:
    names = []
    for path in files:
        names.append(str(path.relative_to(root)))
    return names


def count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle)
