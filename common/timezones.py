"""Time zones of organizations, read safely."""

import logging
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)
UTC = ZoneInfo("UTC")


def zone_or_utc(name: str) -> ZoneInfo:
    """The named IANA zone; UTC (logged) if this machine does not know the name.

    Organization.time_zone is validated against the IANA zones, so this only guards against a row
    written behind the model's back or a zone database older than the one that validated it.
    """
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        logger.warning("Unknown time zone %r; using UTC.", name)
        return UTC
