"""`bench.run.table`: the table `make bench` writes, and its verdict on each target."""

from bench import run


def pages(floor, home, team):
    rows = [
        ("floor (settings page)", floor),
        ("supervisor home", home),
        ("team balance, 15 people, 3 months", team),
    ]
    meta = {
        "today": "2026-12-02",
        "postgresql": "15",
        "jit": "off",
        "sessions": 1,
        "items": 1,
        "attendances": 1,
    }
    return {
        "meta": meta,
        "rows": [
            {"name": name, "median": seconds, "queries": 5, "bytes": 1024} for name, seconds in rows
        ],
        "extra": [],
    }


def verdicts(first, second):
    table = run.table("council", 1500, 5, [(5, first), (10, second)], [None, None], 15)
    found = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] in ("supervisor home", "team balance, 15 people, 3 months"):
            found[cells[0]] = (cells[7], cells[8], cells[9])
    return found


def test_a_machine_slower_on_the_second_data_set_is_not_the_pages_growth():
    # Everything 1.4x slower on the doubled history, the floor too: the pages did not grow.
    found = verdicts(pages(0.005, 0.020, 0.014), pages(0.007, 0.028, 0.0196))

    assert found["supervisor home"] == ("1.40x", "1.00x", "<= 5x ok")
    assert found["team balance, 15 people, 3 months"] == ("1.40x", "1.00x", "<= 3x ok")


def test_a_page_that_grows_more_than_the_floor_misses():
    found = verdicts(pages(0.005, 0.020, 0.014), pages(0.005, 0.025, 0.014))

    assert found["supervisor home"] == ("1.25x", "1.25x", "<= 5x **missed**")
    assert found["team balance, 15 people, 3 months"] == ("1.00x", "1.00x", "<= 3x ok")


def test_a_page_over_its_ratio_misses_whatever_its_growth():
    found = verdicts(pages(0.005, 0.026, 0.014), pages(0.005, 0.026, 0.016))

    assert found["supervisor home"][2] == "<= 5x **missed**"
    assert found["team balance, 15 people, 3 months"][2] == "<= 3x **missed**"
