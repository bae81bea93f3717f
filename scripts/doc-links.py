#!/usr/bin/env python3
"""Fails when a link of the project's Markdown names a file, folder or heading that is not there.

Every Markdown file git knows (tracked, or new and not ignored; none under `node_modules/`,
`target/` or `.data/`) is read outside its fenced code blocks, inline code and HTML comments.
Each link or image, `[text](target)`, and each reference definition, `[name]: target`, whose
target is relative must name a file or folder of the repository, relative to the file that
writes it; a `#fragment` on a `.md` target must be the anchor of one of that file's headings,
and a bare `#fragment` one of its own. Anchors are made as GitHub and mdBook make them: the
heading's text in lower case, each space a `-`, every other character but letters, digits, `-`
and `_` left out, and `-1`, `-2`, ... after a repeated one. Targets with a scheme (`https:`,
`mailto:`) are not checked; an absolute path is refused, since the manual is also a book.
Every page under `docs/` must also be listed in `docs/SUMMARY.md`, the book's contents.

Each broken link is printed as `path:line: target: why` and the exit code is 1; with none, one line
says how many links of how many files were checked.

    scripts/doc-links.py          # the repository holding this script
    scripts/doc-links.py ROOT     # another work tree
"""
import os
import re
import subprocess
import sys
from urllib.parse import unquote

SKIPPED_FOLDERS = {"node_modules", "target", ".data"}
SUMMARY = "docs/SUMMARY.md"

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
REFERENCE = re.compile(r"^ {0,3}\[(?!\^)([^\]]+)\]:[ \t]*(<[^>]*>|\S+)", re.M)
HTML_ANCHOR = re.compile(r"<a\s[^>]*\b(?:name|id)\s*=\s*[\"']([^\"']+)[\"']", re.I)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
EXPLICIT_ID = re.compile(r"\s*\{#([^}\s]+)\}\s*$")


def markdown_files(root):
    """The Markdown files git tracks or would track under `root`, as paths relative to it."""
    listed = subprocess.run(
        ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.md"],
        check=True, capture_output=True, text=True,
    ).stdout
    paths = set()
    for path in listed.split("\0"):
        parts = path.split("/")
        if path and not SKIPPED_FOLDERS.intersection(parts[:-1]) and os.path.isfile(os.path.join(root, path)):
            paths.add(path)
    return sorted(paths)


def blank(match):
    """The matched text with every character but line ends made a space, so columns and lines stay."""
    return re.sub(r"[^\n]", " ", match.group(0))


def prose(text):
    """The lines of `text` with those of fenced code blocks emptied, and the fenced lines' numbers."""
    lines, fenced, fence = text.split("\n"), set(), None
    for number, line in enumerate(lines):
        marks = FENCE.match(line)
        if fence is None:
            if marks:
                fence = marks.group(1)
                fenced.add(number)
            continue
        fenced.add(number)
        if marks and marks.group(1)[0] == fence[0] and len(marks.group(1)) >= len(fence) \
                and not line.strip().strip(fence[0]):
            fence = None
    return ["" if number in fenced else line for number, line in enumerate(lines)], fenced


def paragraphs(text):
    """(first line number, text) of each run of non-blank lines outside code, comments and code spans."""
    lines, _ = prose(COMMENT.sub(blank, text))
    start = None
    for number, line in enumerate(lines + [""]):
        if line.strip() and start is None:
            start = number
        elif not line.strip() and start is not None:
            yield start + 1, CODE_SPAN.sub(blank, "\n".join(lines[start:number]))
            start = None


def link_target(block, at):
    """The target of an inline link whose `(` is at `at`, where it starts and where the link ends;
    None when it is not one."""
    i = at + 1
    while i < len(block) and block[i] in " \t\n":
        i += 1
    start = i
    if block.startswith("<", i):
        end = block.find(">", i)
        if end < 0 or "\n" in block[i:end]:
            return None
        target, i = block[i + 1:end], end + 1
    else:
        depth = 0
        while i < len(block) and not block[i].isspace():
            if block[i] == "\\":
                i += 2
                continue
            if block[i] == "(":
                depth += 1
            elif block[i] == ")":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        target = block[start:i]
    while i < len(block) and block[i] in " \t\n":
        i += 1
    if i < len(block) and block[i] in "\"'(":
        close = {"\"": "\"", "'": "'", "(": ")"}[block[i]]
        end = block.find(close, i + 1)
        if end < 0:
            return None
        i = end + 1
        while i < len(block) and block[i] in " \t\n":
            i += 1
    if i >= len(block) or block[i] != ")":
        return None
    return target, start, i


def links(text):
    """(line, target) of every link, image and reference definition of a Markdown text."""
    found = []
    for first, block in paragraphs(text):
        opened = []
        i = 0
        while i < len(block):
            char = block[i]
            if char == "\\":
                i += 2
                continue
            if char == "[":
                opened.append(i)
            elif char == "]" and opened:
                opened.pop()
                if block.startswith("(", i + 1):
                    parsed = link_target(block, i + 1)
                    if parsed:
                        target, start, i = parsed
                        found.append((first + block.count("\n", 0, start), target))
            i += 1
        for match in REFERENCE.finditer(block):
            target = match.group(2)
            target = target[1:-1] if target.startswith("<") else target
            found.append((first + block.count("\n", 0, match.start(2)), target))
    return found


def heading_text(raw):
    """A heading as it reads once rendered: links to their text, code and emphasis marks gone."""
    raw = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", raw)
    pieces = re.split(r"(`+)(.+?)\1", raw)
    words = []
    for n, piece in enumerate(pieces):
        if n % 3 == 2:
            words.append(piece.strip())
        elif n % 3 == 0:
            piece = re.sub(r"<[^>]+>", "", piece)
            piece = re.sub(r"\*+", "", piece)
            words.append(re.sub(r"(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])", "", piece))
    return "".join(words).strip()


def anchor(text):
    """The anchor GitHub and mdBook give a heading of this text."""
    return "".join(c if c.isalnum() or c in "-_" else "-" if c.isspace() else "" for c in text.lower())


def anchors(text):
    """Every anchor a Markdown text offers: its headings', repeats numbered, and HTML anchors."""
    lines, fenced = prose(text)
    found, seen = set(), {}
    for number, line in enumerate(lines):
        heading = ATX_HEADING.match(line)
        raw = heading.group(2) or "" if heading else None
        if raw is None and number > 0 and SETEXT_UNDERLINE.match(line) and lines[number - 1].strip() \
                and number - 1 not in fenced and not ATX_HEADING.match(lines[number - 1]) \
                and not SETEXT_UNDERLINE.match(lines[number - 1]):
            raw = lines[number - 1].strip()
        if raw is None:
            continue
        explicit = EXPLICIT_ID.search(raw)
        if explicit:
            found.add(explicit.group(1))
            continue
        base = anchor(heading_text(raw))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    found.update(HTML_ANCHOR.findall(text))
    return found


def check(root):
    """Broken links as (path, line, target, why), the links checked and the files read."""
    files = markdown_files(root)
    texts = {path: open(os.path.join(root, path), encoding="utf-8").read() for path in files}
    anchors_of = {}

    def anchors_in(path):
        if path not in anchors_of:
            text = texts.get(path)
            if text is None:
                text = open(os.path.join(root, path), encoding="utf-8").read()
            anchors_of[path] = anchors(text)
        return anchors_of[path]

    broken, checked, listed = [], 0, set()
    for path in files:
        folder = os.path.dirname(path)
        for line, target in links(texts[path]):
            if not target or SCHEME.match(target) or target.startswith("//"):
                continue
            checked += 1
            name, _, fragment = target.partition("#")
            name = unquote(name.partition("?")[0])
            if name.startswith("/"):
                broken.append((path, line, target, "an absolute path: write it relative to this file"))
                continue
            named = os.path.normpath(os.path.join(folder, name)) if name else path
            if named == ".." or named.startswith("../"):
                broken.append((path, line, target, "outside the repository"))
                continue
            if not os.path.exists(os.path.join(root, named)):
                broken.append((path, line, target, "no such file or folder"))
                continue
            if path == SUMMARY:
                listed.add(named)
            if fragment and named.endswith(".md") and os.path.isfile(os.path.join(root, named)):
                if unquote(fragment) not in anchors_in(named):
                    where = "this file" if named == path else named
                    broken.append((path, line, target, f"no heading of {where} has the anchor #{fragment}"))

    pages = [p for p in files if p.startswith("docs/") and p != SUMMARY]
    if pages and SUMMARY not in files:
        broken.append((SUMMARY, 1, SUMMARY, "missing: the book's contents must list every page of docs/"))
    elif pages:
        for page in pages:
            if page not in listed:
                broken.append((page, 1, os.path.relpath(page, "docs"), f"not listed in {SUMMARY}"))
    return broken, checked, len(files)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    broken, checked, files = check(root)
    for path, line, target, why in broken:
        print(f"{path}:{line}: {target}: {why}")
    if broken:
        print(f"doc links: {len(broken)} broken of {checked} links in {files} files")
        return 1
    print(f"doc links: {checked} links in {files} files: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
