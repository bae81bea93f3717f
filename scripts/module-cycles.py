#!/usr/bin/env python3
"""Fails when modules of a crate, or files of the web app, import each other in a circle.

For each crate given, every `crate::a::b` and `super::...` path outside comments and test
modules is an edge from the module that writes it to the module it names; modules are compared
at depths 1 to 3 (`routes`, `routes::tickets`, `routes::tickets::create`). For the web app
(`web`), every relative `import` or `export ... from` of a file of `web/src`, types included, is
an edge between files. One circle of each knot is printed and the exit code is 1.

    scripts/module-cycles.py control-api app-api shared web
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


WEB_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]""", re.M)


def web_imports(app):
    """The web app's files (paths under src/ without their extension) and the files each imports."""
    src = os.path.join(app, "src")
    edges = {}
    for root, _, files in os.walk(src):
        for name in files:
            if not name.endswith((".ts", ".tsx")) or name.endswith((".d.ts", ".test.ts", ".test.tsx")):
                continue
            path = os.path.join(root, name)
            module = tuple(os.path.relpath(path, src).rsplit(".", 1)[0].split("/"))
            named = set()
            for m in WEB_IMPORT.finditer(open(path, encoding="utf-8").read()):
                target = os.path.normpath(os.path.join(root, m.group(1) or m.group(2)))
                named.add(tuple(os.path.relpath(target, src).split("/")))
            edges[module] = named
    return edges


def cycles(edges, depth):
    """One circle through each strongly connected set of modules, compared at `depth`."""
    graph = {}
    for source, targets in edges.items():
        for target in targets:
            a, b = source[:depth], target[:depth]
            if a and b and a != b:
                graph.setdefault(a, set()).add(b)
    found = []
    for knot in strongly_connected(graph):
        start = min(knot)
        # The shortest way back to `start` inside the knot.
        paths, seen = [[start]], {start}
        while paths:
            path = paths.pop(0)
            nxt = sorted(n for n in graph.get(path[-1], ()) if n in knot)
            if start in nxt:
                found.append(" -> ".join("::".join(p) for p in path + [start]))
                break
            for n in nxt:
                if n not in seen:
                    seen.add(n)
                    paths.append(path + [n])
    return sorted(found)


def strongly_connected(graph):
    """Tarjan's sets of nodes that reach each other, those of more than one node."""
    index, low, on, stack, knots = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            knot = set()
            while True:
                member = stack.pop()
                on.discard(member)
                knot.add(member)
                if member == node:
                    break
            if len(knot) > 1:
                knots.append(knot)

    sys.setrecursionlimit(10_000)
    for node in list(graph):
        if node not in index:
            visit(node)
    return knots


failed = False
for crate in sys.argv[1:]:
    web = crate.rstrip("/").endswith("web")
    edges = web_imports(crate) if web else imports(crate)
    for depth in (99,) if web else (1, 2, 3):
        for cycle in cycles(edges, depth):
            print(f"{crate}: import cycle: {cycle}")
            failed = True
sys.exit(1 if failed else 0)
