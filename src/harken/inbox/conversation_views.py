"""The conversation page's own small endpoints: a one-click correction of a message's
sentiment or intent, the presence heartbeat of the collision warning, and the image
thumbnails, fetched through Harken (``harken.inbox.media``).

A correction is stored the way the stream's are (``do_correct_mention``: the mention
changes, the audit log keeps it, ``harken.analysis`` keeps the verdict to retrain on),
then the conversation's priority is recomputed from the corrected messages.
"""

from __future__ import annotations

from contextlib import suppress

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from harken.core.access import WorkspaceRequest, access_object, workspace_view
from harken.core.models import Role
from harken.inbox import media, presence
from harken.inbox.conversation_page import INTENT_CHOICES, SENTIMENT_CHOICES
from harken.inbox.models import Conversation
from harken.inbox.priority import reprioritize
from harken.inbox.views import _panel, access_conversation
from harken.listening.models import Mention
from harken.listening.views.stream import do_correct_mention

CHOICES = {"sentiment": set(SENTIMENT_CHOICES), "intent": set(INTENT_CHOICES)}


@require_POST
@workspace_view(Role.RESPONDER)
def correct(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The button pressed names the field and carries the label: ``intent=complaint``."""
    mention = access_object(request, Mention, pk)
    if mention.conversation_id is None or mention.is_own:
        return HttpResponse("This message is not one of a customer's in the inbox.", status=400)
    conversation = access_object(request, Conversation, mention.conversation_id)
    fields = [field for field in CHOICES if field in request.POST]
    if len(fields) != 1 or request.POST[fields[0]] not in CHOICES[fields[0]]:
        return _panel(request, conversation, "Choose one sentiment or one intent.")
    field, label = fields[0], request.POST[fields[0]]
    # No words to learn from (a bare link) raises after the label changed: that stays.
    with suppress(ValueError):
        do_correct_mention(request.workspace, request.user, mention, field, label)
    reprioritize([conversation.pk])
    return _panel(request, conversation)


@require_POST
@workspace_view()
def beat(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """The page's heartbeat: records this member here (typing or not) and answers with
    the line naming the others."""
    conversation = access_conversation(request, pk)
    if request.POST.get("leave") == "1":
        presence.leave(conversation, request.member)
        return HttpResponse(status=204)
    typing = request.POST.get("typing") == "1" and request.member.can(Role.RESPONDER)
    presence.beat(conversation, request.member, typing)
    found = presence.others(conversation, request.member)
    return render(request, "inbox/_presence.html", {"others_here": presence.describe(found)})


@require_GET
@workspace_view()
def thumbnail(request: WorkspaceRequest, pk: int, index: int) -> HttpResponse:
    """Image ``index`` of message ``pk``: only with the signature the page gave, only for
    an address the stored message holds, only an image (``media.fetch``)."""
    mention = access_object(request, Mention, pk)
    if mention.conversation_id is None:
        raise Http404("No such image.")
    url = media.signed_url(mention.pk, index, mention.text, mention.url, request.GET.get("s", ""))
    if url is None:
        raise Http404("No such image.")
    image = media.fetch(url)
    if image is None:
        return HttpResponse(
            "The image could not be fetched.", status=502, content_type="text/plain"
        )
    answer = HttpResponse(image.body, content_type=image.content_type)
    answer["Cache-Control"] = f"private, max-age={media.KEEP_SECONDS}"
    answer["Content-Security-Policy"] = "default-src 'none'; sandbox"
    answer["Content-Disposition"] = "inline"
    return answer
