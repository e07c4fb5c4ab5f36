"""Programming vocabulary: the different words people and identifiers use for one idea.

People ask in plain English ("the biggest items", "remove an entry", "a folder");
identifiers use a narrower, often abbreviated vocabulary (``nlargest``, ``discard``,
``dir``, ``cmp``). A query word brings in the other words of its group, so the rankers
can meet the code halfway. The table is general programming vocabulary, the same for
every project and every question; a group is one meaning, so it stays small and
conservative (a word in two groups links both).

Names that run words together (``relpath``, ``nlargest``) are met at query time, by
``retrieval.name_coverage``.
"""

from __future__ import annotations

import functools

# One meaning per line; the first word is the plain-English one. Abbreviations that
# identifiers use stand next to the word they abbreviate.
_GROUPS = """
remove delete discard erase unlink : del rm
largest biggest greatest highest maximum : max
smallest least lowest minimum : min
make create construct build : new mk
find search locate lookup
split break tokenize
join concatenate combine : concat
compare comparison : cmp
directory folder : dir dirs
relative : rel
absolute : abs
string text : str
number : num
length size : len
character : char chr
integer : int
initialize : init
configuration settings : config cfg conf
argument parameter : arg args param params
message : msg
temporary : temp tmp
execute run invoke : exec
print display show
encode serialize
decode deserialize
format : fmt
error failure : err
environment : env
previous : prev
current : cur curr
copy duplicate clone : cp
rename move : mv
attribute : attr attrs
dictionary mapping : dict
sequence : seq
function : func
buffer : buf
source : src
destination : dest dst
document : doc docs
address : addr
reference : ref refs
position offset : pos
index : idx
value : val
object : obj
request : req
response reply : resp
connection : conn
database : db
identifier : ident
expression : expr
command : cmd
information : info
specification : spec
exception : exc
iterator : iter
kill terminate
begin start
end finish
check verify validate
clear reset
extract unpack
merge combine
replace substitute swap
extension suffix
concurrent parallel simultaneous
add append insert
update modify change
convert transform
element item entry
send transmit
receive : recv
uppercase capital capitalize : upper
lowercase : lower
sort order
hash digest checksum
average mean
total sum
permission : perm perms
password : passwd pwd
column : col cols
image picture : img
random : rand
close shutdown
"""


def _build() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(word -> its synonyms, word -> its synonyms and abbreviations) from the table."""
    synonyms: dict[str, set[str]] = {}
    related: dict[str, set[str]] = {}
    for line in _GROUPS.strip().split("\n"):
        words, _, short = line.partition(":")
        full = words.split()
        everything = full + short.split()
        for word in full:
            synonyms.setdefault(word, set()).update(w for w in full if w != word)
        for word in everything:
            related.setdefault(word, set()).update(w for w in everything if w != word)
    return _frozen(synonyms), _frozen(related)


def _frozen(table: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {word: frozenset(others) for word, others in table.items()}


_SYNONYMS, _RELATED = _build()


_ENDINGS = (("ies", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""), ("s", ""), ("d", ""))


def _lookup(table: dict[str, frozenset[str]], word: str) -> frozenset[str] | None:
    """``table[word]``, else by a light stem (``deleting`` → ``delete``)."""
    found = table.get(word)
    if found is None:
        for suffix, replacement in _ENDINGS:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                found = table.get(word[: -len(suffix)] + replacement)
                if found is not None:
                    break
    return found


@functools.lru_cache(maxsize=8192)
def synonyms(word: str) -> tuple[str, ...]:
    """Other plain words for ``word`` (lower case): what text may say instead. No
    abbreviations: in full-text matching ``dir`` or ``cmd`` would match far too much."""
    return tuple(sorted(_lookup(_SYNONYMS, word) or ()))


@functools.lru_cache(maxsize=8192)
def alternatives(word: str) -> tuple[str, ...]:
    """Other words for ``word`` including the abbreviations names use (``directory`` →
    folder, dir, dirs); () when the table has none."""
    return tuple(sorted(_lookup(_RELATED, word) or ()))
