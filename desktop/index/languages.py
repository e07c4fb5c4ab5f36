"""The programming languages Hearth parses, through the official tree-sitter grammar wheels.

Each language has a grammar (shipped as a wheel, never downloaded) and a tags query:
the grammar's own ``tags.scm`` where it ships a usable one, plus patterns of our own where
upstream leaves gaps (C and C++ have no references) or has no query we can use (C#,
Kotlin, Swift, Scala, Bash, Haskell, Julia, Zig).
Grammars and queries are compiled once per process and language, on first use.

Files in any other language are indexed as plain text (see ``extract``).
"""

from __future__ import annotations

import importlib
import importlib.resources
import re
import threading
from dataclasses import dataclass
from pathlib import PurePath
from types import ModuleType
from typing import Callable, Iterable

from tree_sitter import Language, Parser, Query

# Patterns added to (or standing in for) upstream tags.scm. Captures follow the
# upstream convention: @name paired with @definition.KIND or @reference.KIND.
_EXTRA_TAGS: dict[str, str] = {
    "c": """
(call_expression function: (identifier) @name) @reference.call
(preproc_function_def name: (identifier) @name) @definition.macro
""",
    "cpp": """
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (field_expression field: (field_identifier) @name)) @reference.call
(call_expression function: (qualified_identifier name: (identifier) @name)) @reference.call
(namespace_definition name: (namespace_identifier) @name) @definition.module
""",
    "c_sharp": """
(class_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(struct_declaration name: (identifier) @name) @definition.class
(enum_declaration name: (identifier) @name) @definition.type
(record_declaration name: (identifier) @name) @definition.class
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.method
(namespace_declaration name: (identifier) @name) @definition.module
(object_creation_expression type: (identifier) @name) @reference.class
(invocation_expression function: (identifier) @name) @reference.call
(invocation_expression function: (member_access_expression name: (identifier) @name)) @reference.call
""",
    "php": """
(function_call_expression function: (name) @name) @reference.call
""",
    "python": """
(class_definition superclasses: (argument_list (identifier) @name)) @reference.class
(decorator (identifier) @name) @reference.call
""",
    # The wheels of these ship no tags query (Bash, Haskell, Julia, Kotlin, Zig,
    # Objective-C), or one whose methods span their whole class (Swift) or that makes
    # every local value a definition (Scala).
    "bash": """
(function_definition name: (word) @name) @definition.function
(command name: (command_name (word) @name)) @reference.call
""",
    "kotlin": """
(class_declaration name: (identifier) @name) @definition.class
(object_declaration name: (identifier) @name) @definition.class
(function_declaration name: (identifier) @name) @definition.function
(call_expression (identifier) @name) @reference.call
(call_expression (navigation_expression (identifier) @name .)) @reference.call
""",
    "scala": """
(class_definition name: (identifier) @name) @definition.class
(object_definition name: (identifier) @name) @definition.class
(trait_definition name: (identifier) @name) @definition.interface
(enum_definition name: (identifier) @name) @definition.type
(type_definition name: (type_identifier) @name) @definition.type
(function_definition name: (identifier) @name) @definition.function
(function_declaration name: (identifier) @name) @definition.function
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (field_expression field: (identifier) @name)) @reference.call
(extends_clause type: (type_identifier) @name) @reference.class
""",
    # An OCaml interface declares its values with ``val``; upstream names only definitions.
    "ocaml_interface": """
(value_specification (value_name) @name) @definition.function
""",
    "haskell": """
(signature name: (variable) @name) @definition.function
(function name: (variable) @name) @definition.function
(declarations (bind name: (variable) @name) @definition.function)
(data_type name: (name) @name) @definition.type
(newtype name: (name) @name) @definition.type
(type_synonym name: (name) @name) @definition.type
(class name: (name) @name) @definition.interface
(apply function: (variable) @name) @reference.call
""",
    "julia": """
(function_definition (signature (call_expression . (identifier) @name))) @definition.function
(assignment . (call_expression . (identifier) @name)) @definition.function
(struct_definition (type_head (identifier) @name)) @definition.class
(abstract_definition (type_head (identifier) @name)) @definition.type
(module_definition name: (identifier) @name) @definition.module
(macro_definition (signature (call_expression . (identifier) @name))) @definition.macro
(call_expression . (identifier) @name) @reference.call
(call_expression . (field_expression (identifier) @name .)) @reference.call
""",
    # Objective-C methods are named by their first selector part (``personWithName``).
    "objc": """
(class_interface . (identifier) @name) @definition.class
(class_implementation . (identifier) @name) @definition.class
(protocol_declaration . (identifier) @name) @definition.interface
(method_definition (method_type) . (identifier) @name) @definition.method
(method_definition . (identifier) @name) @definition.method
(method_declaration (method_type) . (identifier) @name) @definition.method
(method_declaration . (identifier) @name) @definition.method
(function_definition declarator: (function_declarator declarator: (identifier) @name)) @definition.function
(message_expression method: (identifier) @name) @reference.call
(call_expression function: (identifier) @name) @reference.call
""",
    "zig": """
(function_declaration name: (identifier) @name) @definition.function
(variable_declaration (identifier) @name [(struct_declaration) (enum_declaration) (union_declaration)]) @definition.class
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (field_expression member: (identifier) @name)) @reference.call
""",
    "swift": """
(class_declaration name: (type_identifier) @name) @definition.class
(protocol_declaration name: (type_identifier) @name) @definition.interface
(function_declaration name: (simple_identifier) @name) @definition.function
(protocol_function_declaration name: (simple_identifier) @name) @definition.function
(init_declaration "init" @name) @definition.function
(call_expression (simple_identifier) @name) @reference.call
(call_expression (navigation_expression suffix: (navigation_suffix suffix: (simple_identifier) @name))) @reference.call
""",
    # TypeScript's upstream query names only what JavaScript lacks and is meant to be read
    # after JavaScript's: these are JavaScript's patterns, down to a function held by a
    # ``const``, a property or an assignment (``export const useCounter = () => {}``).
    "typescript": """
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (member_expression property: (property_identifier) @name)) @reference.call
(function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (type_identifier) @name) @definition.class
(method_definition name: (property_identifier) @name) @definition.method
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.type
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @definition.function
(pair key: (property_identifier) @name value: [(arrow_function) (function_expression)]) @definition.function
(assignment_expression
  left: [(identifier) @name (member_expression property: (property_identifier) @name)]
  right: [(arrow_function) (function_expression)]) @definition.function
""",
}
_EXTRA_TAGS["tsx"] = _EXTRA_TAGS["typescript"]


@dataclass(frozen=True)
class ProvidedNames:
    """Names a language provides itself: ``functions`` called by bare name (``len``),
    ``members`` called on a value (``.strip``, ``.map``; as UTF-8 bytes, like parsed
    names), and ``member_parents``, the node types of such a call's ``a.b``."""

    functions: frozenset[bytes]
    members: frozenset[bytes]
    member_parents: frozenset[str]


def _encoded(names: Iterable[str]) -> frozenset[bytes]:
    return frozenset(name.encode() for name in names)


def _python_provided() -> ProvidedNames:
    import builtins

    types = (str, bytes, bytearray, list, tuple, dict, set, frozenset, int, float, complex, object, BaseException)
    return ProvidedNames(
        _encoded(dir(builtins)), _encoded(set().union(*(dir(t) for t in types))), frozenset({"attribute"})
    )


_JAVASCRIPT_PROVIDED = ProvidedNames(
    _encoded(
        """
        Array Boolean Date Error JSON Map Math Number Object Promise Reflect RegExp Set String Symbol
        TypeError WeakMap console document window require parseInt parseFloat isNaN setTimeout
        clearTimeout setInterval clearInterval fetch
        """.split()
    ),
    _encoded(
        """
        apply bind call catch concat entries every filter find findIndex finally flat flatMap forEach
        get has includes indexOf join keys lastIndexOf log map pop push reduce replace resolve reject
        set shift slice some sort splice split startsWith endsWith substring then toLowerCase
        toString toUpperCase trim unshift values error warn info assign stringify parse
        addEventListener removeEventListener querySelector getElementById
        """.split()
    ),
    frozenset({"member_expression"}),
)

_BASH_PROVIDED = ProvidedNames(
    _encoded(
        """
        alias awk basename bash cat cd chmod chown cp curl cut date declare dirname echo env eval exec
        exit export false find grep head kill local ln ls mkdir mktemp mv printf pwd read readonly rm
        rmdir sed set shift sleep sort source sudo tail tar tee test touch tr true trap type uname unset
        wait wc xargs
        """.split()
    ),
    frozenset(),
    frozenset(),
)

# Elixir's definitions and module attributes are calls of macros such as ``def``.
_ELIXIR_PROVIDED = ProvidedNames(
    _encoded(
        """
        alias behaviour callback case cond def defdelegate defexception defguard defguardp defimpl
        defmacro defmacrop defmodule defoverridable defp defprotocol defstruct doc fn for if impl import
        moduledoc quote raise require spec struct try type typep unless unquote use with
        """.split()
    ),
    frozenset(),
    frozenset(),
)

# OCaml's operators are functions, so its tags query reports ``+`` or ``|>`` as calls.
_OCAML_PROVIDED = ProvidedNames(
    _encoded(
        """
        + - * / +. -. *. /. ** = <> == != < > <= >= && || & |> @@ @ ^ ^^ :: ! := ~- ~-. mod land
        lor lxor lsl lsr asr not ref fst snd ignore succ pred min max abs compare failwith invalid_arg
        raise print_string print_endline print_int print_float print_newline prerr_endline
        string_of_int int_of_string string_of_float float_of_string float_of_int int_of_float
        """.split()
    ),
    frozenset(),
    frozenset(),
)

# NSObject's own messages, sent to objects of every class.
_OBJC_PROVIDED = ProvidedNames(
    _encoded(
        """
        alloc init new copy mutableCopy retain release autorelease dealloc description isEqual hash
        class superclass respondsToSelector performSelector isKindOfClass isMemberOfClass
        """.split()
    ),
    frozenset(),
    frozenset(),
)

# References to what a language provides are left out of the reference graph: a call
# to ``len`` or ``.map`` would otherwise tie every file to whichever project file
# happens to define a ``len`` or a ``map``. A project's own ``encode()`` still counts
# when called by its bare name.
LANGUAGE_PROVIDED: dict[str, ProvidedNames] = {
    "python": _python_provided(),
    "javascript": _JAVASCRIPT_PROVIDED,
    "typescript": _JAVASCRIPT_PROVIDED,
    "tsx": _JAVASCRIPT_PROVIDED,
    "bash": _BASH_PROVIDED,
    "elixir": _ELIXIR_PROVIDED,
    "ocaml": _OCAML_PROVIDED,
    "objc": _OBJC_PROVIDED,
}


@dataclass(frozen=True)
class LanguageSpec:
    """How to load one grammar: its wheel module, the function returning the grammar."""

    name: str
    module: str
    function: str
    extensions: tuple[str, ...]
    use_upstream_tags: bool = True


SPECS: tuple[LanguageSpec, ...] = (
    LanguageSpec("python", "tree_sitter_python", "language", (".py", ".pyi", ".pyw")),
    LanguageSpec("javascript", "tree_sitter_javascript", "language", (".js", ".jsx", ".mjs", ".cjs")),
    LanguageSpec("typescript", "tree_sitter_typescript", "language_typescript", (".ts", ".mts", ".cts")),
    LanguageSpec("tsx", "tree_sitter_typescript", "language_tsx", (".tsx",)),
    LanguageSpec("go", "tree_sitter_go", "language", (".go",)),
    LanguageSpec("rust", "tree_sitter_rust", "language", (".rs",)),
    LanguageSpec("java", "tree_sitter_java", "language", (".java",)),
    LanguageSpec("c", "tree_sitter_c", "language", (".c", ".h")),
    LanguageSpec(
        "cpp", "tree_sitter_cpp", "language",
        (".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".inl"),
    ),
    # The C# wheel ships tags.scm outside its package, so the query is ours.
    LanguageSpec("c_sharp", "tree_sitter_c_sharp", "language", (".cs",), use_upstream_tags=False),
    LanguageSpec("ruby", "tree_sitter_ruby", "language", (".rb", ".rake", ".gemspec")),
    LanguageSpec("php", "tree_sitter_php", "language_php", (".php", ".phtml")),
    LanguageSpec("kotlin", "tree_sitter_kotlin", "language", (".kt", ".kts"), use_upstream_tags=False),
    LanguageSpec("swift", "tree_sitter_swift", "language", (".swift",), use_upstream_tags=False),
    LanguageSpec("scala", "tree_sitter_scala", "language", (".scala", ".sc"), use_upstream_tags=False),
    LanguageSpec("lua", "tree_sitter_lua", "language", (".lua",)),
    LanguageSpec("elixir", "tree_sitter_elixir", "language", (".ex", ".exs")),
    LanguageSpec("ocaml", "tree_sitter_ocaml", "language_ocaml", (".ml",)),
    LanguageSpec("ocaml_interface", "tree_sitter_ocaml", "language_ocaml_interface", (".mli",)),
    LanguageSpec("bash", "tree_sitter_bash", "language", (".sh", ".bash"), use_upstream_tags=False),
    LanguageSpec("haskell", "tree_sitter_haskell", "language", (".hs",), use_upstream_tags=False),
    LanguageSpec("julia", "tree_sitter_julia", "language", (".jl",), use_upstream_tags=False),
    LanguageSpec("zig", "tree_sitter_zig", "language", (".zig",), use_upstream_tags=False),
    # ``.m`` is Objective-C or MATLAB: told apart by content (``language_for_file``).
    LanguageSpec("objc", "tree_sitter_objc", "language", (), use_upstream_tags=False),
)

_BY_NAME = {spec.name: spec for spec in SPECS}
_BY_EXTENSION = {ext: spec.name for spec in SPECS for ext in spec.extensions}
_BY_FILENAME = {"Rakefile": "ruby", "Gemfile": "ruby"}


_ROLE_CAPTURE = re.compile(r"@(definition|reference)\.([A-Za-z0-9_.-]+)")


@dataclass(frozen=True)
class LoadedLanguage:
    """A compiled grammar and tags query, ready for parsing (one per process).

    ``roles[pattern]`` says what each tags pattern is: ``(capture, kind)`` for a
    definition (``capture`` spans the whole definition), None for a reference, and
    ``("", "")`` for neither.
    """

    name: str
    language: Language
    tags: Query
    roles: tuple[tuple[str, str] | None, ...]

    def parser(self) -> Parser:
        """A new parser for this language (parsers are not shared between threads)."""
        return Parser(self.language)


_loaded: dict[str, LoadedLanguage] = {}
_lock = threading.Lock()


def language_names() -> tuple[str, ...]:
    """The names of every language Hearth parses."""
    return tuple(spec.name for spec in SPECS)


def language_for_path(path: PurePath | str) -> str | None:
    """The language name for a file path by its extension, or None for plain text."""
    pure = PurePath(path)
    by_name = _BY_FILENAME.get(pure.name)
    if by_name is not None:
        return by_name
    return _BY_EXTENSION.get(pure.suffix.lower())


# Extensions several languages share: the first language whose mark the file's text
# shows, else the one the extension names (``.m`` names none: Objective-C or MATLAB).
# A ``.h`` header is C unless it holds C++ (a class, also behind an export macro, a
# namespace, a template or an access label) or Objective-C declarations; C++ is asked
# first, as its comments may hold Doxygen's ``@class``. Marks start a line after spaces
# or tabs only: ``\s`` would also cross newlines, and a run of blank lines would be
# scanned again from each of them.
_OBJC_MARK = re.compile(r"^[ \t]*(?:#import|#include|@interface|@implementation|@protocol)\b", re.M)
_OBJC_HEADER_MARK = re.compile(r"^[ \t]*@(?:interface|protocol)\b", re.M)
_CPP_MARK = re.compile(
    r"^[ \t]*(?:namespace[ \t]+\w+|template[ \t]*<|(?:public|private|protected)[ \t]*:"
    r"|class[ \t]+(?:\w+[ \t]+)*\w+[ \t\r]*(?:[:{;]|\n[ \t]*\{))",
    re.M,
)
_SNIFFED = {".m": (("objc", _OBJC_MARK),), ".h": (("cpp", _CPP_MARK), ("objc", _OBJC_HEADER_MARK))}

# A script without an extension names its interpreter on its first line, by any path
# (/usr/bin/python3, /opt/homebrew/bin/bash, /nix/store/.../bin/sh) or through env.
_SHEBANG = re.compile(r"#![ \t]*(\S+)[ \t]*(.*)")
_INTERPRETERS = {
    "python": "python", "bash": "bash", "sh": "bash", "zsh": "bash", "dash": "bash", "ksh": "bash",
    "node": "javascript", "nodejs": "javascript", "deno": "typescript", "ruby": "ruby", "php": "php",
    "lua": "lua", "luajit": "lua", "elixir": "elixir", "julia": "julia", "runghc": "haskell",
    "runhaskell": "haskell", "ocaml": "ocaml", "kotlin": "kotlin", "swift": "swift", "scala": "scala",
}


def language_for_file(path: PurePath | str, text: str) -> str | None:
    """``language_for_path``, and for an extension languages share (``.m``: Objective-C
    or MATLAB; ``.h``: C, C++ or Objective-C) the one the file's text shows; for a
    script without an extension, its ``#!`` line's interpreter; None for plain text."""
    pure = PurePath(path)
    for language, mark in _SNIFFED.get(pure.suffix.lower(), ()):
        if mark.search(text) is not None:
            return language
    language = language_for_path(pure)
    if language is None and not pure.suffix and text.startswith("#!"):
        language = _INTERPRETERS.get(_interpreter(text))
    return language


def _interpreter(text: str) -> str:
    """The interpreter a ``#!`` line names, without its folder or version (``python``
    for ``#!/usr/bin/env -S python3.12 -u``)."""
    shebang = _SHEBANG.match(text)
    if shebang is None:
        return ""
    program, arguments = PurePath(shebang.group(1)).name, shebang.group(2).split()
    if program == "env":
        # env's flags, a flag's value (-u NAME, -C DIR) and NAME=value settings come first
        words = iter(arguments)
        program = ""
        for word in words:
            if word in ("-u", "--unset", "-C", "--chdir"):
                next(words, None)
            elif not word.startswith("-") and "=" not in word:
                program = word
                break
    return PurePath(program).name.rstrip("0123456789.")


_MARKDOWN_TAGS = {"c_sharp": "csharp", "ocaml_interface": "ocaml", "objc": "objectivec"}


def markdown_tag(language: str | None) -> str:
    """The tag a Markdown code fence uses for ``language`` ('' for plain text)."""
    return _MARKDOWN_TAGS.get(language, language) if language else ""


def load_language(name: str) -> LoadedLanguage:
    """The compiled grammar and tags query for ``name`` (compiled on first use).

    Raises ``KeyError`` for a name not in ``language_names()``.
    """
    cached = _loaded.get(name)
    if cached is not None:
        return cached
    with _lock:
        cached = _loaded.get(name)
        if cached is None:
            cached = _compile(_BY_NAME[name])
            _loaded[name] = cached
    return cached


def _compile(spec: LanguageSpec) -> LoadedLanguage:
    module = importlib.import_module(spec.module)
    factory: Callable[[], object] = getattr(module, spec.function)
    language = Language(factory())
    source = _EXTRA_TAGS.get(spec.name, "")
    if spec.use_upstream_tags:
        # TypeScript's upstream file only adds to JavaScript's; our extra patterns
        # supply the functions, classes and calls it leaves out.
        source = _upstream_tags(module) + "\n" + source
    query = Query(language, source)
    roles = _pattern_roles(query, source.encode("utf-8"))
    # A reference's own node (the whole call) is never read: not capturing it saves
    # building a node object per reference.
    for index in range(query.capture_count):
        name = query.capture_name(index)
        if name.startswith("reference.") and not _used_by_predicates(source, name):
            query.disable_capture(name)
    return LoadedLanguage(spec.name, language, query, roles)


def _upstream_tags(module: ModuleType) -> str:
    """The wheel's own tags query: exported as ``TAGS_QUERY`` by some wheels, only
    shipped as ``queries/tags.scm`` inside the package by others; '' when it has none."""
    exported = getattr(module, "TAGS_QUERY", None)
    if exported:
        return exported
    shipped = importlib.resources.files(module.__name__) / "queries" / "tags.scm"
    return shipped.read_text(encoding="utf-8") if shipped.is_file() else ""


def _pattern_roles(query: Query, source: bytes) -> tuple[tuple[str, str] | None, ...]:
    """The role of each pattern, from the first definition/reference capture in its text."""
    roles: list[tuple[str, str] | None] = []
    for pattern in range(query.pattern_count):
        text = source[query.start_byte_for_pattern(pattern):query.end_byte_for_pattern(pattern)].decode("utf-8")
        found = _ROLE_CAPTURE.search(_strip_comments(text))
        if found is None:
            roles.append(("", ""))
        elif found.group(1) == "reference":
            roles.append(None)
        else:
            roles.append((f"definition.{found.group(2)}", found.group(2)))
    return tuple(roles)


def _strip_comments(text: str) -> str:
    return "\n".join(line.split(";", 1)[0] if '"' not in line else line for line in text.split("\n"))


def _used_by_predicates(source: str, capture: str) -> bool:
    """True when a predicate (``#eq? @reference.call …``) names the capture."""
    return re.search(rf"\(#[^()]*@{re.escape(capture)}\b", source) is not None
