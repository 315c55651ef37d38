"""The app for each server process, configured through the environment (uvicorn imports it by name)."""

from __future__ import annotations

import os

from fastapi import FastAPI

ENV = {
    "database": "IMPACTRANK_PORTAL_DATABASE",
    "files": "IMPACTRANK_PORTAL_FILES",
    "limit": "IMPACTRANK_PORTAL_UPLOAD_LIMIT",
    "base_url": "IMPACTRANK_PORTAL_BASE_URL",
    "second_factor": "IMPACTRANK_PORTAL_SECOND_FACTOR_FOR",
    "pepper_file": "IMPACTRANK_PORTAL_PEPPER_FILE",
    "clamd": "IMPACTRANK_PORTAL_CLAMD",
}


UNSCANNED = (
    "uploads are scanned for viruses only when 'serve' is given --clamd: a ClamAV daemon's socket or HOST:PORT "
    "(Debian's clamav-daemon listens on /var/run/clamav/clamd.ctl)"
)


def app_from_environment() -> FastAPI:
    from impactrank.portal.app import create_app
    from impactrank.portal.second_factor import REQUIRED_ROLES, roles_from
    from impactrank.portal.security import read_pepper

    pepper_file = os.environ.get(ENV["pepper_file"])

    return create_app(
        os.environ[ENV["database"]],
        os.environ[ENV["files"]],
        upload_limit=int(os.environ[ENV["limit"]]),
        base_url=os.environ.get(ENV["base_url"]),
        second_factor_roles=roles_from(os.environ.get(ENV["second_factor"], ",".join(REQUIRED_ROLES))),
        pepper=read_pepper(pepper_file) if pepper_file else None,
        clamd=os.environ.get(ENV["clamd"]) or None,
    )


def proxy_options(forwarded_allow_ips: str) -> dict:
    """uvicorn's options for forwarded addresses: X-Forwarded-For is believed only from the proxies named, and
    from none when none are (uvicorn would otherwise believe any local process)."""
    allowed = forwarded_allow_ips.strip()
    return {"proxy_headers": bool(allowed), "forwarded_allow_ips": allowed or None}


def scanning_said(clamd: str | None) -> tuple[str, str | None]:
    """What the server says at start-up about scanning uploads, and its style: unscanned uploads and a daemon
    that does not answer are said as warnings."""
    from impactrank.portal.antivirus import Clamd
    from impactrank.portal.errors import PortalError

    if not clamd:
        return "warning: " + UNSCANNED, "yellow"
    try:
        Clamd(clamd).ping()
    except PortalError as exc:
        return f"warning: {exc.message}", "yellow"
    return f"uploads are scanned by the ClamAV daemon at {clamd}", None
