"""SMS through a generic HTTP gateway (``views``: inbound webhook; ``client``: outbound)."""
