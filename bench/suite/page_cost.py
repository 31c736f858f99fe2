"""What memory the kernel hands out fresh costs on this machine, measured between sections.

A broker that stores what it receives writes new page-cache pages; the mock cluster keeps
messages in a heap it reuses. On a plain machine a fresh page costs little more than a reused
one, but in a guest whose host takes free pages back (virtio-balloon free page reporting, as on
the bench machines) every first touch of such a page is a fault on the host, and that cost moves
with the host's state from one hour to the next. The probe times three writes of the same size:
new pages of a new file, the same pages written again while they are cached, and new anonymous
memory. Produce figures of the same run are read against it (see the report's header)."""

import mmap
import os
import resource
import time

PROBE_BYTES = 512 << 20
CHUNK = b"\xa5" * (1 << 20)


def _cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _timed(write):
    wall, cpu = time.monotonic(), _cpu_s()
    write()
    return {"seconds": time.monotonic() - wall, "cpu_s": _cpu_s() - cpu}


def _per_gb(t, nbytes):
    gb = nbytes / 1e9
    return {"cpu_s_per_gb": t["cpu_s"] / gb, "gb_per_s": gb / t["seconds"] if t["seconds"] > 0 else None}


def probe(work_dir, nbytes=PROBE_BYTES):
    """Returns CPU seconds per GB (and GB/s) for new page-cache pages, rewritten cached pages and
    new anonymous memory. The file is written in `work_dir` (the disk the brokers use) and removed."""
    chunks = max(1, nbytes // len(CHUNK))
    nbytes = chunks * len(CHUNK)
    path = os.path.join(work_dir, "page-cost.probe")
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    try:
        def write_file():
            os.lseek(fd, 0, os.SEEK_SET)
            for _ in range(chunks):
                os.write(fd, CHUNK)
        new_file = _timed(write_file)
        cached_file = _timed(write_file)
    finally:
        os.close(fd)
        os.unlink(path)
    anon = mmap.mmap(-1, nbytes)
    try:
        def write_anon():
            for _ in range(chunks):
                anon.write(CHUNK)
        new_anon = _timed(write_anon)
    finally:
        anon.close()
    return {"bytes": nbytes,
            "new_file_pages": _per_gb(new_file, nbytes),
            "cached_file_pages": _per_gb(cached_file, nbytes),
            "new_anonymous_pages": _per_gb(new_anon, nbytes)}

