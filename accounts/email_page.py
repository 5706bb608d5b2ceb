"""allauth's "email address" page, with two rules of ours in front of it."""

from __future__ import annotations

from allauth.account import views as allauth_views
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from accounts.models import User


@never_cache
def email(request: HttpRequest) -> HttpResponseBase:
    """Changing the address needs the password again (ACCOUNT_REAUTHENTICATION_REQUIRED) and
    takes effect only once the new address follows the link sent to it (ACCOUNT_CHANGE_EMAIL).
    Here: an address that has not been verified never becomes the account's address, and the
    current address is on record so that allauth can tell it about the change."""
    user = request.user
    if request.method == "POST" and isinstance(user, User):
        email_address_of_record_ensure(user=user)
        if "action_primary" in request.POST:
            address = EmailAddress.objects.filter(
                user=user, email__iexact=request.POST.get("email", "")
            ).first()
            if address is None or not address.verified:
                messages.error(
                    request,
                    "That email address has not been confirmed yet. Open the link we sent "
                    "to it first; it then replaces your current address.",
                )
                return redirect("account_email")
    return allauth_views.email(request)


def email_address_of_record_ensure(*, user: User) -> None:
    """Record the address the service registered as the account's verified, primary address.

    Services register patients and staff with an address they have checked, so it counts as
    verified. allauth must know it: it is the address told about a change, and with
    ACCOUNT_CHANGE_EMAIL an unverified row would be taken for the new address being added.
    """
    if not user.email or EmailAddress.objects.filter(user=user, primary=True).exists():
        return
    EmailAddress.objects.update_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email.lower(), "primary": True, "verified": True},
    )
