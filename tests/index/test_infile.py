"""In-file ranking: a file's definitions weighed against each other, on a real index."""

from __future__ import annotations

import pytest

from desktop.index.identifiers import fts_query
from desktop.index.infile import file_units, in_file_scores
from desktop.index.retrieval import FileRanker, SearchIndex, best_in_file, prepare_query
from tests.index.test_retrieval import open_project

# Every definition says "cookie"; only one is about expiry dates.
COOKIES = '''\
"""Cookie handling for the HTTP client: cookie headers, cookie domains, the cookie jar."""


class Cookie:
    """One cookie: the cookie's name and value, and the cookie domain and cookie path."""

    def __init__(self, name, value, domain, path="/"):
        self.name, self.value, self.domain, self.path = name, value, domain, path


def cookie_header(cookies):
    """Join cookies into the value of one Cookie header."""
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in cookies)


def split_cookie_header(header):
    """Split a Cookie header into cookie name and value pairs."""
    pairs = []
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        pairs.append((name, value))
    return pairs


def cookie_domain_matches(cookie, host):
    """Whether a cookie's domain covers the host the cookie is sent to."""
    return host == cookie.domain or host.endswith("." + cookie.domain)


def parse_cookie_expiry(text):
    """Turn a cookie expiry date such as 'Wed, 09 Feb 1994 22:23:32 GMT' into seconds since the epoch."""
    import calendar
    import time

    return calendar.timegm(time.strptime(text, "%a, %d %b %Y %H:%M:%S GMT"))


def store_cookie(jar, cookie):
    """Keep a cookie in the jar, replacing an older cookie of the same name and domain."""
    jar[(cookie.domain, cookie.name)] = cookie
'''

LONG_AND_SHORT = '''\
def short_one():
    """Rotate the log."""
    return 1


def long_one():
    """Rotate the log, then do a great deal more."""
''' + "".join(f"    step_{i} = {i}\n" for i in range(60)) + '''    return 2
'''


CALENDAR = '''\
def date_to_seconds_{n}(date):
    """Turn a date of calendar {n} into seconds since the epoch."""
    return date.days * 86400 + date.seconds
'''


@pytest.fixture
def index(tmp_path):
    # Dates, seconds and the epoch are common words in this project; cookies are rare.
    calendars = {f"calendar_{n}.py": CALENDAR.format(n=n) for n in range(30)}
    opened = open_project(tmp_path, "proj", {"cookies.py": COOKIES, "logs.py": LONG_AND_SHORT, **calendars})
    opened.refresh()
    yield opened
    opened.close()


def _scores_by_name(index: SearchIndex, path: str, words: list[str]) -> dict[str | None, float]:
    file_id = index.file_id(path)
    units = index.file_units(file_id)
    assert units is not None
    scores = in_file_scores(units, [index.units_using(file_id, word) for word in words])
    infos = index.chunk_infos(list(scores))
    return {infos[chunk_id].symbol: score for chunk_id, score in scores.items()}


def test_a_word_every_definition_uses_weighs_little_inside_the_file(index):
    topic = _scores_by_name(index, "cookies.py", ["cookie"])
    specific = _scores_by_name(index, "cookies.py", ["expiry"])
    assert {"cookie_header", "split_cookie_header", "store_cookie", "parse_cookie_expiry"} <= set(topic)
    assert list(specific) == ["parse_cookie_expiry"]
    assert specific["parse_cookie_expiry"] > 3 * max(topic.values())


def test_a_long_definition_does_not_win_by_its_length(index):
    scores = _scores_by_name(index, "logs.py", ["rotate"])
    assert set(scores) == {"short_one", "long_one"}
    assert scores["short_one"] > scores["long_one"]


def test_words_no_definition_uses_score_nothing(index):
    assert _scores_by_name(index, "cookies.py", ["zeppelin", ""]) == {}


def test_the_file_topic_does_not_pick_the_definition(index):
    # Project-wide, "cookie" is the rare word and the Cookie class says it most; inside
    # cookies.py every definition says it, and the date words pick the answer.
    question = "where is the date a cookie expires at turned into seconds since the epoch?"
    query = prepare_query(index, question)
    match = fts_query(query.words)
    file_id = index.file_id("cookies.py")
    matches = index.match_chunks(match, FileRanker.limit, FileRanker.weights)
    infos = index.chunk_infos([chunk_id for chunk_id, _ in matches])
    own = [(chunk_id, score) for chunk_id, score in matches if infos[chunk_id].file_id == file_id]
    assert infos[own[0][0]].symbol != "parse_cookie_expiry"  # not what the project-wide text prefers
    ranked = best_in_file(index, query, match, file_id, own)
    assert index.chunk_infos(ranked[:1])[ranked[0]].symbol == "parse_cookie_expiry"


def test_units_group_a_definitions_chunks_and_keep_loose_chunks_apart():
    units = file_units([(12, 7, 10, 19), (10, None, 1, 3), (11, 7, 5, 9), (13, None, 21, 21)], (10, 13))
    assert units.unit_of_chunk == {10: -10, 11: 7, 12: 7, 13: -13}
    assert units.lines == {-10: 3, 7: 15, -13: 1}
    assert units.first_chunk == {-10: 10, 7: 11, -13: 13}
    assert units.mean_lines == pytest.approx(19 / 3)
