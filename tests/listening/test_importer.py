"""Importing the real Customer Support on Twitter sample: threads, our answers, rejects."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from harken.inbox.models import Conversation
from harken.listening.importer import RowError, import_file
from harken.listening.models import Author, Mention
from tests.conftest import shared_data

pytestmark = pytest.mark.django_db

TWCS = ("customer-support-twitter", "twcs_first5000.csv")


def _components(path) -> int:
    """Reply chains in the file, counted independently with a union-find over its links."""
    import csv

    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    with path.open("rb") as handle:
        reader = csv.reader(raw.decode() for raw in handle)
        next(reader)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                continue
            tweet, reply_to = row[1], row[7].removesuffix(".0")
            find(tweet)
            if reply_to:
                parent[find(tweet)] = find(reply_to)
    ids = {row for row in parent}
    return len({find(x) for x in ids})


@pytest.fixture(scope="module")
def twcs():
    return shared_data(*TWCS)


def test_it_imports_the_sample_into_conversations_threaded_by_reply_links(workspace, twcs):
    report = import_file(workspace, twcs, network="x", enrichment=False)
    assert (report.rows, report.imported) == (5000, 4999)
    assert report.rejected == [(2589, "malformed CSV: a stray line break inside an unquoted field")]
    assert Mention.objects.filter(workspace=workspace).count() == 4999
    # 1,305 chains start in the file; 7 hang from a parent the file does not hold.
    assert Conversation.objects.filter(workspace=workspace).count() == _components(twcs) == 1312
    assert not Mention.objects.filter(conversation__isnull=True).exists()
    # Brands' replies are our answers: all 76 brands, as no --own handle was named.
    assert Mention.objects.filter(is_own=True).count() == 2222
    assert Author.objects.filter(mentions__is_own=True).distinct().count() == 76
    # Tweet 8 (a customer, Oct 31 21:45:10) was answered by sprintcare's tweet 6 at 21:46:24.
    conversation = Mention.objects.get(external_id="8").conversation
    assert conversation.first_response_at - conversation.first_message_at == timedelta(
        minutes=1, seconds=14
    )
    assert conversation.subject_handle == "115712"

    again = import_file(workspace, twcs, network="x", enrichment=False)
    assert (again.imported, again.already) == (0, 4999)
    assert Mention.objects.count() == 4999
    assert Conversation.objects.count() == 1312


def test_reimporting_changes_no_conversation(workspace, twcs, tmp_path):
    # Half the file, then all of it: the second half threads onto the first half's threads.
    half = tmp_path / "half.csv"
    half.write_bytes(b"\n".join(twcs.read_bytes().split(b"\n")[:2000]) + b"\n")
    import_file(workspace, half, network="x", enrichment=False)
    import_file(workspace, twcs, network="x", enrichment=False)
    first = sorted(Conversation.objects.values_list("root_external_id", "first_response_at"))
    import_file(workspace, twcs, network="x", enrichment=False)
    assert (
        sorted(Conversation.objects.values_list("root_external_id", "first_response_at")) == first
    )
    assert len(first) == 1312


def _jsonl(tmp_path, rows) -> Path:
    path = tmp_path / "mentions.jsonl"
    path.write_text("\n".join(json.dumps(row) if isinstance(row, dict) else row for row in rows))
    return path


ROWS = [
    {
        "id": "1",
        "text": "Where is my order?",
        "created_at": "2026-11-20T09:00:00Z",
        "user": {"screen_name": "carla"},
        "followers_count": 120,
    },
    {
        "id": "2",
        "text": "Sorry Carla, checking now",
        "created_at": "2026-11-20T09:05:00Z",
        "user": {"screen_name": "HarborStreet"},
        "in_reply_to": "1",
    },
    {
        "id": "3",
        "text": "Thanks!",
        "created_at": "2026-11-20T09:07:00Z",
        "user": {"screen_name": "carla"},
        "in_reply_to": "2",
    },
]


def test_only_the_named_handles_count_as_ours(workspace, tmp_path):
    path = _jsonl(tmp_path, ROWS)
    report = import_file(
        workspace,
        path,
        mapping={"author_handle": "user.screen_name"},
        network="mastodon",
        own_handles={"@harborstreet"},
        enrichment=False,
    )
    assert report.imported == 3
    assert list(Mention.objects.filter(is_own=True).values_list("external_id", flat=True)) == ["2"]
    conversation = Conversation.objects.get()
    assert conversation.first_response_seconds == 300
    assert conversation.status == Conversation.Status.OPEN
    assert Author.objects.get(handle="carla").followers == 120


def test_bad_rows_are_rejected_whole_with_their_line_and_reason(workspace, tmp_path):
    rows = [
        ROWS[0],
        "{not json",
        {"id": "5", "text": "", "created_at": "2026-11-20T09:00:00Z", "user": {"screen_name": "a"}},
        {"id": "6", "text": "hi", "created_at": "yesterday", "user": {"screen_name": "a"}},
        {
            "id": "7",
            "text": "hi",
            "created_at": "2026-11-20T09:00:00Z",
            "user": {"screen_name": "a"},
            "followers_count": "many",
        },
        [1, 2],
    ]
    path = _jsonl(tmp_path, [r if not isinstance(r, list) else json.dumps(r) for r in rows])
    report = import_file(
        workspace, path, mapping={"author_handle": "user.screen_name"}, enrichment=False
    )
    assert report.imported == 1
    assert [line for line, _ in report.rejected] == [2, 3, 4, 5, 6]
    reasons = [why for _, why in report.rejected]
    assert reasons[0].startswith("not valid JSON")
    assert reasons[1:] == [
        "no text",
        "unreadable date 'yesterday'",
        "followers is not a number: 'many'",
        "not a JSON object",
    ]
    assert list(Mention.objects.values_list("external_id", flat=True)) == ["1"]


def test_a_file_without_the_needed_columns_is_refused_before_anything_is_stored(
    workspace, tmp_path
):
    path = tmp_path / "export.csv"
    path.write_text("Message,When\nhello,2026-11-20\n")
    with pytest.raises(RowError, match="no column for: external_id"):
        import_file(workspace, path, enrichment=False)
    assert not Mention.objects.exists()


def test_columns_are_mapped_by_name(workspace, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Post ID,Message,When,Who\np1,Lovely shop,2026-11-20 10:00:00,dora\n")
    mapping = {"external_id": "Post ID", "text": "Message", "posted": "When", "author_id": "Who"}
    report = import_file(workspace, path, mapping=mapping, network="feed", enrichment=False)
    assert report.imported == 1
    mention = Mention.objects.get()
    assert (mention.network, mention.author.handle, mention.posted.hour) == ("feed", "dora", 10)


def test_progress_is_reported_up_to_the_whole_file(workspace, tmp_path):
    path = _jsonl(tmp_path, ROWS)
    seen = []
    import_file(
        workspace,
        path,
        mapping={"author_handle": "user.screen_name"},
        chunk_size=1,
        progress=seen.append,
        enrichment=False,
    )
    assert seen[-1].done_bytes == seen[-1].total_bytes == path.stat().st_size
    assert [p.lines for p in seen] == sorted(p.lines for p in seen)


def test_the_command_imports_and_lists_rejected_rows(workspace, tmp_path, capsys):
    from django.core.management import call_command

    path = _jsonl(tmp_path, [ROWS[0], "{broken"])
    call_command(
        "import_mentions",
        str(path),
        "--workspace",
        workspace.slug,
        "--map",
        "author_handle=user.screen_name",
        "--no-enrichment",
    )
    out, err = capsys.readouterr()
    assert "2 rows: 1 imported, 0 already there, 1 rejected" in out
    assert "line 2: not valid JSON" in out
    assert "100%" in err
