"""Every operation with each role's token, a read-only token and another workspace's
token: the set each one may do is exactly what the pages let that member do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from harken.contacts.models import Contact
from harken.listening.models import Topic
from harken.publishing.models import Campaign
from tests.api.conftest import Api, Rows

EVERYONE = {"owner", "manager", "responder", "viewer", "read_only"}
RESPONDERS = {"owner", "manager", "responder"}
MANAGERS = {"owner", "manager"}
CSV = b"email,name,status\nnew@example.com,New Person,customer\n"


@dataclass(frozen=True)
class Op:
    name: str
    call: Callable[[Api, Rows], object]
    allowed: set[str]
    #: "list": the outsider gets its own (empty) workspace's rows; "create": it makes a row
    #: in its own workspace; "row": it names a row of ours, which it cannot see (404);
    #: "refers": its body names a row of ours (an account), refused as none of its own.
    kind: str = "row"


def _import(api: Api, rows: Rows):
    upload = SimpleUploadedFile("customers.csv", CSV, content_type="text/csv")
    return api.client.post("/api/v1/contacts/import", {"file": upload}, headers=api._headers())


def _mention(rows: Rows) -> int:
    return rows.conversation.mentions.first().pk


OPS = [
    Op("list mentions", lambda a, r: a.get("/mentions", q="opal"), EVERYONE, "list"),
    Op("read mention", lambda a, r: a.get(f"/mentions/{_mention(r)}"), EVERYONE),
    Op(
        "correct mention",
        lambda a, r: a.post(
            f"/mentions/{_mention(r)}/correction", {"field": "sentiment", "label": "positive"}
        ),
        RESPONDERS,
    ),
    Op("list topics", lambda a, r: a.get("/topics"), EVERYONE, "list"),
    Op("read topic", lambda a, r: a.get(f"/topics/{r.topic.pk}"), EVERYONE),
    Op(
        "check a query",
        lambda a, r: a.post("/topics/validate", {"query": "a OR"}),
        EVERYONE,
        "list",
    ),
    Op(
        "create topic",
        lambda a, r: a.post("/topics", {"name": "Opals", "query": "opal", "kind": "industry"}),
        MANAGERS,
        "create",
    ),
    Op("change topic", lambda a, r: a.patch(f"/topics/{r.topic.pk}", {"name": "Ring"}), MANAGERS),
    Op("list sources", lambda a, r: a.get("/sources"), EVERYONE, "list"),
    Op("read source", lambda a, r: a.get(f"/sources/{r.source.pk}"), EVERYONE),
    Op("pause source", lambda a, r: a.post(f"/sources/{r.source.pk}/pause"), MANAGERS),
    Op("resume source", lambda a, r: a.post(f"/sources/{r.source.pk}/resume"), MANAGERS),
    Op("poll source", lambda a, r: a.post(f"/sources/{r.source.pk}/poll"), MANAGERS),
    Op("list conversations", lambda a, r: a.get("/conversations", view="all"), EVERYONE, "list"),
    Op("read conversation", lambda a, r: a.get(f"/conversations/{r.conversation.pk}"), EVERYONE),
    Op(
        "assign",
        lambda a, r: a.post(f"/conversations/{r.conversation.pk}/assign", {"assignee": None}),
        RESPONDERS,
    ),
    Op(
        "tag",
        lambda a, r: a.post(f"/conversations/{r.conversation.pk}/tags", {"name": "opal"}),
        RESPONDERS,
    ),
    Op(
        "snooze",
        lambda a, r: a.post(f"/conversations/{r.conversation.pk}/snooze", {"until": None}),
        RESPONDERS,
    ),
    Op("resolve", lambda a, r: a.post(f"/conversations/{r.conversation.pk}/resolve"), RESPONDERS),
    Op(
        "reply",
        lambda a, r: a.post(
            f"/conversations/{r.conversation.pk}/replies", {"text": "Yes, in stock."}
        ),
        RESPONDERS,
    ),
    Op("list contacts", lambda a, r: a.get("/contacts"), EVERYONE, "list"),
    Op("read contact", lambda a, r: a.get(f"/contacts/{r.contact.pk}"), EVERYONE),
    Op(
        "update contact",
        lambda a, r: a.patch(f"/contacts/{r.contact.pk}", {"status": "customer"}),
        RESPONDERS,
    ),
    Op("import contacts", _import, MANAGERS, "create"),
    Op("export mentions", lambda a, r: a.get("/exports/mentions.csv"), EVERYONE, "list"),
    Op(
        "export conversations",
        lambda a, r: a.get("/exports/conversations.jsonl"),
        EVERYONE,
        "list",
    ),
    Op("list posts", lambda a, r: a.get("/posts"), EVERYONE, "list"),
    Op("read post", lambda a, r: a.get(f"/posts/{r.draft.pk}"), EVERYONE),
    Op(
        "compose post",
        lambda a, r: a.post("/posts", {"text": "Opal studs, new in.", "accounts": [r.account.pk]}),
        RESPONDERS,
        "refers",
    ),
    Op("submit post", lambda a, r: a.post(f"/posts/{r.draft.pk}/submit"), RESPONDERS),
    Op("approve post", lambda a, r: a.post(f"/posts/{r.waiting.pk}/approve", {}), MANAGERS),
    Op("list campaigns", lambda a, r: a.get("/campaigns"), EVERYONE, "list"),
    Op("read campaign", lambda a, r: a.get(f"/campaigns/{r.campaign.pk}"), EVERYONE),
    Op(
        "create campaign",
        lambda a, r: a.post("/campaigns", {"name": "Spring sale", "pledge_cents": 0}),
        MANAGERS,
        "create",
    ),
    Op("list links", lambda a, r: a.get("/links", campaign=r.campaign.pk), EVERYONE, "list"),
    Op(
        "list clicks",
        lambda a, r: a.get("/clicks", campaign=r.campaign.pk, network="mastodon"),
        EVERYONE,
        "list",
    ),
    Op("export posts", lambda a, r: a.get("/exports/posts.csv"), EVERYONE, "list"),
    Op("analytics", lambda a, r: a.get("/analytics/headlines"), EVERYONE, "list"),
    Op("export contacts", lambda a, r: a.get("/exports/contacts.csv"), EVERYONE, "list"),
    # Last: it takes the topic away.
    Op("delete topic", lambda a, r: a.delete(f"/topics/{r.topic.pk}"), MANAGERS),
]


@pytest.mark.parametrize("who", ["owner", "manager", "responder", "viewer", "read_only"])
def test_each_token_may_do_exactly_what_its_member_may(who, tokens, rows):
    api = tokens[who]
    allowed, refused = set(), {}
    for op in OPS:
        response = op.call(api, rows)
        if response.status_code < 300:
            allowed.add(op.name)
        else:
            body = response.json()
            assert response.status_code == 403, (op.name, response.status_code, body)
            assert body["code"] == ("scope_missing" if who == "read_only" else "forbidden")
            refused[op.name] = body["message"]
    assert allowed == {op.name for op in OPS if who in op.allowed}, refused


def test_another_workspaces_token_finds_nothing_of_this_one(tokens, rows, workspace):
    api = tokens["outsider"]
    for op in OPS:
        response = op.call(api, rows)
        if op.kind == "create":  # made in the outsider's own workspace, none of ours
            assert response.status_code in (200, 201), op.name
            assert not Topic.objects.filter(workspace=workspace, name="Opals").exists()
            assert not Contact.objects.filter(workspace=workspace, name="New Person").exists()
            assert not Campaign.objects.filter(workspace=workspace, name="Spring sale").exists()
        elif op.kind == "refers":
            assert response.status_code == 400, op.name
            assert response.json()["field"] == "accounts"
        elif op.kind == "list":
            assert response.status_code in (200, 400), op.name
            body = (
                response.content if not response.streaming else b"".join(response.streaming_content)
            )
            assert b"opal" not in body.lower() and b"maya" not in body.lower(), op.name
        else:
            # Owner there, but no row here: indistinguishable from a missing one.
            assert response.status_code == 404, (op.name, response.status_code)
            assert response.json()["code"] == "not_found"
