"""Every grammar loads from its wheel, and its tags query finds definitions and uses."""

from __future__ import annotations

import pytest

from desktop.index.extract import extract
from desktop.index.languages import language_for_file, language_for_path, language_names, load_language, markdown_tag

# language -> (source, a definition (name, kind) it must find, a reference it must find or None)
SAMPLES: dict[str, tuple[str, tuple[str, str], str | None]] = {
    "python": ("class Cache:\n    def get(self, key):\n        return lookup(key)\n", ("get", "method"), "lookup"),
    "javascript": ("function loadUser(id) {\n  return fetchJson(id);\n}\n", ("loadUser", "function"), "fetchJson"),
    "typescript": (
        "interface Shape { area(): number }\nfunction total(xs: Shape[]): number {\n  return sumAll(xs);\n}\n",
        ("total", "function"), "sumAll",
    ),
    "tsx": ("function Button(props: Props) {\n  return render(props);\n}\n", ("Button", "function"), "render"),
    "go": ("package main\n\nfunc Serve(addr string) error {\n\treturn listen(addr)\n}\n", ("Serve", "function"), "listen"),
    "rust": ("fn parse_header(line: &str) -> u32 {\n    convert(line)\n}\n", ("parse_header", "function"), "convert"),
    "java": (
        "class Account {\n  void deposit(int n) {\n    audit(n);\n  }\n}\n", ("deposit", "method"), "audit",
    ),
    "c": ("static int checksum(const char *s) {\n  return crc32(s);\n}\n", ("checksum", "function"), "crc32"),
    "cpp": (
        "namespace net {\nint connect_socket(int fd) {\n  return dial(fd);\n}\n}\n",
        ("connect_socket", "function"), "dial",
    ),
    "c_sharp": (
        "class Greeter {\n  public void Hello() {\n    Console.WriteLine(\"hi\");\n  }\n}\n",
        ("Hello", "method"), "WriteLine",
    ),
    "ruby": ("class Invoice\n  def total\n    compute_sum(items)\n  end\nend\n", ("total", "method"), "compute_sum"),
    "php": ("<?php\nfunction render_page($x) {\n  return escape_html($x);\n}\n", ("render_page", "function"), "escape_html"),
    "kotlin": (
        "class Cache(val size: Int) {\n  fun get(key: String): Int {\n    return lookup(key)\n  }\n}\n",
        ("get", "method"), "lookup",
    ),
    "swift": (
        "class Cache {\n  func get(key: String) -> Int {\n    return lookup(key)\n  }\n}\n", ("get", "method"), "lookup",
    ),
    "scala": (
        "object Main {\n  def get(key: String): Int = {\n    lookup(key)\n  }\n}\n", ("get", "method"), "lookup",
    ),
    "lua": ("function M.get(key)\n  return lookup(key)\nend\n", ("get", "function"), "lookup"),
    "elixir": (
        "defmodule Billing do\n  def total(items) do\n    sum_all(items)\n  end\nend\n", ("total", "function"), "sum_all",
    ),
    "ocaml": ("let parse_header line =\n  convert line\n", ("parse_header", "function"), "convert"),
    "ocaml_interface": (
        "module Cache : sig\n  val get : string -> int\nend\n(** Parse a header. *)\nval parse_header : string -> int\n",
        ("parse_header", "function"), None,
    ),
    "bash": ("deploy_app() {\n  build_image \"$1\"\n}\n", ("deploy_app", "function"), "build_image"),
    "haskell": (
        "parseHeader :: String -> Int\nparseHeader line = convert line\n", ("parseHeader", "function"), "convert",
    ),
    "julia": ("function parse_header(line)\n    convert_line(line)\nend\n", ("parse_header", "function"), "convert_line"),
    "objc": (
        "@implementation Cache\n- (int)get:(NSString *)key {\n  return [self lookup:key];\n}\n@end\n",
        ("get", "method"), "lookup",
    ),
    "zig": (
        "const Point = struct {\n    pub fn len(self: Point) i32 {\n        return helper(self.x);\n    }\n};\n",
        ("len", "method"), "helper",
    ),
}


def test_every_language_has_a_sample():
    assert set(SAMPLES) == set(language_names())


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_grammar_and_tags_query(name):
    source, (def_name, def_kind), ref = SAMPLES[name]
    result = extract(source, name)
    found = {(d.name, d.kind) for d in result.definitions}
    assert (def_name, def_kind) in found, found
    if ref is not None:
        assert ref in {r.name for r in result.references}
    assert result.chunks, "code is always chunked"
    definition = next(d for d in result.definitions if d.name == def_name)
    assert def_name in definition.signature
    assert 1 <= definition.start_line <= definition.end_line <= source.count("\n") + 1


def test_compiled_once_per_language():
    assert load_language("python") is load_language("python")
    assert load_language("tsx").language is not load_language("typescript").language


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/app.py", "python"), ("a/b/Component.TSX", "tsx"), ("x.ts", "typescript"),
        ("lib.rs", "rust"), ("main.go", "go"), ("include/util.h", "c"), ("util.hpp", "cpp"),
        ("Program.cs", "c_sharp"), ("Rakefile", "ruby"), ("index.php", "php"), ("App.java", "java"),
        ("Main.kt", "kotlin"), ("build.gradle.kts", "kotlin"), ("View.swift", "swift"), ("App.scala", "scala"),
        ("init.lua", "lua"), ("lib/billing.ex", "elixir"), ("test_helper.exs", "elixir"), ("parser.ml", "ocaml"), ("parser.mli", "ocaml_interface"),
        ("deploy.sh", "bash"), ("Main.hs", "haskell"), ("solve.jl", "julia"), ("build.zig", "zig"),
        ("README.md", None), ("pyproject.toml", None), ("Makefile", None),
    ],
)
def test_language_for_path(path, expected):
    assert language_for_path(path) == expected


def test_a_dot_m_file_is_objective_c_or_matlab_by_its_text():
    objc = "#import <Foundation/Foundation.h>\n\n@implementation Person\n@end\n"
    matlab = "% Sum of squares.\nfunction s = sumsq(x)\n  s = sum(x .^ 2);\nend\n"
    assert language_for_file("Person.m", objc) == "objc"
    assert language_for_file("sumsq.m", matlab) is None  # plain text: no Objective-C parse of MATLAB
    assert language_for_path("Person.m") is None  # the name alone cannot tell
    assert language_for_file("src/app.py", "") == "python"


def test_a_script_without_an_extension_is_read_by_its_interpreter_line():
    assert language_for_file("bin/deploy", "#!/usr/bin/env python3\nimport sys\n") == "python"
    assert language_for_file("bin/setup", "#!/bin/bash\nset -e\n") == "bash"
    assert language_for_file("bin/serve", "#!/usr/bin/env -S node --harmony\nconsole.log(1)\n") == "javascript"
    assert language_for_file("bin/task", "#!/usr/local/bin/ruby\nputs 1\n") == "ruby"
    assert language_for_file("bin/odd", "#!/usr/bin/env perl\nprint 1;\n") is None  # no grammar: plain text
    assert language_for_file("notes", "# not a script\n") is None
    assert language_for_file("run.txt", "#!/bin/sh\n") is None  # an extension says what it is
    assert language_for_file("bin/brewed", "#!/opt/homebrew/bin/python3.12\nprint(1)\n") == "python"
    assert language_for_file("bin/nixed", "#!/nix/store/abc-bash-5.2/bin/bash\necho 1\n") == "bash"
    assert language_for_file("bin/envvar", "#!/usr/bin/env PYTHONPATH=. python3 -u\nprint(1)\n") == "python"
    assert language_for_file("bin/unset", "#!/usr/bin/env -u PYTHONPATH python3\nprint(1)\n") == "python"


def test_a_header_is_read_as_the_language_it_holds():
    cpp = "#pragma once\n#include <cstddef>\n\nnamespace gfx {\nclass TextureCache {\n public:\n  explicit TextureCache(size_t budget);\n};\n}\n"
    objc = "#import <Foundation/Foundation.h>\n\n@interface Person : NSObject\n- (NSString *)name;\n@end\n"
    c = "#ifndef LIST_H\n#define LIST_H\nstruct list { int class_id; struct list *next; };\nint list_len(struct list *l);\n#endif\n"
    assert language_for_file("texture_cache.h", cpp) == "cpp"
    assert language_for_file("Person.h", objc) == "objc"
    assert language_for_file("list.h", c) == "c"
    assert language_for_file("crlf.h", "class Cache\r\n{\r\n    int x;\r\n};\r\n") == "cpp"
    assert language_for_file("prose.h", "/*\n class definitions follow\n */\nint f(void);\n") == "c"
    assert language_for_file("template.h", "template <typename T> T max_of(T a, T b);\n") == "cpp"
    assert language_for_file("cache.h", "/**\n  @class TextureCache\n*/\nnamespace gfx {\nclass TextureCache {\n};\n}\n") == "cpp"
    assert language_for_file("cache.h", '#include "export.h"\nclass GFX_EXPORT TextureCache\n{\n  void clear();\n};\n') == "cpp"
    assert language_for_path("texture_cache.h") == "c"  # the name alone says C
    # a run of blank lines (the marks once rescanned it from each line: 4 s for this one)
    assert language_for_file("blank.h", "int f(void);\n" + "\n" * 20_000 + "int g(void);\n") == "c"
    defs = {(d.name, d.kind, d.scope) for d in extract(cpp, "cpp").definitions}
    assert ("TextureCache", "class", "gfx") in defs


def test_unknown_language_name_raises_key_error():
    with pytest.raises(KeyError):
        load_language("cobol")


def test_upstream_queries_are_read_from_the_wheel_when_not_exported():
    """Lua's wheel exports TAGS_QUERY; Elixir's only ships queries/tags.scm."""
    import tree_sitter_elixir

    assert getattr(tree_sitter_elixir, "TAGS_QUERY", None) is None
    result = extract("defmodule Billing do\n  defp helper(x), do: x\nend\n", "elixir")
    assert {(d.name, d.kind) for d in result.definitions} == {("Billing", "module"), ("helper", "function")}


def test_what_bash_and_elixir_provide_is_not_a_reference():
    bash = extract("deploy() {\n  echo start\n  rm -rf build\n  build_image\n}\n", "bash")
    assert {r.name for r in bash.references} == {"build_image"}
    elixir = extract("defmodule Billing do\n  @doc \"Sum.\"\n  def total(items), do: sum_all(items)\nend\n", "elixir")
    assert not {"def", "defmodule", "doc"} & {r.name for r in elixir.references}
    assert "sum_all" in {r.name for r in elixir.references}


def test_an_objective_c_class_its_methods_and_their_doc_comments():
    source = (
        "/// A person.\n@interface Person : NSObject\n- (NSString *)greeting;\n@end\n\n"
        "@implementation Person\n/// Says hello.\n- (NSString *)greeting {\n"
        "  return [[Formatter alloc] hello:[self name]];\n}\n@end\n"
    )
    result = extract(source, "objc")
    assert [(d.name, d.kind, d.scope) for d in result.definitions] == [
        ("Person", "class", ""), ("greeting", "method", "Person"), ("Person", "class", ""), ("greeting", "method", "Person"),
    ]
    assert result.definitions[0].doc == "A person." and result.definitions[3].doc == "Says hello."
    assert (result.definitions[3].start_line, result.definitions[3].end_line) == (8, 10)
    assert {r.name for r in result.references} == {"hello", "name"}  # alloc is NSObject's


def test_ocamls_own_operators_are_not_references_but_a_projects_are():
    ocaml = extract(
        "let total xs = List.length xs + 1 |> succ\nlet ( >>= ) m f = bind m f\nlet next = step >>= finish\n", "ocaml"
    )
    names = {r.name for r in ocaml.references}
    assert not {"+", "|>", "succ"} & names
    assert {">>=", "bind"} <= names


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_broken_or_foreign_text_still_yields_chunks(name):
    """Whatever lands in a file with the language's extension: no exception, every line chunked."""
    source, _definition, _reference = SAMPLES[name]
    garbage = "}{ ((( def class fn :: <<< end do\n\t\"unterminated '\n" * 40 + source[: len(source) // 2]
    result = extract(garbage, name)
    covered = {line for chunk in result.chunks for line in range(chunk.start_line, chunk.end_line + 1)}
    lines = garbage.split("\n")
    assert {row + 1 for row, line in enumerate(lines) if line.strip()} <= covered


def test_markdown_fence_tags():
    assert markdown_tag("python") == "python"
    assert markdown_tag("c_sharp") == "csharp"
    assert markdown_tag("ocaml_interface") == "ocaml"
    assert markdown_tag("objc") == "objectivec"
    assert markdown_tag(None) == ""
