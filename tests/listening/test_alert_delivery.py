"""Sending alerts: email through Django's locmem backend, webhooks and ntfy to a local server."""

from __future__ import annotations

import datetime as dt
import json
import threading
from email.header import decode_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from harken.listening.alerts import do_deliver_due, evaluate
from harken.listening.alerts.delivery import MAX_ATTEMPTS, do_send_test
from harken.listening.models import AlertDestination, Delivery
from tests.listening.test_alert_conditions import make_author, make_mention, make_rule, make_topic

EVIL = "Refund me <script>alert(1)</script> & <!channel> @everyone [win](https://evil.example)"


class Hook:
    """A local HTTP server that records each request (with its body) and answers from a script."""

    def __init__(self, *statuses: int, headers: dict[str, str] | None = None) -> None:
        self.statuses = list(statuses) or [200]
        self.headers = headers or {}
        self.seen: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                hook.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = hook.statuses.pop(0) if len(hook.statuses) > 1 else hook.statuses[0]
                self.send_response(status)
                for name, value in hook.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def json(self, index: int = -1) -> dict:
        return json.loads(self.seen[index]["body"])

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hook(loopback):
    made: list[Hook] = []

    def start(*statuses: int, **kwargs) -> Hook:
        made.append(Hook(*statuses, **kwargs))
        return made[-1]

    yield start
    for server in made:
        server.close()


def alert(workspace, text=EVIL, *, kind="webhook", config=None, secrets=None, **rule_fields):
    """One immediate event from a complaint, with one destination; returns its delivery."""
    topic = make_topic(workspace)
    rule = make_rule(workspace, "topic", topic=topic, email=None, **rule_fields)
    AlertDestination.objects.create(
        workspace=workspace, rule=rule, kind=kind, config=config or {}, secrets=secrets
    )
    author = make_author(workspace, "angry_customer", followers=2500)
    evaluate(workspace, [make_mention(workspace, text, topics=[topic], author=author)])
    return Delivery.objects.get(destination__rule=rule)


def test_email_has_an_escaped_html_body_and_a_plain_one(workspace, mailoutbox):
    delivery = alert(workspace, kind="email", config={"addresses": ["alice@example.com"]})

    assert do_deliver_due().sent == 1

    [mail] = mailoutbox
    html = mail.alternatives[0].content
    assert mail.to == ["alice@example.com"]
    assert "@angry_customer on mastodon" in mail.subject
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;" in html
    assert EVIL in mail.body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_a_plain_webhook_gets_json_with_the_events(workspace, hook):
    server = hook(200)
    alert(workspace, config={"format": "plain"}, secrets={"url": server.url()})

    do_deliver_due()

    payload = server.json()
    assert payload["digest"] is False
    assert payload["events"][0]["text"] == EVIL
    assert payload["events"][0]["url"].startswith("https://social.example/")
    assert server.seen[0]["headers"]["Content-Type"] == "application/json"


def test_a_slack_webhook_escapes_mrkdwn_so_nobody_is_pinged(workspace, hook):
    server = hook(200)
    alert(workspace, config={"format": "slack"}, secrets={"url": server.url()})

    do_deliver_due()

    text = server.json()["text"]
    assert set(server.json()) == {"text"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;" in text
    assert "<!channel>" not in text and "<script>" not in text


def test_a_discord_webhook_escapes_markdown_and_allows_no_pings(workspace, hook):
    server = hook(204)
    alert(workspace, config={"format": "discord"}, secrets={"url": server.url()})

    do_deliver_due()

    payload = server.json()
    assert payload["allowed_mentions"] == {"parse": []}
    assert r"\[win\]\(https\:" in payload["content"]
    assert "[win](" not in payload["content"]
    assert len(payload["content"]) <= 2000


def test_ntfy_gets_the_text_and_title_priority_tags_click_and_token_headers(workspace, hook):
    server = hook(200)
    alert(
        workspace,
        "Ça ne marche pas 😡",
        kind="ntfy",
        config={
            "server": server.url(""),
            "topic": "harbor-alerts",
            "priority": 5,
            "tags": ["warning"],
        },
        secrets={"token": "tk_secret"},
        name="Plainte à traiter",
    )

    do_deliver_due()

    [seen] = server.seen
    headers = seen["headers"]
    assert seen["path"] == "/harbor-alerts"
    assert seen["body"].decode().startswith("Ça ne marche pas 😡")
    title = "".join(
        part.decode(enc or "ascii") if isinstance(part, bytes) else part
        for part, enc in decode_header(headers["Title"])
    )
    assert title.startswith("Plainte à traiter: @angry_customer")
    assert (headers["Priority"], headers["Tags"]) == ("5", "warning")
    assert headers["Click"].startswith("https://social.example/@dana/")
    assert headers["Authorization"] == "Bearer tk_secret"


def test_a_500_is_retried_with_backoff_and_then_sent(workspace, hook):
    server = hook(500, 200)
    delivery = alert(workspace, config={"format": "plain"}, secrets={"url": server.url()})
    now = timezone.now()

    first = do_deliver_due(now)
    delivery.refresh_from_db()
    assert (first.retrying, delivery.status, delivery.attempts) == (1, "pending", 1)
    assert "HTTP 500" in delivery.last_error
    assert now + dt.timedelta(seconds=40) <= delivery.next_attempt <= now + dt.timedelta(seconds=80)
    assert do_deliver_due(now + dt.timedelta(seconds=30)).retrying == 0  # not due yet

    second = do_deliver_due(delivery.next_attempt)
    delivery.refresh_from_db()
    assert (second.sent, delivery.status, delivery.attempts, delivery.last_error) == (
        1,
        "sent",
        2,
        "",
    )
    assert len(server.seen) == 2


def test_retry_after_on_a_429_is_honoured(workspace, hook):
    server = hook(429, headers={"Retry-After": "900"})
    delivery = alert(workspace, config={"format": "plain"}, secrets={"url": server.url()})
    now = timezone.now()

    do_deliver_due(now)

    delivery.refresh_from_db()
    assert delivery.next_attempt >= now + dt.timedelta(seconds=900)


def test_a_gone_webhook_fails_at_once_and_says_why(workspace, hook):
    server = hook(404)
    delivery = alert(workspace, config={"format": "plain"}, secrets={"url": server.url()})

    assert do_deliver_due().failed == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt) == ("failed", 1, None)
    assert "HTTP 404" in delivery.last_error


def test_it_gives_up_after_the_last_attempt(workspace, hook):
    server = hook(503)
    delivery = alert(workspace, config={"format": "plain"}, secrets={"url": server.url()})
    now = timezone.now()

    for _ in range(MAX_ATTEMPTS):
        do_deliver_due(now)
        now += dt.timedelta(days=1)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert len(server.seen) == MAX_ATTEMPTS


def test_a_webhook_to_a_private_address_is_refused_by_the_url_guard(workspace):
    delivery = alert(
        workspace, config={"format": "plain"}, secrets={"url": "http://127.0.0.1:9/hook"}
    )

    do_deliver_due()

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "private or reserved" in delivery.last_error


def test_a_claimed_delivery_is_not_sent_twice(workspace, hook):
    server = hook(200)
    delivery = alert(workspace, config={"format": "plain"}, secrets={"url": server.url()})
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt=now + dt.timedelta(minutes=5))

    assert do_deliver_due(now).sent == 0
    assert server.seen == []


def test_a_test_alert_goes_to_every_destination_at_once(workspace, hook, mailoutbox):
    server = hook(200)
    rule = make_rule(workspace, "intent", quiet_start=dt.time(0, 0), quiet_end=dt.time(23, 59))
    AlertDestination.objects.create(
        workspace=workspace,
        rule=rule,
        kind="webhook",
        config={"format": "slack"},
        secrets={"url": server.url()},
    )

    deliveries = do_send_test(rule)

    assert [d.status for d in deliveries] == ["sent", "sent"]
    assert len(mailoutbox) == 1 and "Test alert" in mailoutbox[0].subject
    assert "Test alert" in server.json()["text"]


def test_an_immediate_alert_is_sent_through_the_queue_once_the_batch_commits(
    workspace, mailoutbox, django_capture_on_commit_callbacks
):
    topic = make_topic(workspace)
    make_rule(workspace, "topic", topic=topic)
    mention = make_mention(workspace, "Where is my order?", topics=[topic])

    # The test settings run queue tasks inline, as a consumer would shortly after.
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(workspace, [mention])

    assert len(mailoutbox) == 1
    assert "Where is my order?" in mailoutbox[0].body


def test_one_broken_destination_does_not_stop_the_others(workspace, mailoutbox):
    topic = make_topic(workspace)
    rule = make_rule(workspace, "topic", topic=topic)
    AlertDestination.objects.create(
        workspace=workspace,
        rule=rule,
        kind="ntfy",
        config={"server": "https://ntfy.example", "topic": "t", "tags": 5},  # not a list
    )
    evaluate(workspace, [make_mention(workspace, topics=[topic])])

    report = do_deliver_due()

    assert (report.sent, report.retrying) == (1, 1)
    broken = Delivery.objects.get(destination__kind="ntfy")
    assert broken.status == "pending" and "Unexpected error" in broken.last_error
    assert len(mailoutbox) == 1
