"""Extraction: definitions with scope, doc and lines; references; syntax-aware chunks."""

from __future__ import annotations

import textwrap

import pytest

from desktop.index.extract import MAX_CHUNK_CHARS, MAX_CHUNK_LINES, extract
from desktop.index.identifiers import (
    fts_query,
    identifier_words,
    identifier_words_each,
    identifier_words_of_lines,
    name_terms,
    split_identifier,
)

PY = textwrap.dedent('''\
    """Module doc."""
    import os

    LIMIT = 10


    class HTTPClient:
        """Talks to a server."""

        def send(self, request):
            """Send one request and wait for the reply."""
            return self.transport.write(encode(request))

        @staticmethod
        def parse_status(line):
            return int(line.split()[1])


    def encode(value):
        return str(value).encode()
    ''')


def by_name(result):
    return {d.name: d for d in result.definitions}


def test_python_definitions_scope_kind_doc_lines():
    result = extract(PY, "python")
    defs = by_name(result)
    assert defs["HTTPClient"].kind == "class"
    assert defs["HTTPClient"].scope == ""
    assert defs["HTTPClient"].doc == "Talks to a server."
    assert defs["send"].kind == "method"
    assert defs["send"].scope == "HTTPClient"
    assert defs["send"].doc == "Send one request and wait for the reply."
    assert defs["send"].signature == "def send(self, request):"
    assert (defs["send"].start_line, defs["send"].end_line) == (10, 12)
    # the decorator belongs to the definition's lines; the signature is the def line
    assert (defs["parse_status"].start_line, defs["parse_status"].end_line) == (14, 16)
    assert defs["parse_status"].signature == "def parse_status(line):"
    assert defs["encode"].kind == "function" and defs["encode"].doc == ""
    assert defs["LIMIT"].kind == "constant"


def test_python_references_counted_with_first_line():
    refs = {r.name: r for r in extract(PY, "python").references}
    assert refs["encode"].count == 1  # the call in send(); str(value).encode() is a str method
    assert refs["encode"].line == 12
    assert "write" in refs
    # what Python itself provides says nothing about how the project's files relate
    assert not {"staticmethod", "str", "int", "split"} & refs.keys()


def test_javascript_references_leave_out_the_language_own_names():
    source = "import { total } from './cart';\nfunction show(items) {\n  console.log(items.map(render).join(''));\n  return total(items);\n}\n"
    names = {r.name for r in extract(source, "javascript").references}
    assert "total" in names
    assert not {"log", "map", "join"} & names


def test_chunks_follow_definitions_and_cover_code():
    result = extract(PY, "python")
    chunks = result.chunks
    lines = PY.split("\n")
    for chunk in chunks:
        assert chunk.text == "\n".join(lines[chunk.start_line - 1:chunk.end_line])
    class_chunk = next(c for c in chunks if c.definition is not None and result.definitions[c.definition].name == "HTTPClient")
    assert class_chunk.kind == "class"
    assert (class_chunk.start_line, class_chunk.end_line) == (7, 16)
    module_code = [c for c in chunks if c.definition is None]
    assert module_code and module_code[0].start_line == 1
    assert "LIMIT = 10" in module_code[0].text  # constants stay with the code around them


def big_function(statements: int) -> str:
    body = "\n".join(f"    value_{i} = compute(value_{i - 1}, {i})" for i in range(1, statements))
    return f"def long_one(value_0):\n    \"\"\"A long function.\"\"\"\n{body}\n    return value_0\n"


def test_large_function_split_at_statement_boundaries():
    source = big_function(200)
    result = extract(source, "python")
    pieces = [c for c in result.chunks if c.definition is not None]
    assert len(pieces) > 2
    lines = source.split("\n")
    covered = []
    for chunk in pieces:
        assert chunk.end_line - chunk.start_line + 1 <= MAX_CHUNK_LINES
        assert len(chunk.text) <= MAX_CHUNK_CHARS
        assert result.definitions[chunk.definition].name == "long_one"
        assert chunk.text == "\n".join(lines[chunk.start_line - 1:chunk.end_line])
        covered.extend(range(chunk.start_line, chunk.end_line + 1))
    assert covered == list(range(1, len(lines)))  # every line once, in order, nothing lost


def test_multiline_statement_is_never_cut():
    call = "    result = combine(\n" + "".join(f"        arg_{i},\n" for i in range(40)) + "    )\n"
    source = "def f():\n" + call * 4 + "    return result\n"
    result = extract(source, "python")
    starts = {c.start_line for c in result.chunks}
    lines = source.split("\n")
    for start in starts:
        line = lines[start - 1]
        assert line.startswith("def f") or line.startswith("    result =") or line.startswith("    return")


def _pieces_of(source: str, name: str):
    result = extract(source, "python")
    index = next(i for i, d in enumerate(result.definitions) if d.name == name)
    return [c for c in result.chunks if c.definition == index], source.split("\n")


def test_a_header_is_not_left_alone_before_a_statement_too_big_to_join_it():
    """The loop fits one chunk, but not together with the header: the header takes the
    loop's first statements, cut where a statement of the loop's body starts."""
    header = "@decorated\ndef summarise(records):\n"
    statements = [f"        total_{i} = combine(record.field_{i}, total_{i})\n" for i in range(60)]
    loop = "    for record in records:\n"
    while len(loop) + len(statements[0]) < MAX_CHUNK_CHARS - 20:  # the loop alone just fits
        loop += statements.pop(0)
    source = header + loop + "    return total_0\n"
    pieces, lines = _pieces_of(source, "summarise")
    first, *rest = pieces
    assert first.start_line == 1 and first.end_line > 3  # decorator, header and part of the loop
    assert lines[rest[0].start_line - 1].startswith("        total_")  # a statement of the loop's body
    for chunk in pieces:
        assert chunk.end_line - chunk.start_line + 1 <= MAX_CHUNK_LINES
        assert len(chunk.text) <= MAX_CHUNK_CHARS
    covered = [line for chunk in pieces for line in range(chunk.start_line, chunk.end_line + 1)]
    assert covered == list(range(1, len(lines)))


def test_a_docstring_too_long_to_join_its_header_is_cut_at_a_line():
    doc = "    \"\"\"Summarise.\n\n" + "".join(f"    Line {i} of a very long explanation.\n" for i in range(90)) + "    \"\"\"\n"
    source = "def summarise(records):\n" + doc + "    return len(records)\n"
    pieces, lines = _pieces_of(source, "summarise")
    assert pieces[0].start_line == 1 and "Summarise." in pieces[0].text
    assert pieces[0].end_line > 10 and pieces[1].start_line == pieces[0].end_line + 1
    assert lines[pieces[1].start_line - 1].startswith("    Line ")  # inside the docstring


def test_big_class_splits_into_methods():
    methods = "\n".join(
        f"    def method_{i}(self):\n" + "".join(f"        x{j} = {j}\n" for j in range(8)) for i in range(12)
    )
    source = f"class Big:\n    \"\"\"Many methods.\"\"\"\n{methods}"
    result = extract(source, "python")
    method_chunks = [c for c in result.chunks if c.kind == "method"]
    assert len(method_chunks) == 12
    header = result.chunks[0]
    assert header.kind == "class" and header.start_line == 1
    assert result.definitions[header.definition].name == "Big"


def test_c_function_range_spans_its_body():
    source = "/* Adds two numbers. */\nint add(int a, int b)\n{\n    return a + b;\n}\n"
    defs = by_name(extract(source, "c"))
    assert (defs["add"].start_line, defs["add"].end_line) == (2, 5)
    assert defs["add"].doc == "Adds two numbers."
    assert defs["add"].signature == "int add(int a, int b)"


def test_javascript_doc_comment_and_nested_method_scope():
    source = "/**\n * Shopping cart.\n */\nclass Cart {\n  // Adds an item.\n  add(item) { this.items.push(item); }\n}\n"
    defs = by_name(extract(source, "javascript"))
    assert defs["Cart"].doc == "Shopping cart."
    assert defs["add"].scope == "Cart" and defs["add"].kind == "method"
    assert defs["add"].doc == "Adds an item."


def chunk_of(result, name):
    index = next(i for i, d in enumerate(result.definitions) if d.name == name)
    return next(c for c in result.chunks if c.definition == index)


def test_python_comment_block_above_a_def_is_its_doc_and_joins_its_chunk():
    source = textwrap.dedent("""\
        import colorsys


        # HSV: Hue, Saturation, Value
        # V: colour brightness

        def rgb_to_hsv(r, g, b):
            return max(r, g, b)


        def with_docstring():
            \"\"\"The docstring wins.\"\"\"
            # not a doc: inside the body
            return 1
        """)
    result = extract(source, "python")
    defs = by_name(result)
    assert defs["rgb_to_hsv"].doc == "HSV: Hue, Saturation, Value\nV: colour brightness"
    assert defs["rgb_to_hsv"].start_line == 7  # the definition itself still starts at its def
    chunk = chunk_of(result, "rgb_to_hsv")
    assert (chunk.start_line, chunk.end_line) == (4, 8)
    assert chunk.text.startswith("# HSV: Hue")
    assert defs["with_docstring"].doc == "The docstring wins."
    assert all("HSV" not in c.text for c in result.chunks if c.definition is None)


def test_comments_that_do_not_explain_the_next_definition_stay_apart():
    source = textwrap.dedent("""\
        def first():
            value = 1
            # trailing note inside first

        def second():
            return 2


        # a section heading, two blank lines above the def


        def third():
            return 3
        """)
    result = extract(source, "python")
    defs = by_name(result)
    assert defs["second"].doc == "" and defs["third"].doc == ""
    assert chunk_of(result, "second").start_line == 5
    assert chunk_of(result, "third").start_line == 12


def test_a_doc_comment_above_a_wrapped_definition_is_its_doc():
    """``export function`` wraps the function in a statement: the JSDoc sits above the
    wrapper. OCaml's comment sits above the ``let`` that holds the binding."""
    js = extract("/** Load a user by id. */\nexport function loadUser(id) {\n  return fetchJson(id);\n}\n", "javascript")
    assert by_name(js)["loadUser"].doc == "Load a user by id."
    ts = extract("/** A drawable shape. */\nexport class Shape {}\n", "typescript")
    assert by_name(ts)["Shape"].doc == "A drawable shape."
    ocaml = extract("(* Parse one header line. *)\nlet parse_header line =\n  convert line\n", "ocaml")
    assert by_name(ocaml)["parse_header"].doc == "Parse one header line."


def test_a_shebang_is_nobodys_doc():
    bash = extract("#!/bin/bash\ndeploy() {\n  build\n}\n", "bash")
    assert by_name(bash)["deploy"].doc == ""
    python = extract("#!/usr/bin/env python3\ndef main():\n    return 0\n", "python")
    assert by_name(python)["main"].doc == ""


def test_doc_comments_join_the_chunk_in_c_like_languages_but_not_preprocessor_lines():
    java = "class Shop {\n  /**\n   * Adds an item.\n   */\n  void add(Item item) { items.add(item); }\n}\n"
    result = extract(java, "java")
    assert by_name(result)["add"].doc == "Adds an item."
    c_source = "#include <stdio.h>\n// Adds two numbers.\nint add(int a, int b)\n{\n    return a + b;\n}\n"
    c_result = extract(c_source, "c")
    chunk = chunk_of(c_result, "add")
    assert (chunk.start_line, chunk.end_line) == (2, 6)
    assert c_result.chunks[0].text == "#include <stdio.h>"


def test_plain_text_chunks_at_paragraphs():
    paragraphs = [f"Paragraph {i} line {j}." for i in range(30) for j in range(5)]
    text = "# Title\n\n" + "\n".join(
        "\n".join(paragraphs[i * 5:(i + 1) * 5]) + "\n" for i in range(30)
    )
    result = extract(text, None)
    assert result.definitions == () and result.references == ()
    assert len(result.chunks) > 1
    lines = text.split("\n")
    for chunk in result.chunks:
        assert chunk.kind == "text"
        assert chunk.text == "\n".join(lines[chunk.start_line - 1:chunk.end_line])
        first = chunk.text.split("\n")[0]
        assert first.startswith("# Title") or first.endswith("line 0.")  # starts a paragraph


def test_one_enormous_line_is_one_chunk_never_cut_mid_line():
    line = "x = [" + ", ".join(str(i) for i in range(3000)) + "]"
    result = extract(line + "\n", "python")
    assert [c.text for c in result.chunks] == [line]


def test_empty_and_blank_files():
    assert extract("", "python").chunks == ()
    assert extract("\n\n   \n", None).chunks == ()


def test_broken_syntax_still_yields_chunks():
    source = "def ok():\n    return 1\n\ndef broken(:\n    pass ((\n"
    result = extract(source, "python")
    assert "ok" in by_name(result)
    assert result.chunks


def test_split_identifier():
    assert split_identifier("parseHTTPResponse") == ["parse", "http", "response"]
    assert split_identifier("read_chunked") == ["read", "chunked"]
    assert split_identifier("XMLHttpRequest2") == ["xml", "http", "request", "2"]
    assert split_identifier("__init__") == ["init"]
    assert split_identifier("") == []


def test_identifier_words_only_for_camel_case():
    words = identifier_words("x = parseHTTPResponse(read_chunked(getURL))").split()
    assert words == sorted(set(words), key=words.index)  # each once
    assert set(words) == {"parse", "http", "response", "get", "url"}
    assert identifier_words("plain_snake_case only") == ""


def test_words_of_line_ranges_match_the_words_of_their_texts():
    text = "\n".join([
        "def getURL(self):",  # 0
        "    return parseHTTPResponse(read_chunked(x))",
        "",
        "9fooBar = 12abc + XMLHttpRequest2 + HTTPServer",  # leading digits are not the identifier
        "caf\u00e9Latte = na\u00efveFooBar  # non-ASCII letters end an identifier",
        "plain_snake_case and CONSTANT and Capitalised",  # 5: nothing to split
        "value = getURL()\r",  # CRLF line
        "ALLCAPS_thenLower = aB + ABc",
        "",
        "unused = lastCamelCase",  # 9: outside every range
    ])
    ranges = [(0, 1), (3, 4), (5, 5), (6, 7)]
    lines = text.split("\n")
    expected = identifier_words_each(["\n".join(lines[start:end + 1]) for start, end in ranges])
    found = identifier_words_of_lines(text.encode("utf-8"), ranges)
    assert [sorted(words.split()) for words in found] == [sorted(words.split()) for words in expected]
    assert set(found[0].split()) == {"get", "url", "parse", "http", "response"}
    assert set(found[1].split()) >= {"foo", "bar", "xml", "http", "request", "server"}
    assert found[2] == ""
    assert "last" not in " ".join(found)


def test_words_of_lines_without_camel_case():
    assert identifier_words_of_lines(b"a = b_c\nd = e\n", [(0, 0), (1, 1)]) == ["", ""]
    assert identifier_words_of_lines(b"", []) == []


def test_name_terms_and_fts_query_quoting():
    assert name_terms("getValue", "Cache") == "getValue get value Cache cache"
    assert fts_query(["a\"b", "", " ", "c"]) == '"a""b" OR "c"'
    assert fts_query([]) == ""


HASKELL = textwrap.dedent('''\
    module Shapes where

    -- | The factorial of a number.
    -- Only for non-negative input.
    factorial :: Integer -> Integer
    factorial 0 = 1
    -- the general case
    factorial n = n * factorial (n - 1)

    area (Circle r) = pi * r * r
    area (Square s) = s * s

    class Container f where
      -- | An empty container.
      empty :: f a
''')


def test_a_haskell_function_is_its_signature_and_all_its_equations():
    result = extract(HASKELL, "haskell")
    assert [(d.name, d.kind) for d in result.definitions] == [
        ("factorial", "function"), ("area", "function"), ("Container", "interface"), ("empty", "method"),
    ]
    defs = by_name(result)
    assert (defs["factorial"].start_line, defs["factorial"].end_line) == (5, 8)
    assert defs["factorial"].signature == "factorial :: Integer -> Integer"
    assert defs["factorial"].doc == "The factorial of a number.\nOnly for non-negative input."
    assert (defs["area"].start_line, defs["area"].end_line) == (10, 11)  # no signature: the equations
    assert defs["empty"].doc == "An empty container."
    assert (chunk_of(result, "factorial").start_line, chunk_of(result, "factorial").end_line) == (3, 8)


def test_an_elixir_function_is_all_its_clauses_with_its_doc_attribute():
    source = textwrap.dedent('''\
        defmodule Maths do
          @moduledoc """
          Integer helpers.
          """

          @doc """
          The factorial of n.
          """
          @spec fact(integer) :: integer
          def fact(0), do: 1
          def fact(n) when n > 0 do
            n * fact(n - 1)
          end

          # Adds one.
          defp bump(x), do: x + 1
        end
    ''')
    result = extract(source, "elixir")
    assert [d.name for d in result.definitions] == ["Maths", "fact", "bump"]
    defs = by_name(result)
    assert (defs["fact"].start_line, defs["fact"].end_line) == (10, 13)
    assert defs["fact"].doc == "The factorial of n."
    assert defs["Maths"].doc == "Integer helpers."
    assert defs["bump"].doc == "Adds one."


def test_elixir_functions_of_one_name_but_another_arity_stay_apart():
    # foo/1 and foo/2 are two functions in Elixir; the clauses of each still join.
    source = textwrap.dedent('''\
        defmodule Sums do
          def add(a), do: a + 1
          def add(a, b) when is_integer(b), do: a + b
          def add(a, b), do: a - b
          def zero do
            0
          end
          def zero(x), do: x
          def pair(a, # the left one
                   b), do: {a, b}
          def pair(a, b) when a > b, do: {b, a}
        end
    ''')
    result = extract(source, "elixir")
    assert [(d.name, d.start_line, d.end_line) for d in result.definitions[1:]] == [
        ("add", 2, 2), ("add", 3, 4), ("zero", 5, 7), ("zero", 8, 8), ("pair", 9, 11),
    ]


def test_a_where_helper_stays_inside_the_haskell_function_it_helps():
    source = "f :: Int -> Int\nf 0 = 0\nf n = g n\n  where g x = x + 1\nf 9 = 9\n\nk n = j n\n  where j x = x\n"
    result = extract(source, "haskell")
    assert [(d.name, d.scope, d.start_line, d.end_line) for d in result.definitions] == [
        ("f", "", 1, 5), ("g", "f", 4, 4), ("k", "", 7, 8), ("j", "k", 8, 8),
    ]


def test_clauses_far_apart_or_of_other_languages_stay_separate():
    haskell = extract("area (Circle r) = r\n\nscale = 2\n\narea (Square s) = s\n", "haskell")
    assert [d.name for d in haskell.definitions] == ["area", "scale", "area"]
    python = extract("def area(r):\n    return r\n\n\ndef area(s):\n    return s\n", "python")
    assert len(python.definitions) == 2  # a redefinition, not a clause


RUST_IMPLS = """\
struct Matrix<T> { rows: usize, items: Vec<T> }

impl<T: Clone> Matrix<T> {
    pub fn new(rows: usize) -> Self { todo!() }
}

impl<T> Drop for Matrix<T> {
    fn drop(&mut self) {}
}

impl fmt::Display for geo::Point {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { Ok(()) }
}

mod inner {
    pub fn helper() {}
}

impl Double for u32 {
    fn double(&self) -> u32 { self * 2 }
}
"""

GO_RECEIVERS = """\
package limits

type RateLimiter struct{ n int }

func (r *RateLimiter) Allow() bool { return r.n > 0 }

func (c Cache[K, V]) Get(key K) V { var v V; return v }

func New() *RateLimiter { return &RateLimiter{} }
"""


def test_methods_written_outside_their_type_are_scoped_to_it():
    rust = {(d.name, d.kind, d.scope) for d in extract(RUST_IMPLS, "rust").definitions}
    assert {("new", "method", "Matrix"), ("drop", "method", "Matrix"), ("fmt", "method", "Point")} <= rust
    assert ("helper", "function", "inner") in rust  # a module's function is no method
    assert ("double", "method", "u32") in rust
    go = {(d.name, d.kind, d.scope) for d in extract(GO_RECEIVERS, "go").definitions}
    assert {("Allow", "method", "RateLimiter"), ("Get", "method", "Cache"), ("New", "function", "")} <= go


def test_a_signature_over_several_lines_is_given_whole_on_one():
    source = "def wraps(wrapped,\n          assigned=ASSIGNMENTS,\n          updated=UPDATES):\n    return wrapped\n\n\nNAMES = ('a',\n         'b')\n"
    found = {d.name: d.signature for d in extract(source, "python").definitions}
    assert found["wraps"] == "def wraps(wrapped, assigned=ASSIGNMENTS, updated=UPDATES):"
    assert found["NAMES"] == "NAMES = ('a',"  # a value is not a signature: its first line stands
    tricky = 'def split(text, sep="("):\n    parts = text.split(sep)\n    return parts\n'
    assert extract(tricky, "python").definitions[0].signature == 'def split(text, sep="("):'  # the parser, not counting
    bases = "class Foo(Base,\n          Mixin):\n    pass\n"
    assert extract(bases, "python").definitions[0].signature == "class Foo(Base, Mixin):"
    arrow = "const add = (a,\n  b) => {\n  return a + b;\n};\n"
    assert [d.signature for d in extract(arrow, "javascript").definitions] == ["const add = (a, b) => {"]
    c = "static int\nadd_all(int first,\n        int second)\n{\n    return first + second;\n}\n"
    assert extract(c, "c").definitions[0].signature == "add_all(int first, int second)"


TS_FUNCTION_VALUES = textwrap.dedent("""\
    import { useState } from "react";

    /** Counts up from s. */
    export const useCounter = (s: number): number => {
      return s + 1;
    };

    // A plain button.
    const Button = function (props: Props) {
      return props.label;
    };

    let later = async <T,>(x: T): Promise<T> => x;
    var old = function (): number { return 1; };
    const LIMIT: number = 5;
    const handlers = {
      greet: (name: string) => name,
    };

    class Widget {
      handleClick = () => {
        this.go();
      };
      render() { return 1; }
    }
    """)
# The same code without its types, as JavaScript.
JS_FUNCTION_VALUES = (
    TS_FUNCTION_VALUES.replace("(s: number): number", "(s)").replace("(props: Props)", "(props)")
    .replace("<T,>(x: T): Promise<T>", "(x)").replace("(): number", "()").replace("LIMIT: number", "LIMIT")
    .replace("(name: string)", "(name)")
)


def test_typescript_functions_held_by_const_let_var_are_functions():
    """``export const useCounter = () => {}``: React's hooks and components are often
    written so; TypeScript's query is read as JavaScript's is."""
    for language in ("typescript", "tsx"):
        result = extract(TS_FUNCTION_VALUES, language)
        defs = by_name(result)
        assert [(d.name, d.kind, d.scope, d.start_line, d.end_line) for d in result.definitions] == [
            ("useCounter", "function", "", 4, 6),
            ("Button", "function", "", 9, 11),
            ("later", "function", "", 13, 13),
            ("old", "function", "", 14, 14),
            ("greet", "function", "", 17, 17),
            ("Widget", "class", "", 20, 25),
            ("render", "method", "Widget", 24, 24),
        ], language
        assert defs["useCounter"].doc == "Counts up from s."
        assert defs["useCounter"].signature == "export const useCounter = (s: number): number => {"
        assert defs["Button"].doc == "A plain button."
        assert defs["later"].signature == "let later = async <T,>(x: T): Promise<T> => x;"
        assert (chunk_of(result, "useCounter").start_line, chunk_of(result, "useCounter").end_line) == (3, 6)
        assert chunk_of(result, "Button").text.startswith("// A plain button.\nconst Button")
        # a value is no function, and a class field stays in its class, as in JavaScript
        assert "LIMIT" not in defs and "handleClick" not in defs


def test_typescript_and_tsx_find_what_the_same_javascript_finds():
    def found(language, source):
        result = extract(source, language)
        return (
            [(d.name, d.kind, d.scope, d.doc, d.start_line, d.end_line) for d in result.definitions],
            [(c.start_line, c.end_line, c.kind, c.definition) for c in result.chunks],
        )

    javascript = found("javascript", JS_FUNCTION_VALUES)
    assert javascript == found("typescript", TS_FUNCTION_VALUES) == found("tsx", TS_FUNCTION_VALUES)


def test_a_typescript_function_value_too_long_for_one_chunk_is_split_inside_it():
    body = "".join(f"  const v{i} = compute({i});\n" for i in range(90))
    source = f"/** A long hook. */\nexport const useLong = async (x: number): Promise<number> => {{\n{body}  return x;\n}};\n"
    result = extract(source, "typescript")
    (hook,) = result.definitions
    assert (hook.name, hook.kind, hook.start_line, hook.end_line, hook.doc) == ("useLong", "function", 2, 94, "A long hook.")
    owned = [(c.start_line, c.end_line) for c in result.chunks if c.definition == 0]
    assert len(owned) > 1 and owned[0][0] == 1 and owned[-1][1] == 94
    assert all(c.end_line - c.start_line < MAX_CHUNK_LINES for c in result.chunks)


def test_a_tsx_component_and_its_handlers():
    source = textwrap.dedent("""\
        // Counts clicks.
        export const Counter: React.FC<Props> = ({ start }) => {
          const [n, setN] = useState(start);
          const onClick = (e: MouseEvent) => {
            setN(n + 1);
          };
          return <button onClick={onClick}>{n}</button>;
        };
        """)
    defs = by_name(extract(source, "tsx"))
    assert (defs["Counter"].kind, defs["Counter"].start_line, defs["Counter"].end_line) == ("function", 2, 8)
    assert defs["Counter"].doc == "Counts clicks."
    assert (defs["onClick"].kind, defs["onClick"].scope, defs["onClick"].start_line, defs["onClick"].end_line) == (
        "function", "Counter", 4, 6,
    )
    assert set(defs) == {"Counter", "onClick"}  # not n, setN


OLD_MAC = "def alpha(x):\r    \"\"\"First.\"\"\"\r    return x\r\rdef beta(y):\r    return y\r\rclass Gamma:\r    def delta(self):\r        pass\r"


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_every_line_end_convention_gives_the_same_definitions_lines_and_text(line_end):
    # A lone CR (old Mac) is no line break to the grammar: without care the whole file
    # was one line holding one function, and signatures carried the CRs.
    found = extract(OLD_MAC.replace("\r", line_end), "python")
    defs = {d.name: (d.kind, d.scope, d.signature, d.doc, d.start_line, d.end_line) for d in found.definitions}
    assert defs == {
        "alpha": ("function", "", "def alpha(x):", "First.", 1, 3),
        "beta": ("function", "", "def beta(y):", "", 5, 6),
        "Gamma": ("class", "", "class Gamma:", "", 8, 10),
        "delta": ("method", "Gamma", "def delta(self):", "", 9, 10),
    }
    assert all("\r" not in chunk.text for chunk in found.chunks)
    beta = next(chunk for chunk in found.chunks if chunk.text.startswith("def beta"))
    assert (beta.start_line, beta.end_line, beta.text) == (5, 6, "def beta(y):\n    return y")


def test_a_form_feed_is_not_a_line_break():
    source = "def first():\n    pass\n\f\ndef second():\n    return 2\n"
    defs = {d.name: (d.start_line, d.end_line) for d in extract(source, "python").definitions}
    assert defs == {"first": (1, 2), "second": (4, 5)}
    plain = extract("intro\n\fpage two\nend\n", None).chunks
    assert [(c.start_line, c.end_line) for c in plain] == [(1, 3)]
