"""Python's garbage collector, set for a long-running web worker.

A page that works out many people's figures makes hundreds of thousands of small objects (exact
fractions, rows); with CPython's default thresholds each such request also ran two or three full
collections, every one walking all of the worker's objects, the tens of thousands that Django
and the apps made at start-up included: measured on the organisation page at council scale
(1,500 practitioners), 125-190 ms of its 700-1,150 ms; 4-7 ms of a team page's 65-115 ms.

`settle()` is called once the application is loaded (`supervision.wsgi`, and the benchmark,
so that it measures the pages as the workers serve them). It moves everything made so far into
the permanent generation (`gc.freeze`: never walked again; the modules, the URL patterns, the
templates' code) and collects the youngest generation every 10,000 allocations instead of
every 700. Reference counting still frees almost everything at once; the collector is only for
cycles, and a request's cycles are freed at the next young collection as before. Memory cost:
a few more young objects between collections, bounded by the threshold.
"""

import gc

YOUNG_THRESHOLD = 50_000  # CPython's default: 700


def settle() -> None:
    gc.collect()
    gc.freeze()
    _first, second, third = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, second, third)
