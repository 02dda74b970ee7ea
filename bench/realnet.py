"""Seconds from a post on a real Bluesky network to the mention in Harken's stream, and
from "send" in Harken's inbox to the reply visible on the network.

    .venv/bin/python bench/realnet.py [--rounds 10] [--interval 0.25]

Starts ../shared/tools/atproto-localnet (Bluesky's own PDS, AppView and PLC on 127.0.0.1,
installed once into ~/.cache/atproto-localnet; see tests/realnet/network.py), connects
Alice's account to a fresh Harken (SQLite in a temporary folder) with an app password,
and then, per round, Bob mentions Alice and Harken polls her mentions source every
``--interval`` seconds, as a worker whose source is due would, until the mention is
stored and shown on the stream page. Three figures per round, from the moment the PDS
accepted Bob's post:

- *network*: until the AppView lists it in Alice's notifications (the network's own
  indexing, which no client can beat);
- *stored*: until a poll stored it (``poll_source``: listNotifications, the pipeline,
  threading, analysis);
- *stream*: until the stream page, as Alice opens it, shows it.

Then Alice answers it from the conversation page (its reply form's POST, as she sends
it), and two more figures, from the moment she pressed "send":

- *accepted*: until the page answered, the PDS holding the reply and Harken having
  recorded it as sent;
- *visible*: until the AppView lists the reply in Bob's notifications.

In production the wait is dominated by the source's poll interval (minutes); this
measures what is left with the interval taken out. The network is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    args = _arguments()
    os.environ["HARKEN_DATA_DIR"] = tempfile.mkdtemp(prefix="harken-bench-realnet-")
    os.environ.pop("DATABASE_URL", None)  # a throwaway SQLite database, never the real one
    os.environ["HARKEN_HTTP_ALLOW_LOOPBACK"] = "1"  # the network is on 127.0.0.1
    os.environ.setdefault("HARKEN_ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harken.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tests.realnet.network import HOME, TOOLS, Network, install, installed

    if not TOOLS.is_dir():
        sys.exit(f"bench/realnet.py: {TOOLS} is absent")
    if not installed(HOME):
        print(f"installing the atproto network into {HOME} (once, a few minutes)")
        install(HOME)
    call_command("migrate", verbosity=0)
    network = Network(HOME)
    try:
        network.start()
        print(f"bench/realnet.py: {args.rounds} rounds, a poll every {args.interval} s")
        print(f"  machine: {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"  network started in {network.info['seconds_to_start']} s at {network.pds}")
        _bench(network, args.rounds, args.interval)
    finally:
        network.stop()


def _bench(network, rounds: int, interval: float) -> None:
    from atproto import client_utils, models
    from django.contrib.auth import get_user_model
    from django.test import Client

    from harken.core.models import Member, Role, Workspace
    from harken.inbox.models import Message
    from harken.listening.models import Mention, Source
    from harken.listening.polling import poll_source
    from harken.networks.bluesky.connect import do_connect_bluesky

    alice, bob = network.create_person("alice"), network.create_person("bob")
    workspace = Workspace.objects.create(name="Harbor Street Jewelers", slug="harbor-street")
    owner = get_user_model().objects.create_user("alice", "alice@example.com", "x" * 16)
    Member.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    account = do_connect_bluesky(workspace, owner, alice.handle, alice.app_password(), network.pds)
    source = Source.objects.get(account=account)
    poll_source(source.pk, force=True)
    browser = Client()
    browser.force_login(owner)
    figures: dict[str, list[float]] = {"network": [], "stored": [], "stream": []}
    replies: dict[str, list[float]] = {"accepted": [], "visible": []}
    params = models.AppBskyNotificationListNotifications.Params(limit=20)
    for n in range(rounds):
        marker = f"bench{n}x{time.time_ns() % 10**8}"
        text = client_utils.TextBuilder().mention("@" + alice.handle, alice.did)
        post = bob.post(text.text(f" round {n}: {marker}"))
        sent = time.monotonic()
        seen = stored = None
        while stored is None:
            if seen is None:
                notes = alice.client.app.bsky.notification.list_notifications(params)
                if any(note.uri == post.uri for note in notes.notifications):
                    seen = time.monotonic() - sent
            poll_source(source.pk, force=True)
            if Mention.objects.filter(external_id=post.uri).exists():
                stored = time.monotonic() - sent
            elif time.monotonic() - sent > 60:
                sys.exit(f"round {n}: the mention was not stored within 60 s")
            else:
                time.sleep(interval)
        while marker not in browser.get("/listening/").content.decode():
            if time.monotonic() - sent > 60:
                sys.exit(f"round {n}: the stream did not show the mention within 60 s")
            time.sleep(0.05)
        figures["network"].append(seen if seen is not None else stored)
        figures["stored"].append(stored)
        figures["stream"].append(time.monotonic() - sent)
        conversation = Mention.objects.get(external_id=post.uri).conversation_id
        pressed = time.monotonic()
        browser.post(f"/inbox/{conversation}/reply/", {"text": f"Thanks, round {n}!"})
        accepted = time.monotonic() - pressed
        message = Message.objects.get(conversation=conversation, is_note=False)
        if message.state != "sent":
            sys.exit(f"round {n}: the reply was not sent: {message.error}")
        bob_params = models.AppBskyNotificationListNotifications.Params(limit=20)
        while not any(
            note.uri == message.external_id
            for note in bob.client.app.bsky.notification.list_notifications(
                bob_params
            ).notifications
        ):
            if time.monotonic() - pressed > 60:
                sys.exit(f"round {n}: Bob was not notified of the reply within 60 s")
            time.sleep(0.05)
        replies["accepted"].append(accepted)
        replies["visible"].append(time.monotonic() - pressed)
    for start, group in (("post", figures), ("send", replies)):
        for name, values in group.items():
            values.sort()
            print(
                f"  {start} → {name:<8} median {statistics.median(values):5.2f} s"
                f"  p90 {values[int(0.9 * (len(values) - 1))]:5.2f} s  max {values[-1]:5.2f} s"
            )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--interval", type=float, default=0.25)
    return parser.parse_args()


if __name__ == "__main__":
    main()
