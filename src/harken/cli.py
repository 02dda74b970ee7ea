"""The `harken` command: serve, worker, demo, createowner, and every Django command.

Configuration errors (a malformed DATABASE_URL, an unwritable data folder, a port in use)
print one line and exit with status 2, never a traceback.
"""

from __future__ import annotations

import gc
import os
import sys
from types import FrameType

USAGE = """usage: harken COMMAND [options]

  serve         run Harken: web server and queue worker (default 127.0.0.1:8000)
  worker        run a queue consumer (with REDIS_URL, on any machine)
  demo          fill the sample workspace "Sample: Harbor Street Jewelers"
  createowner   create a user who owns workspaces
  import        import mentions from a CSV or JSON Lines file
  contacts      `contacts import FILE`: import customers from a CSV file
  retrain       fit a workspace's sentiment and intent adjustment from its corrections
  mcp           the MCP server for AI assistants (stdio with HARKEN_TOKEN, or --http)
  migrate, check, shell, ...   any Django management command

Run `harken COMMAND --help` for a command's options."""

#: Harken's names for management commands whose module name differs.
ALIASES = {"import": "import_mentions"}


class ConfigError(Exception):
    """Raised for a problem the user fixes in their configuration: printed as one line."""


def fail(message: str) -> None:
    print(f"harken: {message}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harken.settings")
    # Before anything is created: the data folder 0700, the database and its -wal/-shm 0600.
    from harken.core.datafolder import private_umask

    private_umask()
    interrupted = _note_interrupts()
    try:
        run(argv)
    except KeyboardInterrupt:  # Ctrl-C, even while still starting up: no traceback
        return 130
    except BaseException:
        # A Ctrl-C (or `harken serve` stopping its children) that landed inside a library
        # which wraps whatever it catches (pydantic turns it into a SchemaError while
        # atproto's models load) is still a Ctrl-C: stop quietly.
        if interrupted:
            return 130
        raise
    finally:
        # Everything is done: spare the exit a full garbage collection of every module
        # Django and the network clients loaded (seconds on a busy machine, which held
        # up stopping `harken serve`).
        gc.freeze()
    return 0


def _note_interrupts() -> list[int]:
    """Raise KeyboardInterrupt on SIGINT as Python does, and remember that it came.

    Returns the list the handler appends to; left alone when SIGINT is ignored (a
    command started with ``&`` from a script) or already handled by someone else."""
    import signal

    interrupted: list[int] = []
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:

        def interrupt(signum: int, frame: FrameType | None) -> None:
            interrupted.append(signum)
            raise_interrupt(signum, frame)

        signal.signal(signal.SIGINT, interrupt)
    return interrupted


def raise_interrupt(signum: int, frame: FrameType | None) -> None:
    """Raise KeyboardInterrupt, unless Python is running a finalizer (``__del__``, a weakref
    callback) where it would be printed as "Exception ignored … Traceback" and lost: then
    send the signal again a moment later, when the finalizer is done."""
    if frame is not None and frame.f_code.co_name in {"__del__", "_remove", "finalize"}:
        import threading

        threading.Timer(0.05, os.kill, (os.getpid(), signum)).start()
        return
    raise KeyboardInterrupt


def run(argv: list[str]) -> None:
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    try:
        django.setup()
        check_command(argv[0])
        execute_from_command_line(["harken", ALIASES.get(argv[0], argv[0]), *argv[1:]])
    except (ImproperlyConfigured, ConfigError) as exc:
        fail(str(exc))
    except (OperationalError, ProgrammingError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if _missing_table(first):
            fail(f"the database has no tables yet ({first}): run `harken migrate` first")
        if isinstance(exc, ProgrammingError):
            raise  # a bug in a query, not the user's configuration: keep the traceback
        fail(f"the database cannot be reached: {first}")


def _missing_table(message: str) -> bool:
    # SQLite: "no such table: x"; PostgreSQL: 'relation "x" does not exist'.
    return "no such table" in message or (
        message.startswith("relation ") and "does not exist" in message
    )


def check_command(name: str) -> None:
    """Refuse an unknown command in one line, suggesting Harken's name for the nearest one
    (Django's own message would offer `import_mentions`, a module name nobody types)."""
    from difflib import get_close_matches

    from django.core.management import get_commands

    if name.startswith("-") or ALIASES.get(name, name) in get_commands():
        return
    names = (set(get_commands()) - set(ALIASES.values())) | set(ALIASES)
    close = get_close_matches(name, sorted(names), n=1)
    hint = f"did you mean `harken {close[0]}`?" if close else "`harken --help` lists them"
    fail(f"unknown command {name!r}; {hint}")


if __name__ == "__main__":
    sys.exit(main())
