"""A list page reads only the contacts it shows (ranked by the database): it must show
the same contacts, in the same order, as the full computation the export uses."""

from __future__ import annotations

import pytest

from harken.contacts.linking import link_authors
from harken.contacts.standing import KINDS, listing
from tests.contacts.helpers import ago, author, conversation, mention
from tests.contacts.test_standing import build


def build_more(workspace) -> None:
    build(workspace)
    # A second recovered detractor with more reach, and an answer given before the
    # complaint (which recovers nobody).
    ivy = author(workspace, "ivy", followers=9000, name="Ivy")
    mention(ivy, "negative", 12, conversation=conversation(workspace, answered=ago(11)))
    mention(ivy, "neutral", 6)
    jo = author(workspace, "jo", name="Jo")
    mention(jo, "negative", 12, conversation=conversation(workspace, answered=ago(13)))
    mention(jo, "positive", 6)
    link_authors(workspace)


@pytest.mark.parametrize("kind", KINDS)
def test_a_page_shows_what_the_full_list_ranks_first(workspace, kind):
    build_more(workspace)
    everyone = [(s.contact.name, s.reach) for s in listing(workspace, kind)]
    assert everyone  # each list has someone on it
    page = [(s.contact.name, s.reach) for s in listing(workspace, kind, limit=100)]
    assert page == everyone
    first = listing(workspace, kind, limit=1, each=1)
    assert [s.contact.name for s in first] == [everyone[0][0]]
    assert len(first[0].evidence(kind)) == 1


def test_recovered_by_reach(workspace):
    build_more(workspace)
    names = [s.contact.name for s in listing(workspace, "recovered", limit=10)]
    assert names == ["Ivy", "Dan"]
