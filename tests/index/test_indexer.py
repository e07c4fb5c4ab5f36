"""The indexer on real project folders: incremental updates, bad input, cancel, workers."""

from __future__ import annotations

import codecs
import contextlib
import functools
import os
import shutil
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.errors import ProjectError, StorageError
from desktop.core.paths import HearthPaths
from desktop.index import indexer as indexer_module
from desktop.index import scanner
from desktop.index import store as store_module
from desktop.index.indexer import PARALLEL_MIN_FILES, IndexProgress, Indexer
from desktop.index.scanner import generated_by_name, holds_private_key, is_secret_path, marked_generated
from desktop.index.store import IndexReader, open_reader

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"


def run(indexer: Indexer, cancel: CancelToken | None = None) -> list[IndexProgress]:
    return list(indexer.update(cancel or CancelToken()))


def reader(indexer: Indexer) -> IndexReader:
    return IndexReader(open_reader(indexer.db_path))


@pytest.fixture
def paths():
    return HearthPaths.from_env()


@pytest.fixture
def make_indexer(paths):
    made: list[Indexer] = []

    def make(root: Path, **kwargs) -> Indexer:
        indexer = Indexer(root, paths, **kwargs)
        made.append(indexer)
        return indexer

    yield make
    for indexer in made:
        indexer.close()


def write(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    write(root, "src/app.py", "def start_server(port):\n    \"\"\"Start it.\"\"\"\n    return listen(port)\n")
    write(root, "src/net.py", "def listen(port):\n    return port\n")
    write(root, "README.md", "# Demo\n\nA small project.\n")
    write(root, "web/main.ts", "export function renderPage(title: string) {\n  return title;\n}\n")
    return root


def test_cold_then_unchanged_then_changed_then_deleted(project, make_indexer):
    indexer = make_indexer(project, workers=1)
    before = snapshot(project)
    progress = run(indexer)
    assert progress[-1].phase == "done"
    assert all(isinstance(p, IndexProgress) for p in progress)
    summary = indexer.summary
    assert (summary.files_indexed, summary.files_changed) == (4, 4)
    names = {s.name for s in reader(indexer).symbols_named("start_server")}
    assert names == {"start_server"}

    run(indexer)
    assert indexer.summary.files_changed == 0 and indexer.summary.files_indexed == 4

    write(project, "src/net.py", "def listen(port, host):\n    return host\n\ndef accept_client():\n    pass\n")
    run(indexer)
    assert indexer.summary.files_changed == 1
    assert len(reader(indexer).symbols_named("accept_client")) == 1

    (project / "src" / "net.py").unlink()
    run(indexer)
    assert indexer.summary.files_removed == 1 and indexer.summary.files_indexed == 3
    assert reader(indexer).symbols_named("accept_client") == []
    assert snapshot(project) == {k: v for k, v in before.items() if k != "src/net.py"}  # nothing written into the project


def test_same_content_new_mtime_keeps_rows(project, make_indexer):
    indexer = make_indexer(project, workers=1)
    run(indexer)
    (before,) = reader(indexer).symbols_named("start_server")
    path = project / "src" / "app.py"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    run(indexer)
    (after,) = reader(indexer).symbols_named("start_server")
    assert after.id == before.id  # confirmed unchanged by its hash: not re-parsed
    run(indexer)
    assert indexer.summary.files_changed == 0  # the new mtime was recorded


def test_bad_inputs_are_skipped_with_reasons(project, make_indexer):
    write(project, ".env", "API_TOKEN=abc\n")
    write(project, ".env.local", "API_TOKEN=abc\n")
    write(project, ".env.example", "API_TOKEN=\n")
    write(project, "deploy/id_rsa", KEY)
    write(project, "deploy/server.pem", KEY)
    write(project, "deploy/credentials.json", "{}\n")
    write(project, "notes/key.txt", "my key:\n" + KEY)
    write(project, "static/logo.png", PNG)
    write(project, "static/bundle.min.js", "var a=1;" * 2000 + "\n")
    huge = write(project, "data/dump.sql", "INSERT INTO t VALUES (1);\n")
    with huge.open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)  # a single 50 MB file
    write(project, "legacy/latin.py", b"def caf\xe9_menu():\n    return '\xe9t\xe9'\n")  # invalid UTF-8
    write(project, "web/package-lock.json", '{\n  "name": "web",\n  "lockfileVersion": 3\n}\n')
    write(project, "api/user_pb2.py", "from google.protobuf import descriptor\n")
    write(project, "api/server.go", "// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage api\n")
    write(project, "notes/long.md", "a line of notes\n" * 6000 + KEY)  # a key far into a file
    os.symlink(project / ".env", project / "settings.ini")  # an innocent name for a secret
    os.symlink("/proc/self/mem", project / "memory.txt")  # outside the project (and unreadable)
    outside = write(project.parent, "elsewhere/config.ini", "token = 1\n")
    os.symlink(outside, project / "config.ini")
    os.symlink(project / "gone.py", project / "dangling.py")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    skipped = {s.path: s.reason for s in reader(indexer).skipped()}
    assert skipped == {
        ".env": "secret", ".env.local": "secret", "deploy/id_rsa": "secret", "deploy/server.pem": "secret",
        "deploy/credentials.json": "secret", "notes/key.txt": "secret", "notes/long.md": "secret",
        "static/logo.png": "binary", "static/bundle.min.js": "minified", "data/dump.sql": "too-large",
        "settings.ini": "link", "memory.txt": "link", "config.ini": "link", "dangling.py": "link",
        "web/package-lock.json": "generated", "api/user_pb2.py": "generated", "api/server.go": "generated",
    }
    assert indexer.summary.skipped == {"binary": 1, "minified": 1, "generated": 3, "secret": 7, "too-large": 1, "link": 4}
    details = {s.path: s.detail for s in reader(indexer).skipped()}
    assert details["settings.ini"] == "points to .env"
    assert details["config.ini"] == f"points outside the project, to {outside.resolve()}"
    assert details["dangling.py"] == "points to nothing"
    files = {f.path for f in reader(indexer).files()}
    assert ".env.example" in files and "legacy/latin.py" in files
    assert [s.name for s in reader(indexer).symbols_named("café_menu")] == ["café_menu"]
    run(indexer)
    assert indexer.summary.files_changed == 0  # skipped files are not read again until they change


def test_permission_denied_is_recorded(project, make_indexer, unprivileged):
    path = write(project, "locked.py", "x = 1\n")
    path.chmod(0)
    try:
        indexer = make_indexer(project, workers=1)
        run(indexer)
        assert {s.path: s.reason for s in reader(indexer).skipped()}["locked.py"] == "unreadable"
    finally:
        path.chmod(0o644)


def test_a_file_made_readable_is_indexed_live_and_by_a_full_update(project, make_indexer, unprivileged):
    saved = write(project, "saved.py", "def savedLater():\n    pass\n")
    opened = write(project, "opened.py", "def openedLater():\n    pass\n")
    for path in (saved, opened):
        path.chmod(0)
    try:
        indexer = make_indexer(project, workers=1)
        run(indexer)
        assert {s.path: s.reason for s in reader(indexer).skipped()} == dict.fromkeys(("opened.py", "saved.py"), "unreadable")
        for path in (saved, opened):
            path.chmod(0o644)  # neither size nor mtime changes
        list(indexer.update_paths([saved], CancelToken()))
        assert reader(indexer).symbols_named("savedLater")
        run(indexer)
        assert reader(indexer).symbols_named("openedLater") and reader(indexer).skipped() == []
    finally:
        for path in (saved, opened):
            path.chmod(0o644)


def test_files_past_the_file_limit_are_indexed_once_the_project_shrinks(tmp_path, make_indexer, monkeypatch):
    monkeypatch.setattr(indexer_module, "scan", functools.partial(scanner.scan, max_files=5))
    root = tmp_path / "proj"
    for n in range(8):
        write(root, f"m{n}.py", f"def function_{n}():\n    pass\n")
    indexer = make_indexer(root, workers=1)
    run(indexer)
    assert {s.path: s.reason for s in reader(indexer).skipped()} == dict.fromkeys(("m5.py", "m6.py", "m7.py"), "too-many-files")
    for n in range(3):
        (root / f"m{n}.py").unlink()
    run(indexer)
    assert [f.path for f in reader(indexer).files()] == ["m3.py", "m4.py", "m5.py", "m6.py", "m7.py"]
    assert reader(indexer).skipped() == [] and reader(indexer).symbols_named("function_7")


def test_live_updates_keep_to_the_file_limit_and_take_in_skipped_files_when_there_is_room(
    tmp_path, make_indexer, monkeypatch
):
    monkeypatch.setattr(scanner, "MAX_INDEX_FILES", 5)
    root = tmp_path / "proj"
    for n in range(7):
        write(root, f"m{n}.py", f"def function_{n}():\n    pass\n")
    indexer = make_indexer(root, workers=1)
    run(indexer)

    def skipped() -> dict[str, str]:
        return {s.path: f"{s.reason}: {s.detail}" for s in reader(indexer).skipped()}

    def indexed() -> list[str]:
        return [f.path for f in reader(indexer).files()]

    assert skipped() == dict.fromkeys(("m5.py", "m6.py"), "too-many-files: over 5 files")
    created = [write(root, "new.py", "def created_later():\n    pass\n"), write(root, "pkg/a.py", "x = 1\n")]
    list(indexer.update_paths([created[0], root / "pkg"], CancelToken()))
    assert indexed() == ["m0.py", "m1.py", "m2.py", "m3.py", "m4.py"]
    assert skipped() == dict.fromkeys(("m5.py", "m6.py", "new.py", "pkg/a.py"), "too-many-files: over 5 files")
    write(root, "m2.py", "def changed_at_the_limit():\n    pass\n")
    (root / "m3.py").rename(root / "moved.py")
    list(indexer.update_paths([root / "m2.py", root / "m3.py", root / "moved.py"], CancelToken()))
    assert indexed() == ["m0.py", "m1.py", "m2.py", "m4.py", "moved.py"]
    assert reader(indexer).symbols_named("changed_at_the_limit")
    for name in ("m0.py", "m1.py"):
        (root / name).unlink()
    list(indexer.update_paths([root / "m0.py", root / "m1.py"], CancelToken()))
    assert indexed() == ["m2.py", "m4.py", "m5.py", "m6.py", "moved.py"]  # taken in by path, as room allows
    assert skipped() == dict.fromkeys(("new.py", "pkg/a.py"), "too-many-files: over 5 files")
    run(indexer)  # a full update agrees
    assert indexed() == ["m2.py", "m4.py", "m5.py", "m6.py", "moved.py"] and len(skipped()) == 2


def test_generated_files_by_name_and_by_their_first_lines():
    for name in ("yarn.lock", "Cargo.lock", "go.sum", "poetry.lock"):
        assert generated_by_name(f"any/{name}") == "a lockfile", name
    assert generated_by_name("api/user_pb2_grpc.py") == "generated code, by its name (*_pb2_grpc.py)"
    assert generated_by_name("ui/Form1.Designer.cs") == "generated code, by its name (*.designer.cs)"
    for name in ("lock.py", "locking.go", "package.json", "pb2.py", "designer.py"):
        assert generated_by_name(f"any/{name}") is None, name
    assert marked_generated("// Code generated by stringer -type=Kind; DO NOT EDIT.\n\npackage x\n")
    assert marked_generated("# -*- coding: utf-8 -*-\n# Generated by the protocol buffer compiler.  DO NOT EDIT!\n")
    assert marked_generated("/**\n * @generated SignedSource<<abc>>\n */\n")
    assert marked_generated("// <auto-generated>\n//     This code was generated by a tool.\n")
    assert not marked_generated("# Autogenerated by Sphinx on Mon Dec 4\ntopics = {}\n")  # no "do not edit"
    assert not marked_generated("def f():\n    pass\n" * 10 + "# Code generated by hand. DO NOT EDIT.\n")  # too far down
    assert not marked_generated("# Please do not edit the generated docs by hand.\n")
    assert not marked_generated('HEADER = "// Code generated by gen.py. DO NOT EDIT."\n')  # the generator itself
    assert not marked_generated("The API client is generated by openapi-gen; do not edit it by hand.\n")
    assert not marked_generated("# Contact: ci@generated-builds.example.com\n")


def test_secret_names():
    for name in (".env", ".env.production", "prod.env", "id_ed25519", "id_rsa.pub", "site.key", ".netrc", ".git-credentials",
                 "server.ppk", "secret.yaml", "secrets.yaml.bak", "client_secret_123.apps.googleusercontent.com.json",
                 ".docker/config.json", ".kube/config", "kubeconfig", "kubeconfig.yaml", "secret.yaml.bak",
                 "credentials.json.bak", "secrets.toml.old", ".kube/config~", ".vault-token", ".env.orig",
                 "credentials.json.bak~", "server.key.orig~", ".env-prod", ".env_local", ".env2", ".envprod", ".envrc"):
        assert is_secret_path(f"any/{name}"), name
    assert is_secret_path(".kube/config") and is_secret_path(".docker/config.json")  # at the project's top
    for name in (".env.example", "secrets.py", "environment.py", "keyboard.c", "README.md", "config.json",
                 "app/config", "docker/config.json", "secret_santa.py", "settings.py.bak", ".env.example.bak",
                 "pkg/kubeconfig/kubeconfig.go", "kubeconfig_test.go"):
        assert not is_secret_path(name), name


def test_empty_project(tmp_path, make_indexer):
    root = tmp_path / "empty"
    root.mkdir()
    indexer = make_indexer(root)
    progress = run(indexer)
    assert progress[-1].phase == "done"
    assert (indexer.summary.files_indexed, indexer.summary.chunks, indexer.summary.skipped) == (0, 0, {})


def test_everything_ignored(project, make_indexer):
    write(project, ".gitignore", "*\n")
    indexer = make_indexer(project)
    run(indexer)
    assert indexer.summary.files_indexed == 0 and indexer.summary.skipped == {}


def test_a_whitelist_gitignore_indexes_what_git_keeps(project, make_indexer):
    write(project, ".gitignore", "*\n!*/\n!*.py\n")  # folders and Python files only
    indexer = make_indexer(project, workers=1)
    run(indexer)
    assert indexer.summary.files_indexed == 2  # src/app.py and src/net.py


def test_the_git_file_of_a_worktree_is_not_indexed(project, make_indexer):
    write(project, ".git", "gitdir: /elsewhere/repo/.git/worktrees/proj\n")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    assert indexer.summary.files_indexed == 4 and indexer.summary.skipped == {}


def test_symlink_loop_is_walked_once(project, make_indexer):
    os.symlink(project, project / "src" / "loop")
    os.symlink(project / "src", project / "web" / "back")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    assert indexer.summary.files_indexed == 4


def test_missing_project_is_a_clear_error(tmp_path, make_indexer):
    indexer = make_indexer(tmp_path / "nope")
    with pytest.raises(ProjectError, match="not there"):
        run(indexer)


def test_project_deleted_while_indexing(project, make_indexer):
    for i in range(30):
        write(project, f"pkg/m{i}.py", f"def f{i}():\n    pass\n")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    updates = indexer.update(CancelToken())
    first = next(updates)
    assert first.phase == "scanning"
    shutil.rmtree(project)
    with pytest.raises(ProjectError, match="not there any more"):
        list(updates)
    # the index was not wiped by the empty walk and still opens
    assert reader(indexer).stats().files == 34


def many_files(root: Path, count: int) -> None:
    for i in range(count):
        write(
            root, f"pkg{i % 7}/module_{i}.py",
            f"class Widget{i}:\n    \"\"\"Widget number {i}.\"\"\"\n\n    def drawShape{i}(self):\n"
            f"        return helper_{i % 5}(self)\n\n\ndef helper_{i}(x):\n    return Widget{i}()\n",
        )


def rows(indexer: Indexer) -> tuple:
    conn = open_reader(indexer.db_path)
    symbols = sorted(tuple(r) for r in conn.execute("SELECT f.path, s.name, s.kind, s.scope, s.start_line, s.end_line, s.doc FROM symbols s JOIN files f ON f.id=s.file_id"))
    chunks = sorted(tuple(r) for r in conn.execute("SELECT path, start_line, end_line, kind, symbol, text FROM chunk_view"))
    refs = sorted(tuple(r) for r in conn.execute("SELECT f.path, r.name, r.count, r.line FROM refs r JOIN files f ON f.id=r.file_id"))
    return symbols, chunks, refs


def test_worker_processes_give_the_same_index(tmp_path):
    root = tmp_path / "many"
    many_files(root, PARALLEL_MIN_FILES * 2)
    parallel = Indexer(root, HearthPaths.under(tmp_path / "a"), workers=2)
    serial = Indexer(root, HearthPaths.under(tmp_path / "b"), workers=1)
    try:
        run(parallel)
        run(serial)
        assert parallel.summary.files_indexed == PARALLEL_MIN_FILES * 2
        assert rows(parallel) == rows(serial)
    finally:
        parallel.close()
        serial.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_cancel_keeps_work_and_next_run_resumes(tmp_path, make_indexer, workers):
    root = tmp_path / "many"
    total = PARALLEL_MIN_FILES * 3
    many_files(root, total)
    indexer = make_indexer(root, workers=workers)
    token = CancelToken()
    updates = indexer.update(token)
    with pytest.raises(Cancelled):
        for progress in updates:
            if progress.phase == "indexing":
                assert 0 < progress.files_done <= progress.files_total == total
                token.cancel()
    done_before = reader(indexer).stats().files
    assert 0 < done_before < total
    run(indexer)
    assert indexer.summary.files_indexed == total
    assert indexer.summary.files_changed == total - done_before


def test_a_cold_build_leaves_the_writer_durable_again_done_or_cancelled(tmp_path, make_indexer):
    root = tmp_path / "many"
    many_files(root, PARALLEL_MIN_FILES)
    indexer = make_indexer(root, workers=1)
    token = CancelToken()
    with pytest.raises(Cancelled):
        for progress in indexer.update(token):
            if progress.phase == "indexing":
                token.cancel()
    # The writer's connection is kept for the next update (a private detail, read only).
    assert indexer._store.conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    run(indexer)
    assert indexer._store.conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert indexer.summary.files_indexed == PARALLEL_MIN_FILES


def test_update_paths_handles_created_changed_deleted_and_folders(project, make_indexer):
    indexer = make_indexer(project, workers=1)
    run(indexer)
    write(project, "src/new.py", "def brandNewThing():\n    pass\n")
    write(project, "lib/deep/util.py", "def deep_helper():\n    pass\n")
    write(project, "lib/.env", "TOKEN=1\n")
    write(project, "node_modules/dep/index.js", "function ignoredDep() {}\n")
    shutil.rmtree(project / "web")
    list(indexer.update_paths(
        [project / "src" / "new.py", project / "lib", project / "web", project / "node_modules" / "dep" / "index.js"],
        CancelToken(),
    ))
    r = reader(indexer)
    assert len(r.symbols_named("brandNewThing")) == 1
    assert len(r.symbols_named("deep_helper")) == 1
    assert r.symbols_named("renderPage") == []
    assert r.symbols_named("ignoredDep") == []
    assert {s.path: s.reason for s in r.skipped()} == {"lib/.env": "secret"}
    assert indexer.summary.files_removed == 1  # web/main.ts; node_modules was never indexed


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names differing in case only are one file there")
def test_a_deleted_folder_leaves_the_files_of_one_named_in_other_case(project, make_indexer):
    write(project, "Docs/guide.md", "# Upper guide\n")
    write(project, "docs/notes.md", "# Lower notes\n")
    write(project, "docs/.env", "TOKEN=1\n")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    shutil.rmtree(project / "Docs")
    list(indexer.update_paths([project / "Docs"], CancelToken()))
    r = reader(indexer)
    assert {f.path for f in r.files() if f.path.lower().startswith("docs/")} == {"docs/notes.md"}
    assert {s.path for s in r.skipped()} == {"docs/.env"}


def test_a_folder_that_arrives_with_an_event_per_file_is_read_once(project, make_indexer):
    indexer = make_indexer(project, workers=1)
    run(indexer)
    for n in range(5):
        write(project, f"moved/m{n}.py", f"def moved_{n}():\n    pass\n")
    events = [project / "moved", *sorted((project / "moved").iterdir())]  # as a watcher reports a move-in
    list(indexer.update_paths(events, CancelToken()))
    assert indexer.summary.files_changed == 5
    assert len(reader(indexer).symbols_named("moved_3")) == 1


def test_cancel_stops_a_live_update_while_it_walks_a_folder_that_arrived(project, make_indexer, monkeypatch):
    indexer = make_indexer(project, workers=1)
    run(indexer)
    for n in range(500):  # in one folder: the walk itself checks cancel once per folder
        write(project, f"vendor/f{n}.py", "x = 1\n")
    token = CancelToken()
    classified: list[str] = []
    classify = scanner.classify

    def classify_and_cancel(path: Path, relative: str, root: Path) -> scanner.ScannedFile | scanner.Skip:
        classified.append(relative)
        if len(classified) == 10:
            token.cancel()
        return classify(path, relative, root)

    monkeypatch.setattr(scanner, "classify", classify_and_cancel)
    with pytest.raises(Cancelled):
        list(indexer.update_paths([project / "vendor"], token))
    assert len(classified) <= 11
    monkeypatch.undo()
    list(indexer.update_paths([project / "vendor"], CancelToken()))
    assert reader(indexer).stats().files == 504


def test_a_live_update_of_a_folder_reads_what_the_index_knows_below_it_at_once(project, make_indexer):
    for n in range(200):
        write(project, f"vendor/f{n}.py", f"def function_{n}():\n    pass\n")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    statements: list[str] = []
    indexer._store.conn.set_trace_callback(statements.append)  # a private detail, only watched
    events = [project / "vendor", *sorted((project / "vendor").iterdir())]  # as a watcher reports a move-in
    list(indexer.update_paths(events, CancelToken()))
    assert indexer.summary.files_changed == 0
    assert len(statements) < 50, statements[:60]


def test_a_live_update_of_a_folder_forgets_what_is_not_there_any_more(project, make_indexer):
    """A batch whose file events were lost (the system's event queue overflowed)."""
    write(project, "lib/a.py", "def kept_here():\n    pass\n")
    write(project, "lib/sub/b.py", "def gone_now():\n    pass\n")
    write(project, "lib/sub/.env", "TOKEN=1\n")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    shutil.rmtree(project / "lib" / "sub")
    list(indexer.update_paths([project / "lib"], CancelToken()))
    assert [f.path for f in reader(indexer).files() if f.path.startswith("lib/")] == ["lib/a.py"]
    assert reader(indexer).skipped() == [] and indexer.summary.files_removed == 2


def test_a_folder_nested_a_thousand_deep_made_live_is_walked(project, make_indexer):
    indexer = make_indexer(project, workers=1)
    run(indexer)
    folders = [os.path.join(project, "deep")]
    for _ in range(1000):
        folders.append(os.path.join(folders[-1], "d"))
    leaf = Path(folders[-1], "leaf.py")
    try:
        for folder in folders:  # one by one: Path.mkdir(parents=True) recurses too
            os.mkdir(folder)
        leaf.write_text("def deepLeaf():\n    pass\n")
        list(indexer.update_paths([project / "deep"], CancelToken()))
        assert [s.path.count("/") for s in reader(indexer).symbols_named("deepLeaf")] == [1001]
    finally:  # pytest's own clean-up of old temporary folders would recurse too deep
        leaf.unlink(missing_ok=True)
        for folder in reversed(folders):
            with contextlib.suppress(FileNotFoundError):
                os.rmdir(folder)


def test_links_inside_the_project_do_not_bring_in_secrets_or_ignored_files(project, make_indexer):
    # Each alias sorts before what it points to, so following it would walk the target first.
    write(project, "tools/.docker/config.json", '{"auths": {"registry": {"auth": "c2VjcmV0"}}}\n')
    write(project, ".git/config", "url = https://user:ghp_TOKEN@github.com/x\n")
    write(project, ".venv-x/pyvenv.cfg", "")
    write(project, ".venv-x/lib/site-packages/requests/api.py", "def get(url):\n    return url\n")
    os.symlink(project / "tools" / ".docker", project / "auth")
    os.symlink(project / ".git" / "config", project / "gitcfg.txt")
    os.symlink(project / ".venv-x" / "lib" / "site-packages", project / "vendored")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    files = {f.path for f in reader(indexer).files()}
    assert not any(path.startswith(("auth/", "vendored/", "tools/.docker")) or path == "gitcfg.txt" for path in files)
    skipped = {s.path: s.reason for s in reader(indexer).skipped()}
    assert skipped["tools/.docker/config.json"] == "secret"
    assert (skipped["auth"], skipped["gitcfg.txt"], skipped["vendored"]) == ("link", "link", "link")


def test_a_link_to_a_folder_outside_the_project_made_live_is_not_walked(project, make_indexer, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere, "passwords.txt", "root:x:0:0\n")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    os.symlink(elsewhere, project / "etc")
    os.symlink(project / "gone.py", project / "src" / "dangling.py")
    list(indexer.update_paths([project / "etc", project / "src" / "dangling.py"], CancelToken()))
    assert not any(f.path.startswith("etc/") for f in reader(indexer).files())
    assert {s.path: s.reason for s in reader(indexer).skipped()} == {"etc": "link", "src/dangling.py": "link"}


def test_cancel_while_scanning(project, make_indexer):
    indexer = make_indexer(project, workers=1)
    token = CancelToken()
    updates = indexer.update(token)
    assert next(updates).phase == "scanning"
    token.cancel()
    with pytest.raises(Cancelled):
        list(updates)
    run(indexer)  # the indexer is usable again and finishes the job
    assert indexer.summary.files_indexed == 4


def test_a_killed_worker_does_not_lose_the_index(tmp_path, make_indexer):
    root = tmp_path / "many"
    total = PARALLEL_MIN_FILES * 10  # far more batches than are done by the first progress
    many_files(root, total)
    indexer = make_indexer(root, workers=2)
    updates = indexer.update(CancelToken())
    for progress in updates:
        if progress.phase == "indexing":
            for pid in list(indexer._pool._processes):  # a real fault: the OOM killer, a user's kill
                os.kill(pid, signal.SIGKILL)
            break
    list(updates)
    assert indexer.workers == 1  # carried on in-process
    assert indexer.summary.files_indexed == total
    assert len(reader(indexer).symbols_named(f"Widget{total - 1}")) == 1


def test_hearth_state_inside_the_project_is_not_indexed(project):
    paths = HearthPaths.under(project / "hearth-state")
    write(paths.log_dir, "hearth.log", "INFO opened the project\n")  # the log and settings too
    write(paths.config_dir, "settings.json", '{"host": "http://127.0.0.1:11434"}\n')
    indexer = Indexer(project, paths, workers=1)
    try:
        run(indexer)
        run(indexer)  # the database now exists inside the project
        assert indexer.summary.files_changed == 0
        assert {f.path for f in reader(indexer).files()} == {"src/app.py", "src/net.py", "README.md", "web/main.ts"}
        assert reader(indexer).skipped() == []
        list(indexer.update_paths([indexer.db_path], CancelToken()))
        assert indexer.summary.files_changed == 0
    finally:
        indexer.close()



def _fill_disk(indexer: Indexer) -> None:
    """Let the index's database grow no further: SQLite's page limit gives the same
    SQLITE_FULL error as a full disk (the writer's connection is a private detail)."""
    conn = indexer._open_store().conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")


def _free_disk(indexer: Indexer) -> None:
    indexer._open_store().conn.execute("PRAGMA max_page_count = 1073741823")


def test_a_full_disk_keeps_the_index_and_the_next_update_resumes(project, make_indexer):
    indexer = make_indexer(project, workers=1)
    run(indexer)
    many_files(project / "more", 40)
    _fill_disk(indexer)
    with pytest.raises(StorageError, match="the disk is full") as caught:
        run(indexer)
    assert str(indexer.db_path) in caught.value.message and "Free some disk space" in caught.value.hint
    assert reader(indexer).stats().files == 4  # the index as it was: not rebuilt, not emptied
    assert reader(indexer).symbols_named("start_server")

    _free_disk(indexer)
    run(indexer)
    assert indexer.summary.files_indexed == 44
    assert indexer.summary.files_changed == 40


def test_a_disk_that_fills_during_a_cold_index_keeps_what_was_committed(tmp_path, make_indexer):
    root = tmp_path / "many"
    many_files(root, PARALLEL_MIN_FILES * 2)
    indexer = make_indexer(root, workers=1)
    _fill_disk(indexer)  # an empty index: the first files do not fit
    with pytest.raises(StorageError, match="the disk is full"):
        run(indexer)
    assert indexer.db_path.is_file()
    assert indexer._store.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # durable again

    _free_disk(indexer)
    run(indexer)
    assert indexer.summary.files_indexed == PARALLEL_MIN_FILES * 2


def test_an_index_location_that_cannot_be_made_is_a_storage_error(project, tmp_path):
    blocker = tmp_path / "home"
    blocker.write_text("a file where Hearth's data folder should be")
    indexer = Indexer(project, HearthPaths.under(blocker), workers=1)
    with pytest.raises(StorageError, match="Could not open the project index"):
        run(indexer)
    indexer.close()
    assert blocker.read_text() == "a file where Hearth's data folder should be"


def test_two_writers_on_one_index_take_turns_without_a_rebuild(project, paths, caplog):
    """``hearth index`` or ``hearth search`` next to the app: two processes, one index."""
    app, command = Indexer(project, paths, workers=1), Indexer(project, paths, workers=1)
    try:
        run(app)
        write(project, "src/extra.py", "def shutdown_server():\n    pass\n")
        run(command)
        write(project, "src/more.py", "def restart_server():\n    pass\n")
        run(app)  # its writer had handed out ids before the other one added rows
        assert "rebuilding" not in caplog.text
        assert app.summary.files_changed == 1 and app.summary.files_indexed == 6
        index = reader(app)
        assert index.symbols_named("shutdown_server") and index.symbols_named("restart_server")
        assert index.symbols_named("start_server")
    finally:
        app.close()
        command.close()


def test_a_live_update_that_changes_nothing_leaves_the_index_to_other_writers(project, make_indexer):
    """``mkdir empty; rmdir empty``: forgetting a path the index never knew deletes no
    row, yet must not keep the write lock from ``hearth index`` next to the app."""
    indexer = make_indexer(project, workers=1)
    run(indexer)
    (project / "empty").mkdir()
    list(indexer.update_paths([project / "empty"], CancelToken()))
    (project / "empty").rmdir()
    list(indexer.update_paths([project / "empty"], CancelToken()))
    other = sqlite3.connect(indexer.db_path, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" while the writer holds it
        other.rollback()
    finally:
        other.close()


def test_an_index_removed_while_the_project_is_open_is_made_again(project, make_indexer):
    """A cache cleaner (or the user) deletes Hearth's cache while the app runs."""
    indexer = make_indexer(project, workers=1)
    run(indexer)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{indexer.db_path}{suffix}").unlink(missing_ok=True)
    run(indexer)
    assert indexer.db_path.is_file()
    assert reader(indexer).stats().files == 4 and indexer.summary.files_changed == 4
    assert reader(indexer).symbols_named("start_server")


def complete(indexer: Indexer) -> str:
    conn = sqlite3.connect(indexer.db_path)
    try:
        return conn.execute("SELECT value FROM meta WHERE key='complete'").fetchone()[0]
    finally:
        conn.close()


def test_a_live_update_after_the_cache_was_cleared_indexes_the_whole_project(project, make_indexer):
    indexer = make_indexer(project, workers=1)
    run(indexer)
    shutil.rmtree(indexer.db_path.parent)
    write(project, "src/net.py", "def listen_again(port):\n    return port\n")
    list(indexer.update_paths([project / "src" / "net.py"], CancelToken()))
    index = reader(indexer)
    assert index.stats().files == 4 and indexer.summary.files_indexed == 4
    assert index.symbols_named("listen_again") and index.symbols_named("start_server")
    assert complete(indexer) == "1"


def indexed_then_damaged(root: Path, make_indexer) -> Indexer:
    """An indexer of 60 files whose database pages (not its header) were then overwritten."""
    many_files(root, 60)
    indexer = make_indexer(root, workers=1)
    run(indexer)
    checkpoint = sqlite3.connect(indexer.db_path)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    with open(indexer.db_path, "r+b") as handle:
        handle.seek(4096)
        handle.write(bytes(range(256)) * 16 * 8)
    return indexer


def test_an_index_found_damaged_by_a_live_update_is_made_again_whole(tmp_path, make_indexer, caplog):
    root = tmp_path / "many"
    indexer = indexed_then_damaged(root, make_indexer)
    write(root, "pkg0/module_0.py", "def savedAfterTheDamage():\n    pass\n")
    list(indexer.update_paths([root / "pkg0" / "module_0.py"], CancelToken()))
    assert "rebuilding" in caplog.text
    index = reader(indexer)
    assert index.stats().files == 60
    assert index.symbols_named("savedAfterTheDamage") and index.symbols_named("helper_59")
    assert complete(indexer) == "1"


def test_a_damaged_index_that_cannot_be_removed_ends_the_update_with_a_clear_error(tmp_path, make_indexer, monkeypatch):
    root = tmp_path / "many"
    indexer = indexed_then_damaged(root, make_indexer)

    def held_by_another_process(db_path):  # as Windows refuses to delete an open file
        raise PermissionError(13, "The process cannot access the file because it is being used by another process",
                              str(db_path))

    monkeypatch.setattr(store_module, "_remove_database", held_by_another_process)
    write(root, "pkg0/module_0.py", "def savedAfterTheDamage():\n    pass\n")
    with pytest.raises(StorageError) as caught:
        list(indexer.update_paths([root / "pkg0" / "module_0.py"], CancelToken()))
    assert caught.value.message == (
        f"The project index {indexer.db_path} is damaged and could not be removed"
        " (The process cannot access the file because it is being used by another process)."
    )
    assert "another Hearth window" in caught.value.hint
    assert indexer.db_path.exists()  # left for the next update to try again

def test_a_live_update_first_on_an_index_of_an_older_schema_indexes_the_whole_project(project, make_indexer):
    earlier = make_indexer(project, workers=1)
    run(earlier)
    conn = sqlite3.connect(earlier.db_path)
    conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    indexer = make_indexer(project, workers=1)  # the app opening the project again
    list(indexer.update_paths([project / "README.md"], CancelToken()))
    assert reader(indexer).stats().files == 4 and complete(indexer) == "1"


def test_a_live_update_does_not_resume_a_paused_build(tmp_path, make_indexer):
    root = tmp_path / "many"
    many_files(root, PARALLEL_MIN_FILES * 3)
    indexer = make_indexer(root, workers=1)
    token = CancelToken()
    with pytest.raises(Cancelled):
        for progress in indexer.update(token):
            if progress.phase == "indexing":
                token.cancel()  # what pausing does
    done_before = reader(indexer).stats().files
    write(root, "saved.py", "def savedWhilePaused():\n    pass\n")
    list(indexer.update_paths([root / "saved.py"], CancelToken()))
    assert indexer.summary.files_changed == 1
    assert reader(indexer).stats().files == done_before + 1 and complete(indexer) == "0"


def test_an_index_made_anew_by_another_process_is_the_one_written(project, paths, make_indexer):
    app = make_indexer(project, workers=1)
    run(app)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{app.db_path}{suffix}").unlink(missing_ok=True)
    command = make_indexer(project, workers=1)  # e.g. `hearth search` while the app is open
    run(command)
    write(project, "src/extra.py", "def shutdown_server():\n    pass\n")
    run(app)
    assert reader(app).symbols_named("shutdown_server")  # written into the file readers open


def test_a_disk_full_while_an_old_index_is_made_anew_leaves_no_half_made_index(project, paths, monkeypatch):
    from desktop.index import store as store_module

    indexer = Indexer(project, paths, workers=1)
    run(indexer)
    indexer.close()
    conn = sqlite3.connect(indexer.db_path)
    conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")  # from an older Hearth
    conn.commit()
    conn.close()
    connect = store_module._connect

    def tiny_disk(db_path):
        conn = connect(db_path)
        conn.execute("PRAGMA max_page_count = 2")  # SQLITE_FULL long before the schema is made
        return conn

    monkeypatch.setattr(store_module, "_connect", tiny_disk)
    again = Indexer(project, paths, workers=1)
    with pytest.raises(StorageError, match="the disk is full"):
        run(again)
    again.close()
    assert not indexer.db_path.exists()  # not a stub that would pass for an index


def test_dot_m_files_are_read_as_objective_c_only_when_they_are(project, make_indexer):
    write(project, "ios/Person.m", "#import <Foundation/Foundation.h>\n\n@implementation Person\n- (void)greet {\n}\n@end\n")
    write(project, "matlab/sumsq.m", "% Sum of squares.\nfunction s = sumsq(x)\n  s = sum(x .^ 2);\nend\n")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    conn = open_reader(indexer.db_path)
    languages = dict(conn.execute("SELECT path, language FROM files WHERE path LIKE '%.m'"))
    assert languages == {"ios/Person.m": "objc", "matlab/sumsq.m": None}
    assert reader(indexer).symbols_named("greet")


def test_a_project_opened_inside_a_secret_folder_keeps_its_secret(tmp_path, make_indexer):
    kube = tmp_path / ".kube"
    write(kube, "config", "users:\n- name: admin\n  token: abc\n")
    write(kube, "notes.md", "# Clusters\n")
    indexer = make_indexer(kube, workers=1)
    run(indexer)
    assert {s.path: s.reason for s in reader(indexer).skipped()} == {"config": "secret"}


def test_a_file_that_became_a_link_after_the_scan_is_not_read_through(tmp_path):
    from desktop.index.scanner import read_for_index

    outside = write(tmp_path, "home/credentials", "token = abc\n")
    project = tmp_path / "proj"
    path = write(project, "notes.txt", "plain notes\n")  # scanned as a file ...
    path.unlink()
    os.symlink(outside, path)  # ... then swapped for a link before a worker reads it
    skip = read_for_index(path, "notes.txt")
    assert (skip.relative, skip.reason) == ("notes.txt", "link")


@pytest.mark.skipif(os.open not in os.supports_dir_fd, reason="this system cannot open a file relative to a folder")
def test_a_folder_that_became_a_link_after_the_scan_is_not_read_through(tmp_path):
    from desktop.index.scanner import read_for_index

    outside = write(tmp_path, "home/.aws/credentials", "token = abc\n")
    project = tmp_path / "proj"
    path = write(project, "conf/credentials", "plain notes\n")  # scanned as a file in a folder ...
    shutil.rmtree(project / "conf")
    os.symlink(outside.parent, project / "conf")  # ... then the folder is swapped for a link
    assert path.read_text() == "token = abc\n"  # the path itself now leads outside
    skip = read_for_index(path, "conf/credentials")
    assert (skip.relative, skip.reason) == ("conf/credentials", "link")
    assert "a folder on its path became a link" in skip.detail


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the file system takes only valid Unicode names")
def test_a_name_that_is_not_utf8_is_skipped_and_the_rest_indexed(tmp_path, make_indexer):
    project = tmp_path / "proj"
    write(project, "ok.py", "def fine():\n    return 1\n")
    bad_file = project / os.fsdecode(b"caf\xe9.py")
    bad_file.write_text("def hidden():\n    return 2\n")
    bad_folder = project / os.fsdecode(b"d\xff")
    bad_folder.mkdir()
    (bad_folder / "inner.py").write_text("def inner():\n    return 3\n")
    indexer = make_indexer(project, workers=1)
    run(indexer)
    assert indexer.summary.files_indexed == 1
    skipped = {s.path: (s.reason, s.detail) for s in reader(indexer).skipped()}
    assert skipped == {
        "caf\\xe9.py": ("unreadable", "its name is not valid UTF-8 (rename it to have it indexed)"),
        "d\\xff/inner.py": ("unreadable", "its name is not valid UTF-8 (rename it to have it indexed)"),
    }
    bad_file.unlink()  # a live update of such a name, then its removal
    (bad_folder / "inner.py").write_text("def inner():\n    return 4\n")
    list(indexer.update_paths([bad_file, bad_folder / "inner.py"], CancelToken()))
    assert {s.path for s in reader(indexer).skipped()} == {"d\\xff/inner.py"}
    assert reader(indexer).symbols_named("fine")


def test_a_resumed_update_counts_on_from_the_files_already_done(tmp_path, make_indexer):
    project = tmp_path / "proj"
    for n in range(400):
        write(project, f"m{n}.py", f"def f{n}():\n    return {n}\n")
    indexer = make_indexer(project, workers=1)
    cancel = CancelToken()
    with pytest.raises(Cancelled):
        for progress in indexer.update(cancel):
            if progress.phase == "indexing":
                cancel.cancel()  # a pause, at the first word of progress
    kept = len(reader(indexer).files())
    assert 1 <= kept < 400
    resumed = [p for p in run(indexer) if p.phase == "indexing"]
    assert {p.files_total for p in resumed} == {400}
    assert resumed[0].files_done > kept and resumed[-1].files_done == 400


def test_an_old_mac_file_is_indexed_line_by_line_with_its_split_names(tmp_path):
    from desktop.index.indexer import FileInsert, process_file

    path = write(tmp_path, "old.py", b"def alpha():\r    return 1\r\rdef beta(raw):\r    return parseHTTPResponse(raw)\r")
    result = process_file(str(path), "old.py", path.stat().st_size, 0, None)
    assert isinstance(result, FileInsert)
    assert [(s[0], s[5], s[6]) for s in result.symbols] == [("alpha", 1, 2), ("beta", 4, 5)]
    chunks = {chunk[4].split("(")[0]: chunk for chunk in result.chunks}
    beta = chunks["def beta"]
    assert (beta[0], beta[1]) == (4, 5) and "\r" not in beta[4]
    assert set(beta[6].split()) >= {"parse", "http", "response"}  # the words column, by the same lines


@pytest.mark.parametrize("text, is_key", [
    (KEY, True),
    ("-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkqhkiG9w0B\r\n", True),
    ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B\n\nMIIEowIBAAKCAQEAvx7Q\n", True),
    ("-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBF3kQ0IBCADa1b2c\n", True),
    ("deploy_key: |\n  -----BEGIN EC PRIVATE KEY-----\n  MHcCAQEEIOz1y2x3w4v5\n", True),
    ('KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n"\n', True),  # in a string
    # A key parser, its docs and a public key name the marker but hold no key.
    ('MARKERS = (b"-----BEGIN RSA PRIVATE KEY", b"-----BEGIN OPENSSH PRIVATE KEY")\n', False),
    ('if line == "-----BEGIN RSA PRIVATE KEY-----":\n    inside = True\n', False),
    ("Files with -----BEGIN OPENSSH PRIVATE KEY----- blocks are never indexed.\n", False),
    ("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEF\n", False),
])
def test_a_private_key_is_told_from_code_that_names_its_marker(text, is_key):
    assert holds_private_key(text.encode("utf-8")) is is_key


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_private_key_is_found_in_text_with_a_byte_order_mark(encoding):
    # UTF-16/32 bytes spell the key between NULs; Hearth reads such a file as text.
    data = ("# deploy notes\n" + KEY).encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    assert holds_private_key(data)
    assert not holds_private_key("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEF\n".encode(encoding))


def test_the_code_that_reads_keys_is_indexed(project, make_indexer):
    # Hearth's own scanner was skipped as "secret: contains a private key".
    write(project, "keys/parse.py", 'BEGIN = "-----BEGIN RSA PRIVATE KEY-----"\n\n\ndef is_key(line):\n'
                                    '    return line.strip() == BEGIN\n')
    indexer = make_indexer(project, workers=1)
    run(indexer)
    assert [s.name for s in reader(indexer).symbols_named("is_key")] == ["is_key"]


_HOLD_THE_TURN = (
    "import sys\n"
    "from pathlib import Path\n"
    "from desktop.index.store import UpdateTurn\n"
    "turn = UpdateTurn.take(Path(sys.argv[1]))\n"
    "print('held' if turn else 'busy', flush=True)\n"
    "sys.stdin.readline()\n"
    "turn.release()\n"
)


@contextlib.contextmanager
def another_process_updating(db_path: Path):
    """A real second process holding the turn to update the index at ``db_path``; it
    lets go when the block ends (or when the returned function is called)."""
    import subprocess

    holder = subprocess.Popen([sys.executable, "-c", _HOLD_THE_TURN, str(db_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"

        def let_go() -> None:
            if holder.poll() is None:
                holder.stdin.write("\n")
                holder.stdin.flush()
                holder.wait(10)

        yield let_go
        let_go()
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(10)


def test_an_update_waits_for_another_process_updating_the_index_then_runs(project, make_indexer):
    import threading

    indexer = make_indexer(project)
    run(indexer)
    write(project, "src/net.py", "def listen(port, backlog):\n    return port\n")
    phases: list[str] = []
    finished = threading.Event()

    def update() -> None:
        phases.extend(progress.phase for progress in indexer.update(CancelToken()))
        finished.set()

    with another_process_updating(indexer.db_path) as let_go:
        worker = threading.Thread(target=update)
        worker.start()
        assert not finished.wait(0.5)  # its turn has not come
        assert phases == ["waiting"]
        let_go()
        assert finished.wait(10)
    worker.join(5)
    assert phases[0] == "waiting" and phases[-1] == "done"
    assert indexer.summary.files_changed == 1
    symbols = reader(indexer).conn.execute("SELECT signature FROM symbols WHERE name = 'listen'").fetchall()
    assert [tuple(row) for row in symbols] == [("def listen(port, backlog):",)]


def test_an_update_waiting_for_its_turn_can_be_cancelled(project, make_indexer):
    import threading
    import time

    indexer = make_indexer(project)
    cancel = CancelToken()
    outcome: list[BaseException] = []

    def update() -> None:
        try:
            run(indexer, cancel)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            outcome.append(exc)

    with another_process_updating(indexer.db_path):
        worker = threading.Thread(target=update)
        worker.start()
        time.sleep(0.3)
        cancelled_at = time.monotonic()
        cancel.cancel()
        worker.join(5)
        waited = time.monotonic() - cancelled_at
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    assert waited < 0.25
    # The turn is free again once the other process lets go: the next update runs.
    assert run(indexer)[-1].phase == "done"
