"""Every refusal is JSON with a stable code; exports stream, with formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from django.http import StreamingHttpResponse
from django.utils import timezone

from harken.api.exports import csv_lines
from harken.contacts.models import Contact
from harken.listening.models import Author, Mention


def _shape(response) -> dict:
    body = response.json()
    assert set(body) >= {"code", "message", "field"}, body
    return body


def test_a_malformed_body_is_a_400_naming_the_field(tokens):
    api = tokens["manager"]
    refused = api.post("/topics", {"name": "", "query": "x"})
    assert refused.status_code == 400 and _shape(refused)["field"] == "name"
    garbage = api.client.post(
        "/api/v1/topics", "{not json", content_type="application/json", headers=api._headers()
    )
    assert garbage.status_code == 400 and _shape(garbage)["code"] == "invalid"


def test_an_id_too_large_for_the_database_is_a_400_not_a_500(tokens):
    refused = tokens["viewer"].get(f"/topics/{2**70}")
    assert refused.status_code == 400 and _shape(refused)["field"] == "pk"


def test_an_unknown_address_under_the_api_is_a_json_404(tokens):
    missing = tokens["viewer"].get("/nothing-here")
    assert missing.status_code == 404 and _shape(missing)["code"] == "not_found"


def test_a_missing_row_is_a_json_404(tokens):
    missing = tokens["viewer"].get("/contacts/424242")
    assert missing.status_code == 404 and _shape(missing)["code"] == "not_found"


def test_a_topic_watched_by_alert_rules_is_not_deleted_silently(tokens, rows):
    from harken.listening.models import AlertRule

    rule = AlertRule.objects.create(
        workspace=rows.topic.workspace, name="Opal alarm", topic=rows.topic
    )
    refused = tokens["manager"].delete(f"/topics/{rows.topic.pk}")
    assert refused.status_code == 409 and _shape(refused)["code"] == "topic_in_use"
    assert refused.json()["rules"] == [{"id": rule.pk, "name": "Opal alarm"}]
    done = tokens["manager"].delete(f"/topics/{rows.topic.pk}?with_rules={rule.pk}")
    assert done.status_code == 200 and done.json()["alert_rules_deleted"] == ["Opal alarm"]


def _body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_csv_cells_that_would_run_as_formulas_are_neutralised(tokens, workspace):
    for i, name in enumerate(['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTab", "Plain"]):
        Contact.objects.create(workspace=workspace, name=name, emails=[f"p{i}@example.com"])
    rows = list(csv.DictReader(io.StringIO(_body(tokens["viewer"].get("/exports/contacts.csv")))))
    names = [r["name"] for r in rows]
    assert names == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "'\tTab", "Plain"]
    assert json.loads(rows[0]["emails"]) == ["p0@example.com"]


def test_json_lines_keep_the_values_as_they_are(tokens, workspace):
    author = Author.objects.create(workspace=workspace, network="x", external_id="1", handle="=cmd")
    Mention.objects.create(
        workspace=workspace,
        network="x",
        external_id="e1",
        author=author,
        text="=1+1 <script>",
        posted=timezone.now() - timedelta(hours=1),
        intents=["question"],
    )
    lines = _body(tokens["viewer"].get("/exports/mentions.jsonl")).splitlines()
    record = json.loads(lines[0])
    assert record["text"] == "=1+1 <script>" and record["intents"] == ["question"]
    assert record["author_handle"] == "=cmd"


def test_the_csv_writer_yields_one_line_per_row_lazily():
    produced = []

    def rows():
        for i in range(3):
            produced.append(i)
            yield (i, f"row {i}")

    lines = csv_lines(["id", "text"], rows())
    assert next(lines) == "id,text\r\n" and produced == []
    assert next(lines) == "0,row 0\r\n" and produced == [0]


def test_posts_export_one_row_per_variant(tokens, rows):
    lines = list(csv.DictReader(io.StringIO(_body(tokens["viewer"].get("/exports/posts.csv")))))
    assert {(r["post_id"], r["state"]) for r in lines} == {
        (str(rows.draft.pk), "draft"),
        (str(rows.waiting.pk), "awaiting_approval"),
    }
