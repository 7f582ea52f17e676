"""The public contact form at /contact/: CSRF-protected, honeypot, rate limited per IP.

The per-IP counter lives in the shared cache; when that is unreachable the form fails open
like the API (takes the submission, logs the fault) instead of answering 500.
"""
import logging

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from verso.api import sharedcache, throttling
from verso.errors import DomainError
from verso.network import client_ip

from . import services
from .forms import ContactForm
from .models import Lead

logger = logging.getLogger(__name__)

CONTACT_RATE = "5/m"


def _seconds_until_allowed(request) -> int:
    """Count this POST against its IP: 0 to serve it (always while the cache is down), else the wait."""
    if request.method != "POST" or not sharedcache.available():
        return 0
    try:
        usage = throttling.count_request(group="crm.contact", who=f"ip:{client_ip(request)}", rate=CONTACT_RATE)
    except sharedcache.CACHE_ERRORS as exc:
        sharedcache.failed(f"rate limiting the contact form for {client_ip(request)}", exc)
        return 0
    return max(1, usage.window_end - int(throttling.clock())) if usage.should_limit else 0


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request):
    if wait := _seconds_until_allowed(request):
        response = render(request, "crm/rate_limited.html", status=429)
        response["Retry-After"] = str(wait)
        return response
    if request.method in ("GET", "HEAD"):
        return render(request, "crm/contact.html", {"form": ContactForm()})

    form = ContactForm(request.POST)
    if form.is_bot():
        # Look exactly like a success so the bot learns nothing; create nothing.
        logger.info("Contact form honeypot filled from %s; dropped", client_ip(request))
        return redirect("crm:contact-thanks")
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("first_name", "last_name", "email", "phone", "message")}
        try:
            services.lead_create(**fields, source=Lead.SOURCE_WEBSITE)
        except DomainError as exc:
            for field, message in (exc.details or {"__all__": exc.message}).items():
                form.add_error(field if field in form.fields else None, str(message))
        else:
            return redirect("crm:contact-thanks")
    return render(request, "crm/contact.html", {"form": form}, status=400)


@require_safe
def contact_thanks(request):
    return render(request, "crm/contact_thanks.html")
