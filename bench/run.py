"""Benchmarks on PostgreSQL: every page against the floor, then on doubled history.

    make bench                               # the council tier: 1,500 practitioners, 5 and 10 years
    make bench TIER=quick                    # 300 x 2 and 4 years: minutes, for development
    make bench TIER=national                 # 34,300 x 6 and 12 years (long: see docs)
    .venv/bin/python -m bench.run --practitioners 600 --years 3 --repeat 15 --no-write

For each data set (Y years, then 2Y years of the same organisation) it makes a PostgreSQL
database named `fourfold_scale_bench_p<N>_y<Y>` (on BENCH_DATABASE_SERVER, default
postgres://postgres@127.0.0.1:5432), migrates and seeds it (`seed_demo --practitioners N
--years Y`) unless it is already there, and times every page in a fresh process
(`bench.pages`). It prints the table and writes it, with the date, the machine and the
PostgreSQL version, into docs/performance.md between its markers (`--no-write`: print only).
Figures, never pass or fail on time; the targets are printed beside them.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIERS = {
    "quick": (300, 2),
    "council": (1500, 5),
    "national": (34300, 6),
}
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

# Targets (issue 8), by the start of the page's name: ratio to the floor at most this.
TARGETS = [
    ("team ", 3),  # the team's balance and its other pages
    ("organisation", 10),
    ("floor", None),
]
OTHER_TARGET = 5
REPORT_TARGET_SECONDS = 5
GROWTH_TARGET = 1.2
NATIONAL_TARGET = 10


def target_of(name, tier):
    if name.startswith("balance_report"):
        return None
    if tier == "national":
        return None if name.startswith("floor") else NATIONAL_TARGET
    for prefix, ratio in TARGETS:
        if name.startswith(prefix):
            return ratio
    return OTHER_TARGET


PSQL = shutil.which("psql") or "psql"


def call(command, **options):
    """Run one of our own fixed commands (psql, manage.py, bench.pages)."""
    return subprocess.run(command, **options)  # noqa: S603 - fixed arguments, no user input


def psql(*args, database="postgres"):
    url = f"{SERVER}/{database}"
    done = call([PSQL, "-X", "-q", "-tA", "-d", url, *args], capture_output=True, text=True)
    return done.returncode, done.stdout.strip()


def database(practitioners, years, today, reseed):
    # Built from two integers: nothing to quote or inject.
    name = f"fourfold_scale_bench_p{practitioners}_y{years}"
    url = f"{SERVER}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "MFA_REQUIRED_FOR": "nobody"}
    _, exists = psql("-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # noqa: S608
    if exists == "1" and not reseed:
        status, users = psql("-c", "SELECT count(*) FROM people_user", database=name)
        if status == 0 and users not in ("", "0"):
            print(f"Using {name} (already seeded; --reseed to rebuild it)", flush=True)
            call([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
            return url, None
    psql("-c", f'DROP DATABASE IF EXISTS "{name}"')
    psql("-c", f'CREATE DATABASE "{name}"')
    call([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    print(f"Seeding {name}: {practitioners} practitioners x {years} years ...", flush=True)
    started = time.monotonic()
    command = ["manage.py", "seed_demo", "--practitioners", str(practitioners)]
    command += ["--years", str(years)]
    if today:
        command += ["--today", today]
    call([sys.executable, *command], cwd=ROOT, env=env, check=True)
    psql("-c", "VACUUM ANALYZE", database=name)
    return url, time.monotonic() - started


def json_of(module, *args, url):
    """Run `python -m module args` on the database at `url`; the JSON it prints last."""
    env = {**os.environ, "DATABASE_URL": url, "MFA_REQUIRED_FOR": "nobody"}
    out = call(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def measure(url, repeat, *, imports=True):
    env = {} if imports else {"BENCH_IMPORTS": "0"}
    with _environ(env):
        return json_of("bench.pages", "--repeat", str(repeat), url=url)


@contextmanager
def _environ(values):
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# The data sets are timed in rounds, alternately (a fresh process each): a machine that runs
# slower for a minute (a neighbour on the same host) then slows both data sets alike rather
# than whichever was timed in that minute. One process each, one after the other, had put
# 1.15x on the floor page itself between the two. Five rounds of three rather than three of
# five: a process's own speed (where its memory lies, its hash seeds) moved every page of it
# by as much as a tenth on a noisy host, and more processes average that out.
ROUNDS = 5


def measure_alternately(urls, repeat):
    """{url: pages JSON} with each row's median over `ROUNDS` rounds of about repeat / ROUNDS
    repetitions, the data sets alternating round by round; the other figures (queries, sizes,
    imports) from the last round."""
    each = max(1, -(-repeat // ROUNDS))  # rounded up: at least `repeat` in all
    results = {url: None for url in urls}
    for round_ in range(ROUNDS):
        last = round_ == ROUNDS - 1
        for url in urls:
            print(f"  round {round_ + 1} of {ROUNDS}: {urls[url]}", flush=True)
            run = measure(url, each, imports=last)
            before = results[url]
            if before is not None:
                times = {row["name"]: row["times"] for row in before["rows"]}
                for row in run["rows"]:
                    row["times"] = times.get(row["name"], []) + row["times"]
                    row["median"] = statistics.median(row["times"])
                    row["n"] = len(row["times"])
            results[url] = run
    return results


IMPORT_DATABASE = "fourfold_bench_import"


def import_rows(practitioners, years):
    """The sessions file's length for a tier: the 5-year council file (bench.imports), scaled
    down for smaller tiers and never longer (a national file would take an hour to write)."""
    from bench.imports import FIVE_YEARS

    return min(FIVE_YEARS, round(FIVE_YEARS * practitioners * years / (1500 * 5)))


def big_imports(practitioners, years):
    """bench.imports on a database of its own: import_people, then import_sessions of a whole
    file twice (new, then unchanged), each in a fresh process for its peak memory."""
    rows = import_rows(practitioners, years)
    psql("-c", f'DROP DATABASE IF EXISTS "{IMPORT_DATABASE}"')
    psql("-c", f'CREATE DATABASE "{IMPORT_DATABASE}"')
    print(f"Importing a {rows:,}-row sessions file ...", flush=True)
    figures = json_of(
        "bench.imports", "--rows", str(rows), "--json", url=f"{SERVER}/{IMPORT_DATABASE}"
    )
    psql("-c", f'DROP DATABASE IF EXISTS "{IMPORT_DATABASE}"')
    return figures


IMPORT_NAMES = {
    "people": "import_people",
    "sessions": "import_sessions, a new file",
    "sessions again": "import_sessions, the same file again",
}
IMPORT_RATE_TARGET = 5000
IMPORT_MEMORY_TARGET_MB = 300


def import_table(figures):
    lines = [
        "| import | rows | time | rows/s | peak memory | target |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        target = ""
        if f["what"].startswith("sessions"):
            met = f["rows_per_s"] >= IMPORT_RATE_TARGET and f["peak_mb"] < IMPORT_MEMORY_TARGET_MB
            target = f">= {IMPORT_RATE_TARGET:,} rows/s, < {IMPORT_MEMORY_TARGET_MB} MB" + (
                " ok" if met else " **missed**"
            )
        lines.append(
            f"| {IMPORT_NAMES.get(f['what'], f['what'])} | {f['rows']:,} | {ms(f['seconds'])} | "
            f"{f['rows_per_s']:,.0f} | {f['peak_mb']:,.0f} MB | {target} |"
        )
    lines += [
        "",
        "Each import in a fresh process on an empty database of its own (bench.imports): peak "
        "memory is the process's resident set, Django and the app included "
        f"({figures[0]['before_mb']:,.0f} MB before importing).",
    ]
    return lines


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def ms(seconds):
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def table(tier, practitioners, years, runs, seeded, repeat, imports=None):
    (base, first), (doubled, second) = runs
    floor1 = first["rows"][0]["median"]
    floor2 = second["rows"][0]["median"]
    meta1, meta2 = first["meta"], second["meta"]
    days = " and ".join(dict.fromkeys([meta1["today"], meta2["today"]]))
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; PostgreSQL "
        f"{meta1['postgresql']} (jit {meta1['jit']}), default settings. Tier: {tier}, "
        f"{practitioners} practitioners; {years} years = {meta1['sessions']:,} sessions, "
        f"{meta1['items']:,} items, {meta1['attendances']:,} attendances; {2 * years} years = "
        f"{meta2['sessions']:,} sessions, {meta2['items']:,} items, "
        f"{meta2['attendances']:,} attendances. Today is the day each was seeded for "
        f"({days}). Medians of {repeat} interleaved repetitions (the pages in a shuffled "
        "order each time, balance_report in repetitions of its own after them), in "
        f"{ROUNDS} rounds that alternate the two data sets (a fresh process each, 2 warm-ups "
        "each), in process through Django's test client (DEBUG off).",
        "",
    ]
    if any(seeded):
        lines.append(
            "Seeding: "
            + "; ".join(
                f"{y} years {s / 60:.1f} min"
                for y, s in zip((years, 2 * years), seeded, strict=True)
                if s is not None
            )
            + ".",
        )
        lines.append("")
    lines += [
        f"| page | {years} years | x floor | queries | {2 * years} years | x floor | queries "
        "| growth | growth, floor's taken out | target | KB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    by_name = {row["name"]: row for row in second["rows"]}
    for row in first["rows"]:
        other = by_name.get(row["name"])
        target = target_of(row["name"], tier)
        ratio1 = row["median"] / floor1
        if row["name"].startswith("balance_report"):
            target_text = f"< {REPORT_TARGET_SECONDS} s"
            met = other and other["median"] < REPORT_TARGET_SECONDS
        elif target is None:
            target_text, met = "", None
        else:
            target_text = f"<= {target}x"
            met = other and other["median"] / floor2 <= target
        growth = other["median"] / row["median"] if other else None
        # The page's own growth: its time on the doubled history over the floor's of the same
        # runs, against the same on the first (the floor reads nothing that grows, so what it
        # gains between the two sets of processes is the machine's, not the history's).
        own_growth = (other["median"] / floor2) / ratio1 if other else None
        growth_ok = own_growth is not None and own_growth <= GROWTH_TARGET
        mark = "" if met is None else (" ok" if met and growth_ok else " **missed**")
        lines.append(
            f"| {row['name']} | {ms(row['median'])} | {ratio1:.1f}x | {row['queries']} | "
            + (
                f"{ms(other['median'])} | {other['median'] / floor2:.1f}x | "
                f"{other['queries']} | {growth:.2f}x | {own_growth:.2f}x"
                if other
                else "| | | |"
            )
            + f" | {target_text}{mark} | {row['bytes'] / 1024:,.0f} |"
        )
    extras = first["extra"] + second["extra"]
    if extras:
        lines += ["", "| imports and more | data set | time | queries | note |"]
        lines.append("|---|---|---|---|---|")
        for label, run in ((f"{years} years", first), (f"{2 * years} years", second)):
            for row in run["extra"]:
                lines.append(
                    f"| {row['name']} | {label} | {ms(row['seconds'])} | "
                    f"{row.get('queries', '')} | {row.get('note', '')} |"
                )
    if imports:
        lines += ["", *import_table(imports)]
    lines.append("")
    lines.append(
        f"Targets: team pages <= 3x the floor, organisation <= 10x, every other page <= "
        f"{OTHER_TARGET}x (national tier: every dashboard <= {NATIONAL_TARGET}x), "
        f"balance_report --all < {REPORT_TARGET_SECONDS} s, growth on doubled history "
        f"<= {GROWTH_TARGET}x; 'ok' when the {2 * years}-year figure meets both, the growth "
        "with the floor's own taken out (the page's ratio to the floor on the doubled history "
        "over its ratio on the first: the floor reads nothing that grows, and a machine whose "
        "speed drifts between the two sets of processes moves it by as much as 1.5x)."
    )
    return "\n".join(lines)


def write(section, tier):
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    start, end = START.replace("start", f"start {tier}"), END.replace("end", f"end {tier}")
    block = f"{start}\n{section}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _old, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip("\n") + f"\n\n## Latest `make bench` ({tier} tier)\n\n{block}\n"
    DOC.write_text(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tier", default=os.environ.get("TIER") or "council", choices=TIERS)
    parser.add_argument("--practitioners", type=int, default=os.environ.get("BENCH_PRACTITIONERS"))
    parser.add_argument("--years", type=int, default=os.environ.get("BENCH_YEARS"))
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 15)))
    parser.add_argument("--today", default=os.environ.get("BENCH_TODAY"), help="YYYY-MM-DD")
    parser.add_argument("--reseed", action="store_true", help="rebuild the databases")
    parser.add_argument("--no-write", action="store_true", help="print; leave the docs alone")
    parser.add_argument("--no-import", action="store_true", help="skip the whole-file imports")
    args = parser.parse_args(argv)
    practitioners, years = TIERS[args.tier]
    practitioners = int(args.practitioners or practitioners)
    years = int(args.years or years)
    tier = args.tier
    if args.practitioners or args.years:
        tier = f"custom ({practitioners} x {years})"
    urls, seeded = {}, []
    for y in (years, 2 * years):
        url, seconds = database(practitioners, y, args.today, args.reseed)
        seeded.append(seconds)
        urls[url] = f"{y} years"
    print("Timing the pages, the two data sets alternately ...", flush=True)
    measured = measure_alternately(urls, args.repeat)
    runs = [(y, measured[url]) for y, url in zip((years, 2 * years), urls, strict=True)]
    repeat = min(row["n"] for _y, run in runs for row in run["rows"])
    imports = None if args.no_import else big_imports(practitioners, years)
    section = table(tier, practitioners, years, runs, seeded, repeat, imports)
    print()
    print(section)
    if not args.no_write:
        write(section, args.tier if tier == args.tier else "custom")
        print(f"\nWritten to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
