#!/usr/bin/env python3
"""Fails when SQL sits where it should not.

In the services' `src/` (tests, the test kit and the bench crate are fixtures and may write what
they like):
- a handler (`src/routes/`, `lib.rs`, `main.rs`) holds no SQL at all: it calls a repository;
- every statement is one of sqlx's checked macros (`query!`, `query_as!`, `query_scalar!`),
  except in the places listed in RUNTIME below, each with the reason it cannot be checked.

    scripts/sql-placement.py control-api app-api shared control-schema tenant-schema
"""
import os
import re
import sys

# (crate-relative path, why its SQL is built at run time)
RUNTIME = {
    "control-api/src/tenancy/provision.rs": "DDL naming the tenant's role and database",
    "control-api/src/tenancy/template.rs": "DDL naming the template database",
    "tenant-schema/src/moving.rs": "COPY, DELETE and sequence statements naming each table of the tenant schema, read from the catalog; the migrations' own table",
    "sav/src/tickets/listing.rs": "the ticket list's optional filters (one QueryBuilder)",
    "sav/src/tickets/tallies.rs": "the views' counts summed with the list's conditions",
    "sav/src/tickets/access.rs": "the visibility clause the ticket list pushes",
    "sav/src/tickets/badge.rs": "the SLA badge's predicates, pushed into the list's and the summary's statements",
    "sav/src/reports/dashboard.rs": "the SLA summary counted with the badge's predicates",
    "sav/src/reports/performance.rs": "the report's grouping and period, and the badge's predicates",
    "sav/src/reports/tickets_csv.rs": "a cursor over the list's filters, its FETCH and its planner setting",
    "app-api/src/help_center/search.rs": "planned with each search's words, never prepared once (common and rare words need different plans)",
    "shared/src/readiness.rs": "SELECT 1 on whatever database a probe checks",
    "shared/src/primary.rs": "SHOW transaction_read_only on whichever server of a list answers",
}

RUNTIME_CALL = re.compile(
    r"sqlx::(query|query_as|query_scalar|query_with|query_as_with|query_scalar_with|raw_sql)"
    r"(::<[^>]*>)?\s*\(|QueryBuilder|\.execute\(\s*(\"|format!|[a-z_.]+\.as_str\(\))"
)
SQL_TEXT = re.compile(r"\"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|GRANT|REVOKE)\b", re.I)
MACRO = re.compile(r"sqlx::(query|query_as|query_scalar)(_unchecked)?!")


def code_lines(path):
    """Lines outside comments and `#[cfg(test)]` modules."""
    in_tests = False
    depth = 0
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if stripped.startswith("#[cfg(test)]"):
                in_tests, depth = True, 0
                continue
            if in_tests:
                depth += line.count("{") - line.count("}")
                if depth <= 0 and "}" in line:
                    in_tests = False
                continue
            if stripped.startswith("//"):
                continue
            yield number, line


def check(crate, used):
    problems = []
    src = os.path.join(crate, "src")
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith(".rs"):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path)
            handler = "/src/routes/" in path or name in ("lib.rs", "main.rs") and root == src
            for number, line in code_lines(path):
                if handler and (SQL_TEXT.search(line) or MACRO.search(line) or RUNTIME_CALL.search(line)):
                    problems.append(f"{rel}:{number}: SQL in a handler: move it to a repository module")
                elif RUNTIME_CALL.search(line) and rel in RUNTIME:
                    used.add(rel)
                elif RUNTIME_CALL.search(line):
                    problems.append(f"{rel}:{number}: a runtime query: use a checked macro (or list the file in RUNTIME with why)")
    return problems


def main():
    used = set()
    problems = [p for crate in sys.argv[1:] for p in check(crate, used)]
    crates = tuple(crate.rstrip("/") + "/" for crate in sys.argv[1:])
    problems += [f"{rel}: listed in RUNTIME but builds no query at run time: unlist it"
                 for rel in sorted(RUNTIME) if rel.startswith(crates) and rel not in used]
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print(f"SQL placement: {len(sys.argv) - 1} crates, every query checked or listed")


if __name__ == "__main__":
    main()
