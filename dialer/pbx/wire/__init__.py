"""The AMI wire: framing and parsing (protocol) and raw events → typed events (mapping)."""
