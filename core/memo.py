"""Values read once per request, forgotten when it ends.

Some rows are asked for many times while one page is built and change rarely: the audit
policy is read by the navigation, the home page's lists, the flags and the feedback rules, up
to four times a page. `remembering()` opens a memo for one unit of work (the middleware
`core.middleware.memo_per_request` opens one per request); `remembered(key, read)` reads once
within it and gives the same value after; outside any memo (commands, the worker, tests that
call a selector directly) it simply reads. Whoever changes what a key holds calls `forget`.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("fourfold_memo", default=None)


@contextmanager
def remembering():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: str, read):
    """`read()`, once per memo; every call when no memo is open."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def forget(key: str) -> None:
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


def kept(store: dict, key, make, *, at_most: int):
    """`make()`, kept in `store` by `key` for the life of the process, for values that never
    change once made (an address, a cell of HTML); up to `at_most` of them, beyond which each
    is made every time (a bounded store)."""
    found = store.get(key)
    if found is None:
        found = make()
        if len(store) < at_most:
            store[key] = found
    return found
