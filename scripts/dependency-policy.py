#!/usr/bin/env python3
"""Fails when the dependency graph breaks the policy of deny.toml, or a workspace member declares
a dependency it does not use: what `cargo deny check bans licenses sources` and cargo-machete
checked, from `cargo metadata --locked --offline`, deny.toml and the members' Cargo.toml.

- licenses: every crate's `license` SPDX expression is satisfied by [licenses] allow (or by its
  [licenses] exceptions entry); a crate without one needs a [[licenses.clarify]] entry;
- bans: no crate of [bans] deny; one version of each crate, but for the versions [bans] skip
  names (a skip entry that matches nothing or excuses no duplicate is an error too); no `*`
  version requirement in a member, but on path dependencies;
- sources: every crate comes from the workspace or from a registry [sources] allows (crates.io);
- unused: every dependency of a member is named in its Rust files (src/, tests/, benches/,
  examples/, build.rs), but for [package.metadata.cargo-machete] ignored and
  [package.metadata.dependency-policy] unused-allowed (a comment there says why);
- never: a member's [package.metadata.dependency-policy] never lists crates its build may not
  reach, directly or through another (the domain's: no HTTP crate), dev dependencies aside.
The graph is what cargo builds for the [graph] targets with default features: the members and what
their normal, build and dev dependencies pull in, less what cargo's resolve also lists: optional
dependencies no enabled feature turns on, and other platforms' dependencies.

    python3 scripts/dependency-policy.py
"""
import glob
import json
import os
import re
import subprocess
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES_IO = "https://github.com/rust-lang/crates.io-index"
CRATES_IO_SPARSE = "https://index.crates.io"
# The deny.toml keys this script implements: any other is reported, not silently ignored.
KNOWN = {
    "graph": {"targets", "all-features", "no-default-features"},
    "licenses": {"version", "allow", "confidence-threshold", "clarify", "exceptions", "private", "unused-allowed-license"},
    "bans": {"multiple-versions", "multiple-versions-include-dev", "wildcards", "allow-wildcard-paths", "deny", "skip", "highlight"},
    "sources": {"unknown-registry", "unknown-git", "allow-registry", "allow-git"},
}
errors, warnings = [], []


def report(level, message):
    """A finding at a deny.toml lint level: "deny" fails the run, "warn" is printed, "allow" is not."""
    {"deny": errors, "warn": warnings}.get(level, []).append(message)


def spec(entry):
    """(name, version requirement or None) of a deny.toml crate entry: "name", "name@1.2.3"
    (that version exactly), "name:<requirement>", { crate = ... } or { name, version }."""
    if isinstance(entry, dict):
        if "crate" not in entry:
            return entry["name"], entry.get("version")
        entry = entry["crate"]
    if "@" in entry:
        name, version = entry.split("@", 1)
        return name, "=" + version
    return tuple(entry.split(":", 1)) if ":" in entry else (entry, None)


def version_matches(requirement, version):
    """Whether a version meets a Cargo requirement ("1.2", "=0.3.1", ">=1, <2", "~0.4", "*");
    pre-release suffixes are ignored."""
    have = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)\.(\d+)", version).groups())
    for comparator in requirement.split(","):
        m = re.fullmatch(r"\s*(=|>=|<=|>|<|~|\^)?\s*([0-9.*xX]*)(?:[-+]\S*)?\s*", comparator)
        if not m:
            sys.exit(f"dependency policy: deny.toml: version requirement {requirement!r} is not understood")
        op, want = m[1] or "^", tuple(int(p) for p in m[2].split(".") if p.isdigit())
        n, full = len(want), want + (0,) * (3 - len(want))
        caret = next((i + 1 for i, p in enumerate(want) if p), n)
        if not {"=": have[:n] == want, ">": have[:n] > want, ">=": have[:n] >= want, "<": have[:n] < want,
                "<=": have[:n] <= want, "~": have >= full and have[:min(n, 2)] == want[:min(n, 2)],
                "^": have >= full and have[:caret] == want[:caret]}[op]:
            return False
    return True


def matches(entry, pkg):
    name, requirement = spec(entry)
    return name == pkg["name"] and (requirement is None or version_matches(requirement, pkg["version"]))


def label(pkg):
    return f"{pkg['name']} {pkg['version']}"


def shown(entry):
    """A deny.toml crate entry as written: "nom@7.1.3", or "openssl" from { name = "openssl" }."""
    if isinstance(entry, str) or "crate" in entry:
        return entry if isinstance(entry, str) else entry["crate"]
    return " ".join(filter(None, (entry["name"], entry.get("version"))))


def target_cfgs(targets):
    """Each target's cfg set, as rustc prints it: {("target_os", "linux"), ("unix", None), ...}."""
    cfgs = {}
    for triple in targets:
        out = subprocess.run([os.environ.get("RUSTC", "rustc"), "--print", "cfg", "--target", triple],
                             check=True, capture_output=True, text=True).stdout
        cfgs[triple] = {(k, v.strip('"') if eq else None) for k, eq, v in (l.partition("=") for l in out.splitlines())}
    return cfgs


def cfg_true(tokens, have):
    """Evaluates the cfg predicate at the front of the token list, taking its tokens off."""
    name = tokens.pop(0)
    if tokens and tokens[0] == "=":
        del tokens[0]
        return (name, tokens.pop(0).strip('"')) in have
    if not tokens or tokens[0] != "(":
        return (name, None) in have
    values = []
    while tokens.pop(0) != ")":  # the "(" first, then each ","
        if tokens[0] != ")":
            values.append(cfg_true(tokens, have))
    return {"all": all, "any": any, "not": lambda v: not v[0]}[name](values)


def for_platform(target, cfgs):
    """Whether a dependency's `target` (None, "cfg(unix)" or a triple) applies to one of ours."""
    if target is None or target in cfgs:
        return True
    return target.startswith("cfg(") and any(
        cfg_true(re.findall(r'"[^"]*"|[\w.-]+|[(),=]', target[4:-1]), have) for have in cfgs.values())


def built(pkg, dep, kind, dep_pkg, on):
    """Whether a resolve edge of one kind is built: what declares it is not optional, or turned on."""
    declared = [d for d in pkg["dependencies"] if d["kind"] == kind["kind"] and d["target"] == kind["target"]
                and (d["rename"].replace("-", "_") == dep["name"] if d["rename"] else d["name"] == dep_pkg["name"])]
    return not declared or any(not d["optional"] or (d["rename"] or d["name"]) in on for d in declared)


def load_graph(targets):
    """The workspace members, the packages by id, and each package's built edges [(id, {kinds})]."""
    args = ["cargo", "metadata", "--format-version", "1", "--locked", "--offline"]
    run = subprocess.run(args + [a for t in targets for a in ("--filter-platform", t)], cwd=ROOT,
                         capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"dependency policy: cargo metadata failed:\n{run.stderr}")
    meta = json.loads(run.stdout)
    packages = {p["id"]: p for p in meta["packages"]}
    cfgs, edges = target_cfgs(targets), {}
    for node in meta["resolve"]["nodes"]:
        pkg = packages[node["id"]]
        # Optional dependencies the enabled features turn on: `dep:x`, `x/f`, but not a weak `x?/f`.
        items = [i for f in node["features"] for i in pkg["features"].get(f, [])]
        on = {i.removeprefix("dep:").split("/")[0] for i in items if i.startswith("dep:") or re.match(r"[^?]+/", i)}
        edges[node["id"]] = [(dep["pkg"], kinds) for dep in node["deps"] if (kinds := {
            k["kind"] for k in dep["dep_kinds"]
            if for_platform(k["target"], cfgs) and built(pkg, dep, k, packages[dep["pkg"]], on)})]
    return meta["workspace_members"], packages, edges


def reachable(members, edges, kinds):
    seen, todo = set(), list(members)
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo += [dep for dep, k in edges[pid] if k & kinds]
    return seen


def satisfied(expression, allowed):
    """Whether an SPDX expression is satisfied by the allowed licences: an OR needs one side, an
    AND both (AND binds tighter); `/` is the legacy spelling of OR; `X+` is satisfied by X.
    `X WITH Y` needs `X WITH Y` itself in the list, X alone is not enough: cargo-deny's choice
    too (the spdx crate's Licensee::satisfies compares the exception). ValueError if malformed."""
    text = ""  # T or F for each licence, & for AND, | for OR: reduced below to one letter
    for token in re.findall(r"[()/]|[^\s()/]+", re.sub(r"\s+WITH\s+", "\0", expression, flags=re.I)):
        term = token.replace("\0", " WITH ")
        ok = term in allowed or ("WITH" not in term and term.rstrip("+") in allowed)
        text += {"AND": "&", "OR": "|", "/": "|", "(": "(", ")": ")"}.get(token.upper(), "T" if ok else "F")
    while True:
        reduced = re.sub(r"\(([TF])\)", r"\1", text)
        reduced = re.sub(r"([TF])&([TF])", lambda m: "T" if m[0] == "T&T" else "F", reduced)
        reduced = re.sub(r"(?<!&)([TF])\|([TF])(?!&)", lambda m: "F" if m[0] == "F|F" else "T", reduced)
        if reduced == text:
            break
        text = reduced
    if text not in ("T", "F"):
        raise ValueError("not a valid SPDX expression")
    return text == "T"


def check_licences(policy, packages, graph):
    cfg = policy.get("licenses", {})
    allowed = {" ".join(a.split()) for a in cfg.get("allow", [])}
    clarify, exceptions, used, expressions = cfg.get("clarify", []), cfg.get("exceptions", []), set(), set()
    for pkg in sorted((packages[p] for p in graph if packages[p]["source"]), key=label):
        clarified = [i for i, c in enumerate(clarify) if matches(c, pkg)]
        excepted = [i for i, e in enumerate(exceptions) if matches(e, pkg)]
        used |= {("clarify", i) for i in clarified} | {("exceptions", i) for i in excepted}
        # A clarification wins over the `license` field, as in cargo-deny (its license-files are not hashed here).
        expression = clarify[clarified[0]]["expression"] if clarified else pkg["license"]
        if not expression:
            errors.append(f"licenses: {label(pkg)} has no `license` field: read its licence files and add "
                          "a [[licenses.clarify]] entry (name, version, expression) to deny.toml")
            continue
        expressions.add(expression)
        also = {" ".join(a.split()) for i in excepted for a in exceptions[i].get("allow", [])}
        try:
            if not satisfied(expression, allowed | also):
                errors.append(f"licenses: {label(pkg)}: its licence {expression!r} is not satisfied by "
                              "[licenses] allow (an OR needs one licence of the list, an AND all)")
        except ValueError as e:
            errors.append(f"licenses: {label(pkg)}: its licence {expression!r} is {e}")
    for table, entries in (("clarify", clarify), ("exceptions", exceptions)):
        errors.extend(f"licenses: the [licenses] {table} entry for {shown(e)} matches no crate "
                      "in the graph: remove it" for i, e in enumerate(entries) if (table, i) not in used)
    return expressions


def check_bans(policy, members, packages, edges, graph, counted):
    cfg = policy.get("bans", {})
    for pkg, entry in ((packages[p], e) for p in sorted(graph) for e in cfg.get("deny", [])):
        if matches(entry, pkg):
            errors.append(f"bans: {label(pkg)} is in the graph, and [bans] deny bans {shown(entry)}")
    versions, needed_by, skip = {}, {}, cfg.get("skip", [])
    for pid in counted:
        versions.setdefault(packages[pid]["name"], []).append(packages[pid])
        for dep, _ in edges[pid]:
            needed_by.setdefault(dep, []).append(label(packages[pid]))
    for entry in skip:
        hits, name = [packages[p] for p in graph if matches(entry, packages[p])], shown(entry)
        if not hits:
            errors.append(f"bans: the [bans] skip entry {name} matches no crate in the graph: remove it")
        elif all(len(versions.get(p["name"], [])) < 2 for p in hits):
            errors.append(f"bans: the [bans] skip entry {name} excuses no duplicate ({hits[0]['name']} is in the graph "
                          "in one version only): remove it")
    for name, pkgs in sorted(versions.items()):
        kept = [p for p in pkgs if not any(matches(e, p) for e in skip)]
        if len(pkgs) > 1 and len(kept) > 1:
            found = "; ".join(f"{p['version']} for {', '.join(sorted(needed_by.get(p['id'], [])))}" for p in kept)
            report(cfg.get("multiple-versions", "warn"), f"bans: {name} is in the graph in {len(kept)} versions ({found}), "
                   "and [bans] multiple-versions allows one: add all but one to [bans] skip, with the reason")
    for pkg, d in ((packages[m], d) for m in members for d in packages[m]["dependencies"]):
        if d["req"] == "*" and not (cfg.get("allow-wildcard-paths") and d.get("path")):
            report(cfg.get("wildcards", "allow"), f"bans: {label(pkg)} depends on {d['name']} with the version "
                   "requirement `*` ([bans] wildcards): name the versions it works with")
    return sum(len(pkgs) - 1 for pkgs in versions.values())


def check_sources(policy, packages, graph):
    cfg = policy.get("sources", {})
    registries = {r.rstrip("/") for r in cfg.get("allow-registry", [CRATES_IO])}
    registries |= {CRATES_IO_SPARSE} if CRATES_IO in registries else set()
    for pkg in (packages[p] for p in sorted(graph) if packages[p]["source"]):
        kind, _, url = pkg["source"].partition("+")
        url = re.split(r"[?#]", url)[0].rstrip("/")
        if kind in ("registry", "sparse") and url not in registries:
            report(cfg.get("unknown-registry", "warn"), f"sources: {label(pkg)} comes from the registry {url}, "
                   "which [sources] allow-registry does not list")
        elif kind not in ("registry", "sparse") and url not in {g.rstrip("/") for g in cfg.get("allow-git", [])}:
            report(cfg.get("unknown-git", "warn") if kind == "git" else "deny",
                   f"sources: {label(pkg)} comes from {pkg['source']}, which [sources] allow-git does not list")


def crates_named(member_dir, build):
    """The crates a member's Rust code names: `name::`, `use name;`, `use name as`, `use {.., name}`,
    `extern crate name`. Plain `//` comments are left out; doc comments are not (doc tests)."""
    paths = [os.path.join(member_dir, build if isinstance(build, str) else "build.rs")]
    for sub in ("src", "tests", "benches", "examples"):
        paths += glob.glob(os.path.join(member_dir, sub, "**", "*.rs"), recursive=True)
    text = ""
    for path in filter(os.path.isfile, paths):
        with open(path, encoding="utf-8") as f:
            text += "".join(line for line in f if not re.match(r"\s*//(?![/!])", line))
    named = set(re.findall(r"(?<![\w:])(?:::)?([A-Za-z_]\w*)::", text))
    named |= {a or b for a, b in re.findall(r"\buse\s+(?:::)?(\w+)\s*(?:;|\sas\b)|\bextern\s+crate\s+(\w+)", text)}
    for group in re.findall(r"\buse\s+(?:::)?\{([^;]*)\}\s*;", text):
        named |= set(re.findall(r"(?:^|[{,])\s*(?:::)?(\w+)", group))
    return named


def check_unused(packages):
    with open(os.path.join(ROOT, "Cargo.toml"), "rb") as f:
        patterns = tomllib.load(f)["workspace"]["members"]
    lib_names = {}  # a package's name in code when it is not its own with `_` (md-5 is md5)
    for p in packages.values():
        lib_names.setdefault(p["name"], set()).update(
            t["name"].replace("-", "_") for t in p["targets"] if {"lib", "rlib", "proc-macro", "dylib"} & set(t["kind"]))
    count = 0
    for member_dir in sorted(d for pattern in patterns for d in glob.glob(os.path.join(ROOT, pattern))):
        with open(os.path.join(member_dir, "Cargo.toml"), "rb") as f:
            manifest = tomllib.load(f)
        package, declared = manifest["package"], set()
        meta, name = package.get("metadata", {}), package["name"]
        excused = {n: "[package.metadata.cargo-machete] ignored" for n in meta.get("cargo-machete", {}).get("ignored", [])}
        excused |= {n: "[package.metadata.dependency-policy] unused-allowed"
                    for n in meta.get("dependency-policy", {}).get("unused-allowed", [])}
        named = crates_named(member_dir, package.get("build"))
        for prefix, table in [("", manifest)] + [(f"target.'{t}'.", v) for t, v in manifest.get("target", {}).items()]:
            for section, key, dep in ((s, k, d) for s in ("dependencies", "dev-dependencies", "build-dependencies")
                                      for k, d in table.get(s, {}).items()):
                renamed = isinstance(dep, dict) and "package" in dep
                used = bool(({key.replace("-", "_")} | (set() if renamed else lib_names.get(key, set()))) & named)
                count, declared = count + 1, declared | {key}
                if not used and key not in excused:
                    errors.append(f"unused: {name}: {key} ([{prefix}{section}]) is named nowhere in its Rust files: "
                                  "remove it, or list it in [package.metadata.dependency-policy] unused-allowed "
                                  "with a comment saying what it is for")
                elif used and key in excused:
                    errors.append(f"unused: {name}: {key} is in {excused[key]}, but its code names it: remove it there")
        errors.extend(f"unused: {name}: {excused[k]} names {k}, which is not one of its dependencies: remove it"
                      for k in sorted(set(excused) - declared))
    return count


def check_never(members, packages, edges):
    """Each member's `never` crates are out of what its normal and build dependencies reach."""
    for member in members:
        pkg = packages[member]
        never = set(((pkg.get("metadata") or {}).get("dependency-policy") or {}).get("never", []))
        reached = {packages[p]["name"] for p in reachable([member], edges, {None, "build"})}
        for name in sorted(never & reached):
            errors.append(f"never: {pkg['name']} reaches {name}, which its [package.metadata.dependency-policy] never "
                          "lists: take out the dependency that brings it")


def main():
    with open(os.path.join(ROOT, "deny.toml"), "rb") as f:
        policy = tomllib.load(f)
    for section, keys in KNOWN.items():
        errors.extend(f"deny.toml: [{section}] {key} is not implemented by scripts/dependency-policy.py"
                      for key in sorted(set(policy.get(section, {})) - keys))
    graph_cfg = policy.get("graph", {})
    if graph_cfg.get("all-features") or graph_cfg.get("no-default-features"):
        errors.append("deny.toml: [graph] all-features and no-default-features are not implemented (default features only)")
    targets = [t if isinstance(t, str) else t["triple"] for t in graph_cfg.get("targets", [])]
    if not targets:
        sys.exit("dependency policy: deny.toml names no [graph] targets")
    members, packages, edges = load_graph(targets)
    graph = reachable(members, edges, {None, "build", "dev"})
    # As in cargo-deny, crates that only dev dependencies bring in are not counted as duplicates.
    include_dev = policy.get("bans", {}).get("multiple-versions-include-dev", False)
    counted = graph if include_dev else reachable(members, edges, {None, "build"})
    expressions = check_licences(policy, packages, graph)
    duplicates = check_bans(policy, members, packages, edges, graph, counted)
    check_sources(policy, packages, graph)
    dependencies = check_unused(packages)
    check_never(members, packages, edges)
    print("".join(f"warning: {m}\n" for m in warnings) + "".join(f"{m}\n" for m in errors), end="")
    if errors:
        sys.exit(f"dependency policy: {len(errors)} problem(s); the policy is deny.toml")
    registry = sum(1 for p in graph if packages[p]["source"])
    print(f"dependency policy: {len(graph)} packages ({registry} from registries), {len(expressions)} "
          f"licence expressions allowed, {duplicates} extra versions all in [bans] skip, {dependencies} declared "
          f"dependencies of {len(members)} members used: ok")


main()
