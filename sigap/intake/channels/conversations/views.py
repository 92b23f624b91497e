"""The operator inbox: waiting conversations first, read, reply, hand over, make a report."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sigap.accounts.roles import Perm, requires_two_factor
from sigap.accounts.views import permission_required
from sigap.intake.channels.conversations import actions
from sigap.intake.channels.conversations.access import (
    conversations_for,
    get_conversation_for,
    reached_on_duty,
)
from sigap.intake.channels.conversations.codes import (
    ConversationState,
    Direction,
    MediaState,
    MessageStatus,
)
from sigap.intake.channels.conversations.forms import (
    AssignForm,
    CloseForm,
    ReplyForm,
    StaffPhoneForm,
)
from sigap.intake.channels.conversations.media import stored_media
from sigap.intake.channels.conversations.models import (
    Conversation,
    Message,
    OutboundMessage,
    StaffPhone,
)
from sigap.intake.channels.conversations.providers import provider_for
from sigap.intake.channels.conversations.quick_replies import quick_reply_choices, quick_reply_text
from sigap.intake.channels.conversations.safety import contact_facts, describe, refusal_text
from sigap.intake.queries import caller_history
from sigap.lib.timewords import due_words
from sigap.vault.audit import opened, record

PAGE_SIZE = 50
FILTERS = ("terbuka", "menunggu", "saya", "selesai")
# Media the browser may show inline; anything else is downloaded, never rendered.
INLINE_TYPES = frozenset(
    {
        "image/jpeg", "image/png", "image/webp", "audio/ogg", "audio/mpeg", "audio/aac", "audio/amr",
        "audio/mp4", "video/mp4",
    }
)


def masked(number: str) -> str:
    """"••••372": the last three digits only, as ``vault.masking.mask_phone`` (docs/SECURITY.md)."""
    digits = "".join(ch for ch in number if ch.isascii() and ch.isdigit())
    return "••••" + digits[-3:] if len(digits) > 5 else "••••"


def _waited(since: datetime.datetime | None, now: datetime.datetime) -> str:
    if since is None:
        return ""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return _("%(n)s menit") % {"n": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)s jam %(m)s menit") % {"h": hours, "m": rest}
    return _("%(d)s hari") % {"d": hours // 24}


@permission_required(Perm.RECORD_CONTACT)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    shown = request.GET.get("tampil", "terbuka")
    if shown not in FILTERS:
        shown = "terbuka"
    failed = Message.objects.filter(
        conversation=OuterRef("pk"), direction=Direction.OUTBOUND, status=MessageStatus.FAILED
    )
    queryset = conversations_for(request.user).select_related("assigned_to").annotate(send_failed=Exists(failed))
    if shown == "selesai":
        queryset = queryset.filter(state=ConversationState.CLOSED).order_by("-closed_at", "-pk")
    else:
        queryset = queryset.open()
        if shown == "menunggu":
            queryset = queryset.filter(waiting_since__isnull=False)
        elif shown == "saya":
            queryset = queryset.filter(assigned_to=request.user.pk)
        queryset = queryset.order_by(F("waiting_since").asc(nulls_last=True), "-last_message_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("halaman"))
    now = timezone.now()
    reply_within = datetime.timedelta(minutes=settings.SIGAP_CHAT_RESPONSE_MINUTES)
    rows = [
        {
            "conversation": c,
            "who": c.profile_name or masked(c.sender),
            "number": masked(c.sender),
            "waited": _waited(c.waiting_since, now),
            # Oldest waiting first is deadline order: each may wait SIGAP_CHAT_RESPONSE_MINUTES.
            "due": due_words(c.waiting_since + reply_within, now) if c.waiting_since else "",
            "overdue": c.waiting_since is not None and c.waiting_since + reply_within < now,
        }
        for c in page.object_list
    ]
    waiting_count = conversations_for(request.user).open().filter(waiting_since__isnull=False).count()
    return render(
        request,
        "channels/inbox.html",
        {"rows": rows, "page": page, "shown": shown, "filters": FILTERS, "waiting_count": waiting_count},
    )


def _report_form_url(conversation: Conversation) -> str | None:
    try:
        return reverse("intake:report_new") + f"?conversation={conversation.pk}"
    except NoReverseMatch:
        return None


def _detail_context(request: HttpRequest, conversation: Conversation, **forms: Any) -> dict[str, Any]:
    now = timezone.now()
    thread = list(
        Message.objects.filter(conversation=conversation)
        .select_related("sent_by")
        .order_by("created_at", "id")
    )
    outbound = {
        o.message_id: o
        for o in OutboundMessage.objects.filter(conversation=conversation, message__isnull=False).only(
            "message_id", "state", "attempts", "next_attempt_at", "last_error", "purpose"
        )
    }
    provider = provider_for(conversation.channel)
    window_open = provider.window_hours is None or (
        conversation.last_inbound_at is not None
        and now - conversation.last_inbound_at <= datetime.timedelta(hours=provider.window_hours)
    )
    facts = contact_facts(conversation)
    history = caller_history(conversation.sender, request.user)
    return {
        "conversation": conversation,
        "who": conversation.profile_name or masked(conversation.sender),
        "number": masked(conversation.sender),
        "thread": [
            {
                "message": m,
                "inbound": m.direction == Direction.INBOUND,
                "outbound": outbound.get(m.pk),
                "refusal": refusal_text(m.error_code) if m.status == "refused" else "",
                "media_ready": m.media_state == MediaState.STORED,
                "inline_kind": _inline_kind(m),
            }
            for m in thread
        ],
        "waited": _waited(conversation.waiting_since, now),
        "facts": describe(facts),
        "history": history,
        "window_open": window_open,
        "templates_available": bool(settings.SIGAP_WHATSAPP_TEMPLATES) and provider.supports_templates,
        "channel_enabled": provider.enabled(),
        "quick_replies": quick_reply_choices(),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "assign_form": forms.get("assign_form") or AssignForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "report_form_url": _report_form_url(conversation),
        "refusal": forms.get("refusal"),
    }


def _inline_kind(message: Message) -> str:
    mime = (message.media_mime or "").split(";")[0].strip().lower()
    if message.media_state != MediaState.STORED or mime not in INLINE_TYPES:
        return ""
    return mime.split("/")[0]


@permission_required(Perm.RECORD_CONTACT)
@require_GET
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for(request.user, pk, on_duty=True)
    duty_only = reached_on_duty(request.user, conversation)
    if duty_only:
        # Opened by the person on duty because the alerts sent it to them (issue 15): audited as such.
        record("conversations.conversation_opened_on_duty", actor=request.user, obj=conversation, request=request)
    else:
        opened(conversation, request=request)
    context = _detail_context(request, conversation)
    context["duty_only"] = duty_only
    return render(request, "channels/conversation.html", context)


def _back(conversation: Conversation) -> HttpResponse:
    return redirect("conversations:detail", pk=conversation.pk)


@permission_required(Perm.RECORD_CONTACT)
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for(request.user, pk)
    quick = request.POST.get("quick", "")
    confirmed = request.POST.get("confirm_safe_time") == "on"
    form = ReplyForm(request.POST)
    if quick:
        text = quick_reply_text(quick)
        if text is None:
            raise Http404
        template = ""
    elif form.is_valid():
        text, template = form.cleaned_data["text"].strip(), form.cleaned_data["template"]
        confirmed = form.cleaned_data["confirm_safe_time"]
    else:
        context = _detail_context(request, conversation, reply_form=form)
        return render(request, "channels/conversation.html", context, status=400)
    try:
        actions.queue_reply(
            conversation, text, by=request.user, template_name=template, safe_time_confirmed=confirmed,
            request=request,
        )
    except actions.SendRefused as refused:
        keep = ReplyForm(initial={"text": "" if quick else text, "template": template})
        context = _detail_context(request, conversation, reply_form=keep, refusal=refused.refusal)
        return render(request, "channels/conversation.html", context, status=409)
    messages.success(request, _("Balasan masuk antrean pengiriman."))
    return _back(conversation)


@permission_required(Perm.RECORD_CONTACT)
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for(request.user, pk, on_duty=True)
    if reached_on_duty(request.user, conversation):
        record("conversations.conversation_taken_on_duty", actor=request.user, obj=conversation, request=request)
    actions.take(conversation, by=request.user, request=request)
    messages.success(request, _("Percakapan ini sekarang Anda tangani."))
    return _back(conversation)


@permission_required(Perm.RECORD_CONTACT)
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for(request.user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, conversation, assign_form=form)
        return render(request, "channels/conversation.html", context, status=400)
    actions.assign(conversation, to=form.cleaned_data["to"], by=request.user, request=request)
    messages.success(request, _("Percakapan sudah diserahkan."))
    return _back(conversation)


@permission_required(Perm.RECORD_CONTACT)
@require_POST
def never_contact(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for(request.user, pk)
    value = request.POST.get("value") == "1"
    actions.set_never_contact(conversation, value, by=request.user, request=request)
    if value:
        messages.success(request, _("Nomor ini ditandai “jangan pernah hubungi”. Tidak ada pesan yang akan dikirim."))
    else:
        messages.success(request, _("Tanda “jangan pernah hubungi” dicabut."))
    return _back(conversation)


@permission_required(Perm.RECORD_CONTACT)
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for(request.user, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, conversation, close_form=form)
        return render(request, "channels/conversation.html", context, status=400)
    actions.close(conversation, form.cleaned_data["outcome"], by=request.user, request=request)
    messages.success(request, _("Percakapan selesai dan dicatat sebagai kontak."))
    return redirect("conversations:inbox")


@permission_required(Perm.RECORD_CONTACT)
@require_POST
def start_report(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for(request.user, pk)
    if not conversation.is_open and conversation.contact_id is None:
        raise Http404
    url = _report_form_url(conversation)
    if url is None:
        messages.error(request, _("Formulir laporan belum tersedia."))
        return _back(conversation)
    actions.start_report(conversation, by=request.user, request=request)
    return redirect(url)


@permission_required(Perm.RECORD_CONTACT)
@require_POST
def resend(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    conversation = get_conversation_for(request.user, pk)
    message = Message.objects.filter(conversation=conversation, pk=message_pk, direction=Direction.OUTBOUND).first()
    if message is None:
        raise Http404
    try:
        actions.resend(message, by=request.user, request=request)
    except actions.SendRefused as refused:
        messages.error(request, refused.refusal.message)
    else:
        messages.success(request, _("Pesan dicoba kirim lagi."))
    return _back(conversation)


@permission_required(Perm.RECORD_CONTACT)
@require_GET
def media(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    conversation = get_conversation_for(request.user, pk, on_duty=True)
    message = Message.objects.filter(conversation=conversation, pk=message_pk).first()
    blob = stored_media(message) if message is not None else None
    if message is None or blob is None:
        raise Http404
    action = "conversations.media_opened_on_duty" if reached_on_duty(request.user, conversation) else \
        "conversations.media_opened"
    record(action, actor=request.user, obj=message, request=request)
    mime = blob.mime_type.split(";")[0].strip().lower()
    inline = mime in INLINE_TYPES
    response = HttpResponse(bytes(blob.data), content_type=mime if inline else "application/octet-stream")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="media-{message.pk}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def staff_phone(request: HttpRequest) -> HttpResponse:
    """A staff member's own WhatsApp number for notifications (volunteers have none)."""
    if not requires_two_factor(request.user):
        raise PermissionDenied
    current = StaffPhone.objects.filter(user=request.user.pk).first()
    initial = {"phone": current.phone if current else "", "enabled": current.whatsapp_notifications if current else True,
               "sms": current.sms_notifications if current else False}
    form = StaffPhoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.save_staff_phone(
            request.user, form.cleaned_data["phone"], form.cleaned_data["enabled"], sms=form.cleaned_data["sms"],
            request=request,
        )
        messages.success(request, _("Pengaturan notifikasi WhatsApp dan SMS disimpan."))
        return redirect("conversations:staff_phone")
    status = 400 if request.method == "POST" else 200
    return render(request, "channels/staff_phone.html", {"form": form, "current": current}, status=status)
