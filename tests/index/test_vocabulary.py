"""The programming vocabulary table: other words for a query word."""

from __future__ import annotations

from desktop.index.vocabulary import alternatives, synonyms


def test_synonyms_are_plain_words_of_the_same_meaning():
    assert {"largest", "greatest", "maximum"} <= set(synonyms("biggest"))
    assert "biggest" not in synonyms("biggest")
    assert "max" not in synonyms("biggest")  # abbreviations would flood full-text matches
    assert {"delete", "discard"} <= set(synonyms("remove"))


def test_alternatives_add_the_abbreviations_names_use():
    assert "max" in alternatives("biggest")
    assert {"dir", "folder"} <= set(alternatives("directory"))
    assert "cmp" in alternatives("comparison")
    assert "directory" in alternatives("dir")  # and back from the abbreviation


def test_a_word_in_two_groups_links_both():
    assert {"join", "merge"} <= set(synonyms("combine"))
    assert "img" in alternatives("pictures") and "suffix" in synonyms("extension")


def test_inflected_words_are_looked_up_by_their_stem():
    assert "remove" in synonyms("deleting")
    assert "remove" in synonyms("deleted")
    assert "dir" in alternatives("directories")
    assert "cmp" in alternatives("compares")


def test_words_outside_the_table_have_none():
    assert synonyms("heap") == ()
    assert alternatives("") == ()
    assert alternatives("xyzzy") == ()
