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


# Resuming an interrupted import ----------------------------------------------------------


class Interrupted(Exception):
    """Ctrl-C during the import, raised from its progress report after the first chunk."""


def _interrupt_after_first_chunk(progress) -> None:
    raise Interrupted


def _csv(path: Path, first_id: int, rows: int) -> Path:
    lines = ["id,text,created_at,author"]
    lines += [
        f"{n},message {n},2026-11-20 10:00:00,user{n}" for n in range(first_id, first_id + rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _interrupted_import(workspace, path: Path) -> None:
    with pytest.raises(Interrupted):
        import_file(
            workspace,
            path,
            chunk_size=4,
            progress=_interrupt_after_first_chunk,
            enrichment=False,
        )
    assert Mention.objects.count() == 4  # the first chunk is in, its line remembered


def test_an_interrupted_import_of_the_same_file_resumes_after_the_rows_stored(workspace, tmp_path):
    path = _csv(tmp_path / "export.csv", 1, 10)
    _interrupted_import(workspace, path)
    report = import_file(workspace, path, enrichment=False)
    assert (report.skipped, report.imported, report.already) == (4, 6, 0)
    assert Mention.objects.count() == 10


def test_a_different_file_under_the_same_name_is_read_from_its_first_line(workspace, tmp_path):
    path = _csv(tmp_path / "export.csv", 1, 10)
    _interrupted_import(workspace, path)
    _csv(path, 101, 10)  # this week's export, saved over last week's
    report = import_file(workspace, path, enrichment=False)
    assert (report.skipped, report.imported) == (0, 10)
    assert Mention.objects.filter(external_id__in=[str(n) for n in range(101, 111)]).count() == 10


# Values the columns cannot hold reject their row, never the import -----------------------


def _row(n: int, **values) -> dict:
    return {
        "id": str(n),
        "text": f"message {n}",
        "created_at": "2026-11-20T09:00:00Z",
        "user_name": f"user{n}",
        **values,
    }


def _reasons(report) -> dict[int, str]:
    return dict(report.rejected)


def test_a_count_too_large_for_its_column_rejects_only_its_row(workspace, tmp_path):
    path = _jsonl(
        tmp_path,
        [
            _row(1, followers=1e20),
            _row(2, followers=10**20),
            _row(3, followers="1e400"),
            _row(4, followers=2147483647),
            "{" + json.dumps(_row(5))[1:-1] + ', "followers": Infinity}',
            _row(6, followers=2147483648),
        ],
    )
    report = import_file(workspace, path, enrichment=False)
    assert _reasons(report) == {
        1: "followers is too large: 1e+20 (at most 2,147,483,647)",
        2: "followers is too large: 100000000000000000000 (at most 2,147,483,647)",
        3: "followers is not a number: '1e400'",
        5: "followers is not a number: 'inf'",
        6: "followers is too large: 2147483648 (at most 2,147,483,647)",
    }
    assert Author.objects.get(handle="user4").followers == 2147483647


def test_a_millisecond_unix_time_is_read_and_an_impossible_date_rejects_its_row(
    workspace, tmp_path
):
    path = _jsonl(
        tmp_path,
        [
            _row(1, created_at=1700000000000),  # JavaScript's Date.now(): milliseconds
            _row(2, created_at="1700000000"),  # seconds, as text
            _row(3, created_at=1700000000000000),  # microseconds: no date we can read
            _row(4, created_at="1969-07-20T20:17:00Z"),
            _row(5, created_at=-5),
        ],
    )
    report = import_file(workspace, path, enrichment=False)
    assert report.imported == 2
    posted = dict(Mention.objects.values_list("external_id", "posted"))
    assert posted["1"].isoformat() == posted["2"].isoformat() == "2023-11-14T22:13:20+00:00"
    assert _reasons(report) == {
        3: "date out of range: 1700000000000000 is no Unix time",
        4: "date 1969-07-20 is before 1970",
        5: "date 1969-12-31 is before 1970",
    }


def test_a_date_more_than_a_day_ahead_is_rejected_and_clock_skew_is_not(workspace, tmp_path):
    from django.utils import timezone

    now = timezone.now()
    path = _jsonl(
        tmp_path,
        [
            _row(1, created_at=(now + timedelta(hours=3)).isoformat()),
            _row(2, created_at=(now + timedelta(days=2)).isoformat()),
            _row(3, created_at=int((now + timedelta(days=400)).timestamp() * 1000)),
        ],
    )
    report = import_file(workspace, path, enrichment=False)
    assert report.imported == 1
    assert sorted(_reasons(report)) == [2, 3]
    assert all("is in the future" in why for _, why in report.rejected)


def test_a_network_name_too_long_for_its_column_is_refused_before_anything_is_stored(
    workspace, tmp_path
):
    from harken.listening.models import Source

    path = _jsonl(tmp_path, [_row(1)])
    with pytest.raises(RowError, match="longer than 32 characters"):
        import_file(workspace, path, network="n" * 33, enrichment=False)
    assert not Source.objects.exists() and not Mention.objects.exists()
    # In a row, it rejects that row only.
    path = _jsonl(tmp_path, [_row(1, platform="p" * 33), _row(2, platform="Mastodon")])
    report = import_file(workspace, path, enrichment=False)
    assert _reasons(report) == {1: f"network {'p' * 33!r} is longer than 32 characters"}
    assert Mention.objects.get().network == "mastodon"


def test_the_command_says_which_option_is_wrong(workspace, tmp_path):
    from django.core.management import CommandError, call_command

    path = _jsonl(tmp_path, [_row(1)])
    with pytest.raises(CommandError, match=r"^--network: the network name 'nnn.*32 characters"):
        call_command(
            "import_mentions", str(path), "--workspace", workspace.slug, "--network", "n" * 40
        )
    assert not Mention.objects.exists()


# JSON values of the wrong type --------------------------------------------------------------


def test_a_list_or_an_object_where_text_belongs_rejects_its_row_naming_the_field(
    workspace, tmp_path
):
    path = _jsonl(
        tmp_path,
        [
            _row(1, id=["list"]),
            _row(2, text={"a": 1}),
            _row(3, user_name=42),
            _row(4, created_at=True),
            _row(5, followers=[1]),
            _row(6, id=1.5),
            _row(7, id=70, in_reply_to=7.0),  # whole numbers are fine as ids
            _row(8, text="fine\u0000 \ud800text"),
        ],
    )
    report = import_file(workspace, path, enrichment=False)
    assert _reasons(report) == {
        1: "id: expected text or a whole number, found a list",
        2: "text: expected text, found an object",
        3: "user_name: expected text, found a number",
        4: "created_at: expected a date (text or a Unix time), found true",
        5: "followers: expected a number, found a list",
        6: "id: expected text or a whole number, found the number 1.5",
    }
    stored = {m.external_id: m for m in Mention.objects.all()}
    assert sorted(stored) == ["70", "8"]
    assert stored["70"].in_reply_to == "7"
    # Control characters and a lone surrogate cannot be stored: cleaned, not fatal.
    assert stored["8"].text == "fine \ufffdtext"


def test_an_object_column_is_never_taken_whole_by_the_default_mapping(workspace, tmp_path):
    # Twitter's JSON has "user": {...}; "user" is also a usual name for the author column.
    path = _jsonl(tmp_path, ROWS)
    with pytest.raises(RowError, match=r"no column for: author_id; .*its keys: .*'user'"):
        import_file(workspace, path, enrichment=False)
    report = import_file(workspace, path, mapping={"author_id": "user"}, enrichment=False)
    assert {why for _, why in report.rejected} == {
        "user: expected text or a whole number, found an object"
    }
    assert not Mention.objects.exists()


# What spreadsheets save ----------------------------------------------------------------------


def test_a_csv_with_excels_byte_order_mark_is_read(workspace, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "id,text,created_at,author\r\n1,Merci,2026-11-20 10:00:00,zoé\r\n".encode("utf-8-sig")
    )
    report = import_file(workspace, path, enrichment=False)
    assert report.imported == 1
    assert Mention.objects.get().author.handle == "zoé"


@pytest.mark.parametrize(
    ("name", "separator"),
    [("semicolons.csv", ";"), ("tabs.csv", "\t"), ("bars.csv", "|"), ("export.tsv", "\t")],
)
def test_the_separator_is_the_one_the_header_uses(workspace, tmp_path, name, separator):
    path = tmp_path / name
    rows = [["id", "text", "created_at", "author"], ["1", "a, b", "2026-11-20 10:00:00", "dora"]]
    path.write_text("\n".join(separator.join(row) for row in rows) + "\n")
    report = import_file(workspace, path, enrichment=False)
    assert (report.imported, report.rejected) == (1, [])
    assert Mention.objects.get().text == "a, b"


def test_a_file_without_the_columns_says_what_it_found(workspace, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Nachricht;Datum\nhallo;2026-11-20\n")
    with pytest.raises(RowError) as refused:
        import_file(workspace, path, enrichment=False)
    assert str(refused.value) == (
        "no column for: external_id, text, posted, author_id; name it with --map FIELD=COLUMN "
        "(its columns, separated by semicolons: 'Nachricht', 'Datum')"
    )


def test_a_utf16_file_is_refused_with_what_to_do(workspace, tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes("id,text,created_at,author\n".encode("utf-16"))
    with pytest.raises(RowError, match="UTF-16.*save it as UTF-8"):
        import_file(workspace, path, enrichment=False)


# Hostile files ---------------------------------------------------------------------------


def _good(n: int) -> dict:
    return {"id": str(n), "text": f"message {n}", "created_at": "2026-11-20T09:00:00Z", "user": n}


def test_a_deeply_nested_json_line_rejects_only_its_line(workspace, tmp_path):
    deep_text = '{"id": "9", "created_at": "2026-11-20T09:00:00Z", "text": ' + "[" * 100_000
    deep_text += "]" * 100_000 + "}"
    path = _jsonl(tmp_path, [_good(1), deep_text, "[" * 100_000, _good(2)])
    report = import_file(workspace, path, enrichment=False)
    assert report.imported == 2
    assert report.rejected == [(2, "nested too deeply to read"), (3, "nested too deeply to read")]
    assert set(Mention.objects.values_list("external_id", flat=True)) == {"1", "2"}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_binary_file_reports_its_bad_lines_and_goes_on(workspace, tmp_path, suffix):
    import random

    noise = random.Random(8).randbytes(20_000)
    if suffix == ".csv":
        head = b"id,text,created_at,author\n1,message 1,2026-11-20 10:00:00,user1\n"
        tail = b"\n2,message 2,2026-11-20 10:00:00,user2\n"
    else:
        head = (json.dumps(_good(1)) + "\n").encode()
        tail = ("\n" + json.dumps(_good(2)) + "\n").encode()
    path = tmp_path / f"mentions{suffix}"
    path.write_bytes(head + noise + tail)
    report = import_file(workspace, path, network="x", enrichment=False)
    assert report.imported == 2
    assert report.rejected, "the noise's lines are reported"
    assert all(line > 1 and why for line, why in report.rejected)
    assert set(Mention.objects.values_list("external_id", flat=True)) == {"1", "2"}


def test_the_command_reports_a_binary_files_lines_and_goes_on(workspace, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "mentions.jsonl"
    body = json.dumps(_good(1)) + "\n" + "\x00\xff\x01binary\n" + "[" * 100_000 + "\n"
    path.write_bytes(body.encode("latin-1") + (json.dumps(_good(2)) + "\n").encode())
    call_command("import_mentions", str(path), "--workspace", workspace.slug, "--quiet")
    out, _ = capsys.readouterr()
    assert "4 rows: 2 imported, 0 already there, 2 rejected" in out
    assert "line 2: not valid JSON" in out
    assert "line 3: nested too deeply to read" in out


@pytest.mark.parametrize(
    "start,what",
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "a zip archive (an Excel .xlsx workbook is one)"),
        (b"\x1f\x8b\x08\x00", "a gzip archive"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\x00\x01\x02\x03", "binary data"),
        (b"id,text\x00\x00\x01", "binary data"),
    ],
)
def test_a_binary_file_is_refused_saying_what_it_seems_to_be(workspace, tmp_path, start, what):
    import random

    path = tmp_path / "mentions.csv"
    path.write_bytes(start + random.Random(8).randbytes(5_000))
    with pytest.raises(RowError) as refused:
        import_file(workspace, path, enrichment=False)
    assert str(refused.value) == (
        f"mentions.csv is not text but {what}: export the mentions as CSV (UTF-8) "
        "or JSON Lines and import that file"
    )
    assert not Mention.objects.exists()


def test_a_windows_1252_csv_is_text_not_binary(workspace, tmp_path):
    path = tmp_path / "mentions.csv"
    body = "id,text,created_at,author\n1,Ação rápida,2026-11-20 10:00:00,josé\n"
    path.write_bytes(body.encode("cp1252"))
    report = import_file(workspace, path, enrichment=False)
    assert (report.imported, report.rejected) == (1, [])
