#!/usr/bin/env python3
"""Checks that code the docs quote is the code in the repository (issue 17: the docs' copies of examples).

A fenced code block right after a line `<!-- excerpt: PATH -->` must appear verbatim in PATH (relative to the
repository root): the whole file, or a run of whole lines of it. Run from anywhere; exits 1 naming every
excerpt that differs, with the first line that is not in the file.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^<!-- excerpt: (\S+) -->\s*$")


def excerpts(doc):
    lines = doc.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        i += 1
        if not m:
            continue
        if i >= len(lines) or not lines[i].startswith("```"):
            yield m.group(1), i, None
            continue
        start = i + 1
        end = start
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        yield m.group(1), start, lines[start:end]
        i = end + 1


def first_stray_line(block, source_lines):
    for line in block:
        if line not in source_lines:
            return line
    return None


def main():
    docs = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
    failures, checked = [], 0
    for doc in docs:
        for path, line_no, block in excerpts(doc):
            where = f"{doc.relative_to(ROOT)}:{line_no}"
            source = ROOT / path
            if block is None:
                failures.append(f"{where}: the excerpt marker for {path} is not followed by a code block")
                continue
            if not source.is_file():
                failures.append(f"{where}: {path} does not exist")
                continue
            text = source.read_text(encoding="utf-8")
            checked += 1
            if "\n" + "\n".join(block) + "\n" not in "\n" + text:
                stray = first_stray_line(block, set(text.split("\n")))
                hint = f"; first line not in the file: {stray.strip()!r}" if stray is not None else "; the lines are there, not in this order"
                failures.append(f"{where}: the excerpt differs from {path}{hint}")
    for f in failures:
        print(f, file=sys.stderr)
    print(f"doc excerpts: {checked} checked, {len(failures)} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
