"""What the index learns from one file: definitions, references and chunks.

Code in a known language is parsed with tree-sitter: the tags query names the
definitions (with their enclosing scope, signature line, doc comment and lines) and
the identifiers the file refers to. Chunks follow the syntax: each definition is a
chunk; a large one is split at statement boundaries; code between definitions forms
chunks of its own. Any other text file is cut into chunks at blank lines. A chunk
always starts and ends at a line boundary.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterator, Sequence

from tree_sitter import Node, QueryCursor

from desktop.index.files import normalize_newlines
from desktop.index.languages import LANGUAGE_PROVIDED, LoadedLanguage, ProvidedNames, load_language

MAX_CHUNK_LINES = 60
MAX_CHUNK_CHARS = 2400
MAX_SIGNATURE_CHARS = 200
MAX_DOC_CHARS = 1000
SHORT_PIECE_ROWS = 2  # a piece this short, cut before a big statement, is cut inside it instead
# Node types of statement lists across the grammars: block (Python, Go, Rust, Java, C#,
# Scala, Zig), statement_block (JavaScript, TypeScript), compound_statement (C, C++, PHP,
# Bash), body_statement and do_block (Ruby), do_group (Bash loops), statements (Swift).
_BLOCK_SUFFIXES = ("block", "compound_statement", "body_statement", "do_group", "statements")

_DECLARATOR_PARENTS = frozenset(
    {"function_definition", "declaration", "field_declaration", "template_declaration"}
)
# Definitions too small to stand alone as chunks; they stay in the code around them.
_INLINE_KINDS = frozenset({"constant", "field", "macro"})
_CONTAINER_KINDS = frozenset({"class", "interface", "implementation"})
# Languages that write one function as several clauses, each a node of its own:
# Haskell's type signature and equations, Elixir's ``def`` clauses.
_CLAUSE_LANGUAGES = frozenset({"haskell", "elixir"})
_ELIXIR_SKIPPED_ATTRIBUTE = re.compile(rb"@(?:spec|impl|deprecated|since)\b")
_ELIXIR_MODULE_DOC = re.compile(rb"@moduledoc\b")
_ELIXIR_DOC = re.compile(rb"@(?:doc|typedoc)\b")
# How a comment line starts, per language (C-like languages by default; "#" there is
# the preprocessor).
_COMMENT_STARTS = {
    "python": ("#",), "ruby": ("#",), "php": ("#", "//", "/*", "*"), "bash": ("#",), "elixir": ("#",),
    "lua": ("--",), "haskell": ("--",), "julia": ("#",), "ocaml": ("(*", "*"),
    "ocaml_interface": ("(*", "*"),
}
_C_COMMENT_STARTS = ("//", "/*", "*")
_COMMENT_MARKERS = re.compile(r"^\s*(?:/\*\*?|\(\*\*?|\*/|\*|//+|#+|--+(?:\s?[|^](?=\s|$))?|;+)?\s?")
_COMMENT_END = re.compile(r"\s*\*+[/)]\s*$")
_STRING_OPENING = re.compile(r"[rRbBuUfF]*('''|\"\"\"|'|\")")
_STRING_CLOSINGS = ('"""', "'''", '"', "'")  # the longer first


@dataclass(frozen=True)
class Definition:
    """A named definition: its kind, enclosing scope (dotted), first line, doc and lines."""

    name: str
    kind: str
    scope: str
    signature: str
    doc: str
    start_line: int  # 1-based, inclusive
    end_line: int


@dataclass(frozen=True)
class Reference:
    """An identifier the file uses: how often, and the first line it appears on."""

    name: str
    count: int
    line: int


@dataclass(frozen=True)
class Chunk:
    """A piece of a file for search and prompts. ``definition`` indexes ``Extraction.definitions``."""

    start_line: int  # 1-based, inclusive
    end_line: int
    kind: str
    definition: int | None
    text: str


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one file."""

    language: str | None
    definitions: tuple[Definition, ...]
    references: tuple[Reference, ...]
    chunks: tuple[Chunk, ...]


@dataclass
class _Def:
    """A definition while the file is being walked (nodes are not picklable).

    Its node's positions are read once, here: each read of a node property builds
    new Python objects, and the walk compares them many times."""

    name: str
    kind: str
    node: Node
    node_type: str
    name_row: int
    start: int  # 0-based rows
    end: int
    start_byte: int
    span_end: int  # the end byte of its last clause (its node's end, unless joined)
    scope: str = ""
    index: int = -1
    clauses: int = 1  # sibling nodes this definition is written as (``_join_clauses``)


def extract(text: str, language: str | None, data: bytes | None = None) -> Extraction:
    """Definitions, references and chunks of a file's ``text``; plain-text chunks when
    ``language`` is None. ``data`` is ``text`` encoded as UTF-8, when the caller has it.

    Lines end at LF, CRLF or a lone CR (``files.normalize_newlines``), as in the code
    view: the grammars see no line break in a lone CR, so an old Mac file would
    otherwise read as one long line."""
    if "\r" in text:
        text, data = normalize_newlines(text), None
    lines = text.split("\n")
    if language is None:
        return Extraction(None, (), (), tuple(_text_chunks(lines)))
    loaded = load_language(language)
    if data is None:
        data = text.encode("utf-8", errors="surrogatepass")
    tree = loaded.parser().parse(data)
    defs, refs = _tags(loaded, tree.root_node, data, LANGUAGE_PROVIDED.get(language))
    if language in _CLAUSE_LANGUAGES:
        defs = _join_clauses(defs)
    _assign_scopes(defs)
    if language in _RECEIVER_LANGUAGES:
        _scope_by_receiver(defs)
    comment_starts = _COMMENT_STARTS.get(language, _C_COMMENT_STARTS)
    definitions = tuple(_definition(d, lines, data, language, comment_starts) for d in defs)
    chunker = _Chunker(lines, defs, comment_starts)
    chunks = tuple(chunker.chunks(tree.root_node))
    return Extraction(language, definitions, refs, chunks)


def _tags(
    loaded: LoadedLanguage, root: Node, data: bytes, provided: ProvidedNames | None = None
) -> tuple[list[_Def], tuple[Reference, ...]]:
    """The definitions (in file order, outer before inner) and references of the file
    ``data`` whose tree is ``root``."""
    defs: dict[tuple[int, int], _Def] = {}
    references: list[list[Node]] = []  # each reference match's name captures
    roles = loaded.roles
    # References outnumber definitions about five to one: for them the loop only
    # collects; the names are counted afterwards, in C.
    for pattern, captures in QueryCursor(loaded.tags).matches(root):
        role = roles[pattern]
        if role is None:
            references.append(captures.get("name"))
        elif role[0]:
            names = captures.get("name")
            if not names:
                continue
            name_node = names[0]
            node, node_type = _definition_node(captures[role[0]][0])
            start_byte = node.start_byte
            key = (start_byte, name_node.start_byte)
            if key not in defs:
                defs[key] = _Def(
                    _text_in(data, name_node), role[1], node, node_type,
                    name_node.start_point[0], node.start_point[0], node.end_point[0], start_byte, node.end_byte,
                )
    ordered = sorted(defs.values(), key=lambda d: (d.start_byte, -d.span_end))
    return ordered, _references([names[0] for names in references if names], data, provided)


def _references(nodes: list[Node], data: bytes, provided: ProvidedNames | None) -> tuple[Reference, ...]:
    """Each name among ``nodes`` (in file order) once: how often, and its first line;
    without what the language provides (see ``ProvidedNames``)."""
    # Sliced from the file rather than read as ``node.text``, which costs twice as much.
    names = [data[node.start_byte:node.end_byte] for node in nodes]
    if provided is not None:
        keep = [
            name not in provided.functions and (name not in provided.members or not _is_member(node, provided))
            for name, node in zip(names, nodes)
        ]
        names, nodes = list(itertools.compress(names, keep)), list(itertools.compress(nodes, keep))
    counts = Counter(names)
    first = dict(zip(reversed(names), reversed(nodes)))  # the earliest node wins
    return tuple(
        Reference(name.decode("utf-8", errors="replace"), count, first[name].start_point[0] + 1)
        for name, count in counts.items()
    )


def _is_member(node: Node, provided: ProvidedNames) -> bool:
    """Whether the name ``node`` is called on a value (``x.strip()``), not by itself."""
    parent = node.parent
    return parent is not None and parent.type in provided.member_parents


def _join_clauses(defs: list[_Def]) -> list[_Def]:
    """One definition per function written as clauses: a run of same-named sibling
    definitions, each right after the one before (comments between are allowed).
    Definitions nested in a clause (a ``where`` helper) stay, inside the joined one."""
    joined: list[_Def] = []
    open_defs: list[tuple[_Def, Node]] = []  # enclosing definitions, each with its last clause
    for d in defs:
        while open_defs and d.start_byte >= open_defs[-1][0].span_end:
            outer, last_clause = open_defs[-1]
            if d.name == outer.name and _follows(d.node, last_clause) and _arity(d.node) == _arity(last_clause):
                break
            open_defs.pop()
        if open_defs and d.start_byte >= open_defs[-1][0].span_end:  # a further clause
            outer = open_defs[-1][0]
            outer.end = max(outer.end, d.end)
            outer.span_end = max(outer.span_end, d.span_end)
            outer.clauses += 1
            open_defs[-1] = (outer, d.node)
        else:
            joined.append(d)
            open_defs.append((d, d.node))
    return joined


def _arity(node: Node) -> int | None:
    """How many parameters an Elixir ``def`` clause takes (None for other nodes):
    ``foo/1`` and ``foo/2`` are two functions, however close they stand."""
    arguments = node.child_by_field_name("arguments") or next(
        (child for child in node.named_children if child.type == "arguments"), None
    )
    if node.type != "call" or arguments is None or not arguments.named_children:
        return None
    head = arguments.named_children[0]
    if head.type == "binary_operator" and head.named_children:  # a guard: ``foo(a) when ...``
        head = head.named_children[0]
    if head.type == "identifier":  # ``def zero do``
        return 0
    parameters = next((child for child in head.named_children if child.type == "arguments"), None)
    if head.type != "call" or parameters is None:
        return None
    return sum(1 for child in parameters.named_children if not _is_comment_node(child))


def _follows(node: Node, earlier: Node) -> bool:
    sibling = node.prev_named_sibling
    while sibling is not None and _is_comment_node(sibling):
        sibling = sibling.prev_named_sibling
    return sibling is not None and sibling == earlier


def _definition_node(node: Node) -> tuple[Node, str]:
    """The node spanning the whole definition (a C declarator's function, a decorated
    def), and its type."""
    node_type = node.type
    if node_type.endswith("declarator"):
        parent = node.parent
        while parent is not None and parent.type.endswith("declarator"):
            parent = parent.parent
        if parent is not None and parent.type in _DECLARATOR_PARENTS:
            node, node_type = parent, parent.type
    parent = node.parent
    if parent is not None and parent.type == "decorated_definition":
        node, node_type = parent, "decorated_definition"
    return node, node_type


def _node_text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _text_in(data: bytes, node: Node) -> str:
    """The text of ``node`` in the file ``data`` it was parsed from: the same as
    ``_node_text``, sliced for less than ``node.text`` costs."""
    return data[node.start_byte:node.end_byte].decode("utf-8", errors="replace")


def _assign_scopes(defs: list[_Def]) -> None:
    """Dotted enclosing scope per definition; functions inside containers become methods."""
    stack: list[_Def] = []
    for index, definition in enumerate(defs):
        definition.index = index
        while stack and not (
            stack[-1].start_byte <= definition.start_byte and definition.span_end <= stack[-1].span_end
        ):
            stack.pop()
        if stack:
            parent = stack[-1]
            definition.scope = f"{parent.scope}.{parent.name}" if parent.scope else parent.name
            if definition.kind == "function" and parent.kind in _CONTAINER_KINDS:
                definition.kind = "method"
        stack.append(definition)


# Languages whose methods are written outside the type they belong to: Rust's ``impl
# Type`` blocks, Go's receivers. The tags query sees no enclosing definition there.
_RECEIVER_LANGUAGES = frozenset({"rust", "go"})
# Wrappers around a type's name: ``*T``, ``&T``, ``T<U>``, ``T[K]``, ``path::T``.
_TYPE_WRAPPERS = {"pointer_type": None, "reference_type": "type", "generic_type": "type", "scoped_type_identifier": "name"}
# Types named by their text: ``Matrix``, and Rust's ``u32``, ``[u8; 4]``, ``(i32, i32)``.
_TYPE_NAMES = frozenset({"type_identifier", "primitive_type", "array_type", "tuple_type"})


def _scope_by_receiver(defs: list[_Def]) -> None:
    """A method's scope from the type it is written for: ``impl Matrix`` (and ``impl
    Drop for Matrix``) or Go's ``func (r *RateLimiter)``. A Rust function in a ``mod``
    (which the grammar's query calls a method) is a function."""
    for definition in defs:
        node = definition.node
        owner = None
        if node.type == "method_declaration":  # Go
            receiver = node.child_by_field_name("receiver")
            parameter = receiver.named_children[0] if receiver is not None and receiver.named_children else None
            owner = _type_name(parameter.child_by_field_name("type")) if parameter is not None else None
        elif node.type == "function_item" and node.parent is not None and node.parent.type == "declaration_list":
            block = node.parent.parent
            if block is not None and block.type == "impl_item":
                owner = _type_name(block.child_by_field_name("type"))
            elif block is not None and block.type == "mod_item":
                definition.kind = "function"
        if owner:
            definition.scope = f"{definition.scope}.{owner}" if definition.scope else owner
            definition.kind = "method"


def _type_name(node: Node | None) -> str | None:
    """The bare name of a type node (``Matrix`` of ``&mut geo::Matrix<T>``)."""
    while node is not None and node.type in _TYPE_WRAPPERS:
        field = _TYPE_WRAPPERS[node.type]
        node = node.child_by_field_name(field) if field else (node.named_children[0] if node.named_children else None)
    return " ".join(_node_text(node).split()) if node is not None and node.type in _TYPE_NAMES else None


def _definition(
    d: _Def, lines: Sequence[str], data: bytes, language: str, comment_starts: tuple[str, ...]
) -> Definition:
    if d.name_row >= len(lines):
        signature = d.name
    elif d.kind in _INLINE_KINDS:  # a constant's value may run on for pages
        signature = lines[d.name_row].strip()[:MAX_SIGNATURE_CHARS]
    else:
        signature = _signature(lines, d)
    if language == "python":
        # Without a docstring, the comment block above a def is how its author explained it.
        doc = _python_docstring(d.node, d.node_type, data) or _comment_text(lines, _comment_above(lines, d.start, 0, comment_starts), d.start)
    elif language == "elixir":
        doc = _elixir_doc(d.node) or _leading_comment(d.node)
    else:
        doc = _leading_comment(d.node)
    return Definition(
        name=d.name, kind=d.kind, scope=d.scope, signature=signature,
        doc=doc[:MAX_DOC_CHARS], start_line=d.start + 1, end_line=d.end + 1,
    )


SIGNATURE_LINES = 8


def _signature(lines: Sequence[str], d: _Def) -> str:
    """The definition's line, continued to the end of its parameter list when that
    runs over several lines (``def wraps(wrapped,`` up to its closing ``):``), on one
    line, at most ``MAX_SIGNATURE_CHARS``."""
    first = lines[d.name_row].strip()
    if first.count("(") <= first.count(")"):
        return first[:MAX_SIGNATURE_CHARS]
    parameters = _parameters(d.node)
    last = parameters.end_point[0] if parameters is not None else d.name_row
    last = min(last, d.name_row + SIGNATURE_LINES - 1, len(lines) - 1)
    parts = (line.strip() for line in lines[d.name_row : last + 1])
    return " ".join(part for part in parts if part)[:MAX_SIGNATURE_CHARS]


def _parameters(node: Node) -> Node | None:
    """A definition's parameter list, or a class's list of bases (through a decorator,
    a C declarator, or the function a ``const f = (a, b) =>`` holds)."""
    for _ in range(4):
        parameters = node.child_by_field_name("parameters") or node.child_by_field_name("superclasses")
        if parameters is not None:
            return parameters
        inner = next(
            (found for field in ("definition", "declarator", "value") if (found := node.child_by_field_name(field))),
            None,
        )
        if inner is None:
            return None
        node = inner
    return None


def _python_docstring(node: Node, node_type: str, data: bytes) -> str:
    if node_type == "decorated_definition":
        node = node.child_by_field_name("definition") or node
    body = node.child_by_field_name("body")
    if body is None or body.named_child_count == 0:
        return ""
    first = body.named_child(0)
    if first.type != "expression_statement" or first.named_child_count == 0:
        return ""
    string = first.named_child(0)
    if string.type != "string":
        return ""
    return _clean_doc(_unquoted(_text_in(data, string).strip()))


def _unquoted(literal: str) -> str:
    """A string literal's text, without its prefix (``r``, ``b``...) and quotes."""
    opening = _STRING_OPENING.match(literal)
    start = opening.end() if opening else 0
    for closing in _STRING_CLOSINGS:
        if literal.endswith(closing) and len(literal) - len(closing) >= start:
            return literal[start:len(literal) - len(closing)]
    return literal[start:]


def _elixir_doc(node: Node) -> str:
    """The ``@doc`` above an Elixir function (past ``@spec`` and the like), or a
    module's ``@moduledoc``: Elixir's docstrings are attributes, not comments."""
    sibling = node.prev_named_sibling
    if node.type == "call" and (node.child(0) is not None and node.child(0).text == b"defmodule"):
        body = next((child for child in node.named_children if child.type == "do_block"), None)
        sibling = body.named_children[0] if body is not None and body.named_child_count else None
        wanted = _ELIXIR_MODULE_DOC
    else:
        wanted = _ELIXIR_DOC
        while sibling is not None and sibling.type == "unary_operator" and _ELIXIR_SKIPPED_ATTRIBUTE.match(sibling.text or b""):
            sibling = sibling.prev_named_sibling
    if sibling is None or sibling.type != "unary_operator" or not wanted.match(sibling.text or b""):
        return ""
    strings = [n for n in _descendants(sibling) if n.type == "quoted_content"]
    return _clean_doc(_node_text(strings[0])) if strings else ""


def _descendants(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def _leading_comment(node: Node) -> str:
    """The comment lines directly above a definition (doc comments in most languages)."""
    # A definition wrapped by a node on its line (``export function``, OCaml's ``let``
    # binding) has its comment above the wrapper.
    while node.prev_named_sibling is None and node.parent is not None and node.parent.start_point[0] == node.start_point[0]:
        node = node.parent
    comments: list[str] = []
    expected_end = node.start_point[0]
    sibling = node.prev_named_sibling
    while sibling is not None and _is_comment_node(sibling) and sibling.end_point[0] >= expected_end - 1:
        if (sibling.text or b"").startswith(b"#!"):
            break  # a shebang explains nothing
        comments.append(_node_text(sibling))
        expected_end = sibling.start_point[0]
        sibling = sibling.prev_named_sibling
    if not comments:
        return ""
    raw = "\n".join(reversed(comments))
    return _clean_doc("\n".join(_uncommented(line) for line in raw.split("\n")))


def _is_comment_node(node: Node) -> bool:
    return "comment" in node.type or node.type == "haddock"


def _comment_above(lines: Sequence[str], row: int, floor: int, starts: tuple[str, ...]) -> int:
    """The first row of the comment block just above ``row`` (one blank line between is
    allowed) at the same indentation, not above ``floor``; ``row`` when there is none."""
    if row >= len(lines):
        return row
    line = lines[row]
    comment, shebang = _comment_prefixes(line[: len(line) - len(line.lstrip())], starts)
    at = row - 1
    if at > floor and not lines[at].strip() and _is_comment(lines[at - 1], comment, shebang):
        at -= 1
    first = row
    while at >= floor and _is_comment(lines[at], comment, shebang):
        first = at
        at -= 1
    return first


@functools.lru_cache(maxsize=256)
def _comment_prefixes(indent: str, starts: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """How a comment line at ``indent`` starts, and how a shebang line there does."""
    return tuple(indent + start for start in starts), indent + "#!"


def _is_comment(line: str, comment: tuple[str, ...], shebang: str) -> bool:
    # A shebang line explains nothing.
    return line.startswith(comment) and not line.startswith(shebang)


def _comment_text(lines: Sequence[str], first: int, row: int) -> str:
    """The cleaned text of comment rows ``first``..``row - 1``."""
    if first >= row:
        return ""
    raw = (lines[at] for at in range(first, row) if lines[at].strip())
    return _clean_doc("\n".join(_uncommented(line) for line in raw))


def _uncommented(line: str) -> str:
    """The text of a comment line, without its comment markers."""
    text = _COMMENT_MARKERS.sub("", line, count=1)
    # Searching for the end marker tries every position: look only where it can be.
    return _COMMENT_END.sub("", text) if text.rstrip().endswith(("*/", "*)")) else text


def _clean_doc(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().split("\n")).strip()


class _Chunker:
    """Cuts a parsed file into chunks along its definitions and statements.

    The chunks are appended to one list as they are cut (a chunk is made on nearly
    every call, and generators nested this deep would cost more than the cutting)."""

    def __init__(self, lines: Sequence[str], defs: list[_Def], comment_starts: tuple[str, ...] = ()) -> None:
        self.lines = lines
        self.defs = defs
        self.comment_starts = comment_starts
        # prefix[i] = characters before row i (each line plus its newline)
        self.prefix = list(itertools.accumulate([n + 1 for n in map(len, lines)], initial=0))
        self._chunks: list[Chunk] = []

    def chunks(self, root: Node) -> list[Chunk]:
        """The chunks of the parsed file whose tree is ``root``, in file order."""
        self._chunks = []
        top = _outermost([d for d in self.defs if d.kind not in _INLINE_KINDS])
        self._region(0, len(self.lines) - 1, top, _Boundaries(root), "code", None)
        return self._chunks

    def text_chunks(self, boundaries: list[int]) -> list[Chunk]:
        """The chunks of a plain-text file, cut at the rows ``boundaries`` where possible."""
        self._chunks = []
        self._split(0, len(self.lines) - 1, boundaries, "text", None)
        return self._chunks

    def _region(
        self, start: int, end: int, defs: list[_Def], boundaries: _Boundaries, kind: str, owner: int | None
    ) -> None:
        """Chunks of rows start..end: each definition in ``defs``, the code between them."""
        cursor = start
        for d in defs:
            # The comment block above a definition explains it: it goes in its chunk.
            first = _comment_above(self.lines, d.start, cursor, self.comment_starts) if self.comment_starts else d.start
            if first > cursor:
                self._split(cursor, first - 1, boundaries, kind, owner)
            self._definition(d, min(first, d.start))
            cursor = max(cursor, d.end + 1)
        if cursor <= end:
            self._split(cursor, end, boundaries, kind, owner)

    def _definition(self, d: _Def, first: int) -> None:
        """Chunks of one definition whose chunk starts at row ``first`` (its comment)."""
        if self._fits(first, d.end):
            self._emit(first, d.end, d.kind, d.index)
            return
        inner = _outermost(list(self._nested(d)))
        # A definition written as clauses is cut between them: they are its parent's statements.
        node = d.node.parent if d.clauses > 1 and d.node.parent is not None else d.node
        self._region(first, d.end, inner, _Boundaries(node), d.kind, d.index)

    def _nested(self, d: _Def) -> Iterator[_Def]:
        """Definitions inside ``d``: they follow it in the position-sorted list."""
        defs = self.defs
        for index in range(d.index + 1, len(defs)):
            x = defs[index]
            if x.start_byte >= d.span_end:
                return
            if x.span_end <= d.span_end and x.kind not in _INLINE_KINDS:
                yield x

    def _fits(self, start: int, end: int) -> bool:
        return end - start + 1 <= MAX_CHUNK_LINES and self.prefix[end + 1] - self.prefix[start] <= MAX_CHUNK_CHARS

    def _split(
        self, start: int, end: int, boundaries: _Boundaries | list[int], kind: str, owner: int | None
    ) -> None:
        """Rows start..end in pieces within the limits, cut at statement starts where possible."""
        prefix = self.prefix
        while start <= end:
            if self._fits(start, end):
                self._emit(start, end, kind, owner)
                return
            # the last row that keeps the piece within the limits (at least one row)
            within_chars = bisect.bisect_right(prefix, prefix[start] + MAX_CHUNK_CHARS) - 2
            limit = max(start, min(end, start + MAX_CHUNK_LINES - 1, within_chars))
            rows = boundaries.rows() if isinstance(boundaries, _Boundaries) else boundaries
            # the last statement start that keeps the piece within the limits
            at = bisect.bisect_right(rows, limit + 1) - 1
            cut = rows[at] if at >= 0 and rows[at] > start else limit + 1
            if cut - start <= SHORT_PIECE_ROWS and isinstance(boundaries, _Boundaries):
                cut = boundaries.inner_cut(start, cut, limit + 1)
            self._emit(start, cut - 1, kind, owner)
            start = cut

    def _emit(self, start: int, end: int, kind: str, owner: int | None) -> None:
        """A chunk of rows start..end without their blank first and last lines (none if all are blank)."""
        while start <= end and not self.lines[start].strip():
            start += 1
        while end >= start and not self.lines[end].strip():
            end -= 1
        if start <= end:
            self._chunks.append(Chunk(start + 1, end + 1, kind, owner, "\n".join(self.lines[start:end + 1])))


def _outermost(defs: list[_Def]) -> list[_Def]:
    """Definitions not nested in another one of ``defs`` (input sorted by position)."""
    result: list[_Def] = []
    for d in defs:
        if result and d.start_byte >= result[-1].start_byte and d.span_end <= result[-1].span_end:
            continue
        if result and d.start <= result[-1].end:
            continue  # shares lines with the previous one (two defs on a line): keep one
        result.append(d)
    return result


class _Boundaries:
    """The statement starts of one node, found only if a piece of it must be split."""

    def __init__(self, node: Node) -> None:
        self._node = node
        self._rows: list[int] | None = None

    def rows(self) -> list[int]:
        """Rows where a statement starts in the node (see ``_boundaries``)."""
        if self._rows is None:
            self._rows = _boundaries(self._node)
        return self._rows

    def inner_cut(self, start: int, cut: int, last: int) -> int:
        """Where to end a piece that starts at row ``start``, when cutting at the
        statement start ``cut`` would leave it only a line or two (a definition's
        header, before a statement too big to join it): the last start of a statement
        nested in a block after ``cut``, at most ``last``; ``cut`` when there is none."""
        rows = _block_statement_rows(self._node, cut + 1, last)
        if rows:
            return max(rows)
        # A docstring too long to join its header is cut at a line: it is prose.
        return last if _docstring_at(self._node, cut) else cut


def _boundaries(node: Node) -> list[int]:
    """Rows where a statement starts, two levels into ``node`` (a block's statements)."""
    rows: set[int] = set()
    for child in node.named_children:
        rows.add(child.start_point[0])
        for grandchild in child.named_children:
            rows.add(grandchild.start_point[0])
    return sorted(rows)


def _block_statement_rows(node: Node, first: int, last: int) -> list[int]:
    """Rows from ``first`` to ``last`` where a statement of a block inside ``node``
    starts, at any depth: places to cut a statement that is too big for one chunk."""
    rows: list[int] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.end_point[0] < first or current.start_point[0] > last:
            continue
        children = current.named_children
        if current.type.endswith(_BLOCK_SUFFIXES):
            rows.extend(row for child in children if first <= (row := child.start_point[0]) <= last)
        stack.extend(children)
    return rows


def _docstring_at(node: Node, row: int) -> bool:
    """Whether the first statement of ``node``'s body (Python) is a string starting at ``row``."""
    if node.type == "decorated_definition":
        node = node.child_by_field_name("definition") or node
    body = node.child_by_field_name("body")
    first = body.named_children[0] if body is not None and body.named_child_count else None
    return (
        first is not None and first.type == "expression_statement" and first.start_point[0] == row
        and first.named_child_count == 1 and first.named_children[0].type == "string"
    )


def _text_chunks(lines: Sequence[str]) -> list[Chunk]:
    """Plain text cut at paragraph starts (after a blank line) and headings."""
    boundaries = [
        row for row, line in enumerate(lines)
        if row == 0 or line.startswith("#") or (not lines[row - 1].strip() and line.strip())
    ]
    return _Chunker(lines, []).text_chunks(boundaries)
