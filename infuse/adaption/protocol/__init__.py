"""The protocol: pre-registration (frozen, hashed) and its amendments."""
