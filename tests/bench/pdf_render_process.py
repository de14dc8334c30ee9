"""The WeasyPrint half of one PDF render, in a process of its own (run by bench_pdfs.py).

Reads `{"html": ..., "runs": n}` as JSON on stdin and prints one JSON line: the render time of each run, the
pages and bytes of the PDF, and memory. WeasyPrint allocates mostly in C (Pango, cairo, HarfBuzz through
cffi), which Python's tracemalloc does not see, so the peak memory is the growth of the process's peak
resident set (`ru_maxrss`) over its resident set before the render: for the first render of the document
(from a process that has WeasyPrint loaded and has rendered a one-line page, as a fresh worker process makes
it, loading the fonts and hyphenation patterns it needs) and for the renders after it (what each further
render of the document costs). On Linux the peak is reset to the current resident set just before
(`/proc/self/clear_refs`), so that the peaks of Django's and WeasyPrint's start do not hide a render's;
elsewhere the growth is counted from the peak before, and a render that stays under it shows 0. The Python
heap's own peak (tracemalloc) is measured in a separate run, since tracing slows the render down.
"""

import gc
import io
import json
import re
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import django


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def resident_mib() -> float:
    """The process's resident set now, after its peak is reset to it (Linux); elsewhere the peak so far."""
    status = Path("/proc/self/status")
    try:
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset the peak resident set
    except OSError:
        return peak_rss_mib()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status.read_text())[1]) / 1024


def main() -> None:
    job = json.load(sys.stdin)
    django.setup()
    from pypdf import PdfReader

    from partnerhub.pdf import DEFAULT_BASE_URL
    from partnerhub.pdf_writer import write_pdf

    def render() -> bytes:
        return write_pdf(job["html"], base_url=DEFAULT_BASE_URL)

    # WeasyPrint's one-time start (fonts through fontconfig, Pango, the print CSS) before the baseline.
    write_pdf(
        '<link rel="stylesheet" href="/static/css/print/base.css"><p>Opwarmen</p>', base_url=DEFAULT_BASE_URL
    )
    gc.collect()
    idle = resident_mib()
    pdf = render()  # the warm-up: the first render of this document, as a fresh worker process makes it
    first_peak = peak_rss_mib()
    gc.collect()
    warm = resident_mib()  # what the first render left loaded (fonts, hyphenation, caches) counts here
    seconds = []
    for _ in range(job["runs"]):
        start = time.perf_counter()
        render()
        seconds.append(time.perf_counter() - start)
    peak = peak_rss_mib()
    tracemalloc.start()
    render()
    python_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    result = {
        "seconds": seconds,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "bytes": len(pdf),
        "idle_mib": idle,
        "first_peak_mib": first_peak,
        "warm_mib": warm,
        "peak_mib": peak,
        "python_peak_mib": python_peak,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
