"""The in-app inbox: each signed-in user sees and marks only their own notifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sigap.core.models import Notification

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient_id=request.user.pk).order_by("-created_at", "-pk")
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("halaman"))
    unread = mine.filter(read_at__isnull=True).count()
    return render(request, "core/notifications.html", {"page": page, "unread": unread})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient_id=request.user.pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:list")


app_name = "notifications"

urlpatterns = [
    path("", notification_list, name="list"),
    path("<int:pk>/baca/", mark_read, name="mark_read"),
    path("baca-semua/", mark_all_read, name="mark_all_read"),
]
