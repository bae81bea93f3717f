#!/usr/bin/env python3
"""Fails when modules of a crate import each other in a circle.

For each crate given, every `crate::a::b` and `super::...` path outside comments and test
modules is an edge from the module that writes it to the module it names; modules are compared
at depths 1 to 3 (`routes`, `routes::tickets`, `routes::tickets::create`). A cycle at any depth
is printed and the exit code is 1.

    scripts/module-cycles.py control-api app-api shared
"""
import os
import re
import sys


def module_of(src, path):
    parts = os.path.relpath(path, src)[:-3].split("/")
    if parts[-1] == "mod":
        parts = parts[:-1]
    return () if parts in (["lib"], ["main"]) else tuple(parts)


def imports(crate):
    src = os.path.join(crate, "src")
    edges = {}
    for root, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(root, name)
            module = module_of(src, path)
            text = open(path, encoding="utf-8").read().split("#[cfg(test)]")[0]
            code = "\n".join(line for line in text.split("\n") if not line.strip().startswith("//"))
            named = {tuple(m.group(1).split("::")) for m in re.finditer(r"crate::([a-z_0-9]+(?:::[a-z_0-9]+)*)", code)}
            parent = module[:-1]
            named |= {parent + tuple(m.group(1).split("::")) for m in re.finditer(r"super::([a-z_0-9]+(?:::[a-z_0-9]+)*)", code)}
            edges[module] = named
    return edges


def cycles(edges, depth):
    graph = {}
    for source, targets in edges.items():
        for target in targets:
            a, b = source[:depth], target[:depth]
            if a and b and a != b:
                graph.setdefault(a, set()).add(b)
    found = set()

    def walk(start, node, path):
        for nxt in graph.get(node, ()):
            if nxt == start:
                found.add(" -> ".join("::".join(p) for p in path + [start]))
            elif nxt not in path and len(path) < 8:
                walk(start, nxt, path + [nxt])

    for start in graph:
        walk(start, start, [start])
    return sorted(found)


failed = False
for crate in sys.argv[1:]:
    edges = imports(crate)
    for depth in (1, 2, 3):
        for cycle in cycles(edges, depth):
            print(f"{crate}: import cycle: {cycle}")
            failed = True
sys.exit(1 if failed else 0)
