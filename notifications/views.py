from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from omdena import permissions
from omdena.decorators import requires

from .enums import OutboxStatus
from .models import OutboxMessage
from .services import outbox_retry

PAGE_SIZE = 50


@login_required
def my_notifications(request):
    """What the platform sent you (or is about to), newest first."""
    messages_page = Paginator(
        OutboxMessage.objects.filter(recipient=request.user).order_by("-created_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "notifications/mine.html", {"page": messages_page})


@requires(permissions.is_staff)
def staff_outbox(request):
    """Every message with its status and last error; failed ones first when filtered."""
    status = request.GET.get("status", "")
    queryset = OutboxMessage.objects.select_related("recipient").order_by("-created_at", "-id")
    if status in OutboxStatus.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/staff_outbox.html",
        {
            "page": page,
            "status": status,
            "statuses": OutboxStatus.choices,
            "query": f"status={status}" if status else "",
        },
    )


@login_required
@require_POST
def staff_outbox_retry(request, pk):
    if not permissions.is_staff(request.user):
        raise PermissionDenied
    message = outbox_retry(message=get_object_or_404(OutboxMessage, pk=pk), by=request.user)
    if message.status == OutboxStatus.PENDING:
        messages.success(request, _("Message %(id)d is queued again: it goes out in a moment.") % {"id": message.pk})
    else:
        messages.info(request, _("Message %(id)d was not failed; nothing to retry.") % {"id": message.pk})
    return redirect("staff_outbox")
