"""In-app messages for every module: `notify()` writes them, the bell and /notifications/ show them.

Who to tell is usually "whoever is responsible for this unit": `users_covering(perm, unit_path)`
finds the users whose active grants give `perm` over that unit (nearest grant first, so a
station leader comes before the county's). Urgent messages also go through the channels named
in settings.JINGYING_NOTIFY_CHANNELS (dotted paths of `channel(notification)` callables), so an
SMS gateway can be plugged in without touching the modules; a failing channel never loses the
in-app message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from jingying.accounts.roles import ROLE_SPECS
from jingying.core.models import Notification

log = logging.getLogger(__name__)


def users_covering(perm: str, unit_path: str, *, domain: str | None = None) -> list[Any]:
    """Active users whose grants give `perm` (and `domain`) over the unit at `unit_path`,
    the nearest grant first (the station's leader before the county's, before the region's)."""
    from jingying.accounts.models import Grant

    roles = [role for role, spec in ROLE_SPECS.items() if perm in spec.permissions]
    ancestors = [unit_path[:i] for i in range(len(unit_path), 0, -1) if unit_path[i - 1] == "/"] or [unit_path]
    grants = (Grant.objects.active().filter(role__in=roles, unit__path__in=ancestors, user__is_active=True)
              .select_related("user", "unit").order_by("-unit__depth", "user_id"))
    seen: set[int] = set()
    users = []
    for grant in grants:
        if domain is not None and domain not in (grant.domains or []):
            continue
        if grant.user_id not in seen:
            seen.add(grant.user_id)
            users.append(grant.user)
    return users


def notify(*, users: Iterable[Any], kind: str, title: str, body: str = "", url: str = "",
           urgent: bool = False) -> list[Notification]:
    """One message per user (duplicates removed); urgent ones are also sent out after commit."""
    unique = {u.pk: u for u in users if u is not None}
    rows = Notification.objects.bulk_create(
        [Notification(user_id=pk, kind=kind, title=title[:200], body=body, url=url[:300], urgent=urgent)
         for pk in unique]
    )
    if urgent and rows:
        transaction.on_commit(lambda: _send_out(rows, unique))
    return rows


def _send_out(rows: list[Notification], users: dict[int, Any]) -> None:
    for dotted in settings.JINGYING_NOTIFY_CHANNELS:
        channel = import_string(dotted)
        for row in rows:
            row.user = users[row.user_id]
            try:
                channel(row)
            except Exception:  # a broken gateway must not undo or hide the in-app message
                log.exception("notification channel %s failed for notification %s", dotted, row.pk)


def email_channel(notification: Notification) -> None:
    """Send an urgent message by e-mail (Django's EMAIL_* settings) to users who have an address."""
    address = getattr(notification.user, "email", "")
    if address:
        send_mail(notification.title, f"{notification.body}\n\n{notification.url}".strip(), None, [address])


def my_notifications(*, actor: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=actor.pk)


def unread_count(*, actor: Any) -> int:
    return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).count()


def notification_mark_read(*, actor: Any, pk: int | None = None) -> int:
    """Mark one of the actor's messages (or all of them) read; another user's id changes nothing."""
    qs = Notification.objects.filter(user_id=actor.pk, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=timezone.now())
