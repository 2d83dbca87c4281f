"""Python's garbage collector, set for a long-running web worker.

A page that works out many people's figures makes hundreds of thousands of small objects (exact
fractions, rows); with CPython's default thresholds each such request also ran two or three full
collections, every one walking all of the worker's objects, the tens of thousands that Django
and the apps made at start-up included: measured on the organisation page at council scale
(1,500 practitioners), 125-190 ms of its 700-1,150 ms; 4-7 ms of a team page's 65-115 ms.

`settle()` is called once the application is loaded (`supervision.wsgi`, and the benchmark,
so that it measures the pages as the workers serve them). It moves everything made so far into
the permanent generation (`gc.freeze`: never walked again; the modules, the URL patterns, the
templates' code) and collects the youngest generation every 50,000 allocations instead of
every 700. Reference counting still frees almost everything at once; the collector is only for
cycles, which wait a little longer for the next young collection. Measured at council scale,
10 years, every bench page interleaved (docs/performance.md): the organisation's 12 months
spent 150 ms a request collecting with the defaults, 110 ms with only the freeze, 40 ms with
both; thresholds of 5,000-10,000 now and then put a single young collection of 8 ms or so on
a small page. Memory: a process serving every bench page three times peaked at 142 MB with
it, 138 MB without.

Commands: `balance_report` run from the command line settles too (a national body's report
made millions of small objects: 1 s of its 9-11 s). Not the imports: the 60,000-row import ran
10% faster with it, but its re-import's peak memory went from 116 to 192 MB
(docs/performance.md).
"""

import gc

YOUNG_THRESHOLD = 50_000  # CPython's default: 700


def settle() -> None:
    gc.collect()
    gc.freeze()
    _first, second, third = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, second, third)
