"""The ``impactrank`` command: thin Typer commands over the library's layers.

Each command group lives in its own module; this module assembles them and turns user errors into one
clear line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import gc
import os
import sys
from importlib import import_module

# A build allocates and frees arrays of tens of megabytes as it goes, and every page the kernel hands over afresh
# costs time (a 100,000-institution build touched 5 GB of fresh pages, a third of its CPU). So a build asks polars'
# allocator (jemalloc) to keep large blocks in its ordinary arenas, one per core, and to keep freed pages for a
# fifth of a second so that the next table reuses them (1.2 million page faults down to 0.6 million, about 1 s
# sooner, for a peak some 60 MB higher: 1.70-1.73 GB). Polars reads the setting when it loads, after its own defaults
# (which a process that loaded polars passes on to the commands it starts), so it is set before any command module
# imports polars; a value the user set wins.
if sys.argv[1:2] == ["build"] and os.environ.get("_RJEM_MALLOC_CONF", "") in (
    "",
    "dirty_decay_ms:500,muzzy_decay_ms:1000",  # polars' own, passed on by a process that loaded it
):
    os.environ["_RJEM_MALLOC_CONF"] = (
        f"oversize_threshold:0,narenas:{os.cpu_count() or 1},dirty_decay_ms:200,muzzy_decay_ms:0"
    )

from rich.text import Text

from impactrank.cli.common import app, console_err
from impactrank.errors import InputError
from impactrank.i18n import DEFAULT, gettext
from impactrank.i18n.templates import current, rendering
from impactrank.io.atomic import target_of

# Command modules register themselves on ``app`` when imported; this order is the order of ``--help``.
COMMAND_MODULES = (
    "demo",
    "build",
    "methodology",
    "published",
    "editions",
    "views",
    "analysis",
    "forecast",
    "web",
    "publish",
    "sdg",
    "portal",
    "portal_rotate",
    "results",
)
for _module in COMMAND_MODULES:
    import_module(f"impactrank.cli.{_module}")


def main() -> None:
    # what the imports made lives as long as the command: kept out of the collector's full walks, which a
    # 100,000-institution build otherwise paid some 0.1 s for on its main thread
    gc.freeze()
    # standalone mode: the command-line parser reports usage errors itself (usage line, message, exit 2)
    with rendering(DEFAULT):  # English until a command's --lang says otherwise (check_lang)
        try:
            app(standalone_mode=True, prog_name="impactrank")
        except InputError as exc:
            _fail(exc.text(current()))
        except OSError as exc:  # an output path that cannot be written, a directory where a file should be …
            _fail(f"{exc.strerror or exc}" + (f" ({target_of(exc.filename2 or exc.filename)})" if exc.filename else ""))


def _fail(message: str) -> None:
    """One line on stderr and exit status 2; the message is text, never markup (it may quote user data)."""
    console_err.print(Text.assemble((gettext("error:", current()), "bold red"), " ", message), highlight=False)
    sys.exit(2)
