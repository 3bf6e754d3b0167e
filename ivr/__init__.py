"""IVR server: declarative YAML scripts served to Asterisk over FastAGI."""
