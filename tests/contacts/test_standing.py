"""Advocates, detractors and recovered detractors on hand-built data with known answers."""

from __future__ import annotations

import csv
import io

from harken.contacts.actions import do_merge
from harken.contacts.exports import safe_cell
from harken.contacts.linking import link_authors
from harken.contacts.standing import listing
from tests.contacts.helpers import ago, author, contact_of, conversation, mention


def names(workspace, kind: str) -> list[str]:
    return [s.contact.name for s in listing(workspace, kind)]


def build(workspace):
    ana = author(workspace, "ana", followers=1000, name="Ana")
    for hours in (30, 20, 10):
        mention(ana, "positive", hours)
    mention(ana, "neutral", 5)
    ben = author(workspace, "ben", followers=5000, name="Ben")
    mention(ben, "positive", 3)
    cleo = author(workspace, "cleo", followers=50, name="Cleo")
    mention(cleo, "positive", 8)
    mention(cleo, "positive", 2)

    dan = author(workspace, "dan", name="Dan")
    mention(dan, "negative", 10, conversation=conversation(workspace, answered=ago(9)))
    mention(dan, "positive", 5)
    eve = author(workspace, "eve", name="Eve")
    mention(eve, "negative", 10, conversation=conversation(workspace, answered=ago(9)))
    mention(eve, "negative", 4)
    finn = author(workspace, "finn", name="Finn")
    mention(finn, "negative", 10, conversation=conversation(workspace, answered=None))
    mention(finn, "positive", 3)
    gus = author(workspace, "gus", name="Gus")
    mention(gus, "negative", 10, conversation=conversation(workspace, answered=ago(9)))
    us = author(workspace, "harbor", name="Us")
    mention(us, "negative", 1, is_own=True)  # our own words never count
    link_authors(workspace)


def test_advocates_praised_more_than_once_ranked_by_count_then_reach(workspace):
    build(workspace)
    advocates = listing(workspace, "advocates")
    assert [(s.contact.name, s.positive, s.reach) for s in advocates] == [
        ("Ana", 3, 1000),
        ("Cleo", 2, 50),
    ]
    assert [m.sentiment for m in advocates[0].evidence("advocates")] == ["positive"] * 3


def test_detractors_wrote_something_negative_and_our_own_posts_do_not_count(workspace):
    build(workspace)
    assert names(workspace, "detractors") == ["Eve", "Dan", "Finn", "Gus"]


def test_recovered_detractors_wrote_only_neutral_or_positive_after_our_answer(workspace):
    build(workspace)
    (dan,) = listing(workspace, "recovered")
    assert dan.contact.name == "Dan"
    assert dan.answered_at == ago(9)
    assert [m.sentiment for m in dan.evidence("recovered")] == ["negative", "positive"]


def test_an_answer_before_the_complaint_is_no_answer_to_it(workspace):
    ida = author(workspace, "ida", name="Ida")
    mention(ida, "negative", 10, conversation=conversation(workspace, answered=ago(12)))
    mention(ida, "positive", 2)
    link_authors(workspace)
    assert names(workspace, "recovered") == []


def test_identities_merged_across_networks_count_as_one_person(workspace, alice):
    on_bluesky = author(workspace, "hal", network="bluesky", followers=100, name="Hal")
    on_mastodon = author(workspace, "hal", network="mastodon", followers=30, name="Hal")
    mention(on_bluesky, "positive", 5)
    mention(on_mastodon, "positive", 4)
    assert names(workspace, "advocates") == []
    do_merge(contact_of(on_bluesky), contact_of(on_mastodon), alice)
    (hal,) = listing(workspace, "advocates")
    assert (hal.positive, hal.reach) == (2, 130)


def test_a_cell_that_a_spreadsheet_would_run_is_neutralised():
    for text in ("=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("fine = ok") == "fine = ok"
    assert safe_cell(None) == ""


def test_the_export_neutralises_formulas_in_messages_and_names(workspace, alice_client):
    evil = author(workspace, "evil", name="=cmd|' /C calc'!A0")
    mention(evil, "negative", 3, text='=HYPERLINK("http://bad.example","click")')
    response = alice_client.get("/contacts/detractors/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "name"
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert rows[1][10] == '\'=HYPERLINK("http://bad.example","click")'
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_a_page_is_the_head_of_the_whole_ranking_with_ties_at_its_end_broken_by_reach(
    workspace,
):
    for handle, followers, complaints in [("quiet", 10, 1), ("heard", 900, 1), ("loud", 5, 2)]:
        someone = author(workspace, handle, followers=followers, name=handle.title())
        for hours in range(complaints):
            mention(someone, "negative", hours + 1)
    link_authors(workspace)
    everyone = names(workspace, "detractors")
    assert everyone == ["Loud", "Heard", "Quiet"]
    for shown in (1, 2, 3):
        page = [s.contact.name for s in listing(workspace, "detractors", limit=shown)]
        assert page == everyone[:shown]
