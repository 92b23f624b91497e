"""WhatsApp Business Cloud API: the webhook (``views``), its payloads and the Graph API client."""
