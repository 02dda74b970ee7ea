from __future__ import annotations

from django.http import HttpResponse

def setup_owner(request, token): return HttpResponse()
def member_list(request): return HttpResponse()
def member_role(request, pk): return HttpResponse()
def member_remove(request, pk): return HttpResponse()
def invitation_create(request): return HttpResponse()
def invitation_revoke(request, pk): return HttpResponse()
def invitation_accept(request, token): return HttpResponse()
def authority_edit(request): return HttpResponse()
