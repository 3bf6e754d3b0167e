"""Web side: supervisor dashboard, admin pages, agent screen, REST API and live events."""

from dialer.web.app import create_app
from dialer.web.live import LiveHub

__all__ = ["LiveHub", "create_app"]
