"""Intake channels that carry messages: one package per channel.

* ``conversations``: the Django app (label ``conversations``) shared by every
  messaging channel: conversations grouped per sender, messages, outbound
  sends with retries, the operator inbox, the send-safety rule.
* ``whatsapp``: the WhatsApp Business Cloud API (webhook, Graph API client).
* ``sms``: a generic HTTP SMS gateway, such as an Android phone running an SMS
  gateway app.

A channel package provides a webhook view and a ``Provider`` (send, fetch
media) registered in ``conversations.providers``; everything else is shared.
"""
