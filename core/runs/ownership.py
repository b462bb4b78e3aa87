"""Who records a run, and whether that recorder still lives: how a crash leaves the store consistent.

A run is stamped with its recorder's host name, process id and process start time. When a store opens, every
run still "running" whose recorder is gone is marked "interrupted": on the same host, the process id no longer
exists, is a zombie, or now belongs to a process started at another time (ids are reused); on another host
(a store on a shared folder), its writer's heartbeat, renewed every few seconds while it records, is older
than STALE_SECONDS.
"""

from __future__ import annotations

import os
import socket
import time

STALE_SECONDS = 120.0  # a heartbeat this old from another host means its recorder is gone


def host_name() -> str:
    return socket.gethostname()


def process_started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux /proc), None where it can't be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            fields = file.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[19].decode() if len(fields) > 19 else None  # field 22 of stat(5), counted after the name


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            return file.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return False


def owner_alive(host: str | None, pid: int | None, started: str | None, heartbeat: float | None) -> bool:
    """Whether the recorder that stamped a run may still be writing it."""
    if host != host_name() or pid is None or os.name == "nt":  # (Windows' os.kill would end the process)
        return heartbeat is not None and time.time() - heartbeat < STALE_SECONDS
    if pid != os.getpid():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # someone else's process: it exists
            pass
        except OSError:
            return False
        if _is_zombie(pid):
            return False
    now_started = process_started(pid)
    return started is None or now_started is None or now_started == started
