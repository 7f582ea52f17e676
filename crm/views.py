"""The public contact form at /contact/: CSRF-protected, honeypot, rate limited per IP.

The per-IP counter lives in the shared cache; when that is unreachable the form fails open
like the API (takes the submission, logs the fault) instead of answering 500.
"""
import logging

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from verso.api import sharedcache
from verso.errors import DomainError
from verso.network import client_ip

from . import services
from .forms import ContactForm
from .models import Lead

logger = logging.getLogger(__name__)

CONTACT_RATE = "5/m"


def _over_the_limit(request) -> bool:
    """Count this POST against its IP; False (serve it) while the cache is down."""
    if not sharedcache.available():
        return False
    try:
        return is_ratelimited(request, group="crm.contact", key="ip", rate=CONTACT_RATE, method="POST", increment=True)
    except sharedcache.CACHE_ERRORS as exc:
        sharedcache.failed(f"rate limiting the contact form for {client_ip(request)}", exc)
        return False


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request):
    if _over_the_limit(request):
        response = render(request, "crm/rate_limited.html", status=429)
        response["Retry-After"] = "60"
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
