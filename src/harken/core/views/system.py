from __future__ import annotations

from django.http import HttpResponse

def health(request): return HttpResponse()
def audit_log(request): return HttpResponse()
def system_status(request): return HttpResponse()
