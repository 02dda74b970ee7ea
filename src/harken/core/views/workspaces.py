from __future__ import annotations

from django.http import HttpResponse

def workspace_list(request): return HttpResponse()
def workspace_create(request): return HttpResponse()
def workspace_switch(request, pk): return HttpResponse()
def workspace_settings(request): return HttpResponse()
