#!/usr/bin/env python3
"""Checks that every test that waits has a time limit (issue 17: tests that fail instead of hang).

The heuristic is per file, on purpose simple:
- A test file "waits" when its text contains one of WAITS below: it starts a process (`Process(`, a CLI or
  process helper), starts or talks to a peer or server (`Peer`, `PodmanService`, `Emulator`, `Harness`),
  sleeps (`sleep(`, `Task.sleep`), polls against a deadline (`deadline`), or starts a plugin host or an
  engine (`Fixtures.host(`, `PluginHost.start`, `ExecutionEngine(`).
- In such a file, every `@Test` must carry `.timeLimit(` in its own attribute (the text from `@Test` to the
  `func` it marks) or in the attribute of the nearest `@Suite` above it (a suite's limit applies to its
  tests).
Comment lines (`//`, `///`) are not read for WAITS. Files under Tests/*/Fixtures and Tests/AloftTestSupport hold no tests and are skipped. Run from anywhere;
exits 1 naming each test without a limit as FILE:LINE.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
WAITS = re.compile(
    r"Process\(|\bCLI\.|HiveCLI\.|AloftProcess\.|Command\.run|TestProcess\.|CheckProcess\."
    r"|Peer\b|Peer\.|PodmanService|Emulator|Harness"
    r"|\bsleep\(|usleep\(|Task\.sleep|deadline"
    r"|Fixtures\.host\(|PluginHost\.start|ExecutionEngine\("
)
SUITE = re.compile(r"@Suite\b")
TEST = re.compile(r"@Test\b")
FUNC = re.compile(r"\bfunc\b")


def attribute(text, start):
    """The attribute's text from `start` to the `func` or type it marks."""
    end = FUNC.search(text, start)
    stop = end.start() if end else len(text)
    for keyword in ("struct ", "final class ", "class ", "enum "):
        k = text.find(keyword, start)
        if k != -1 and k < stop:
            stop = k
    return text[start:stop]


def unlimited_tests(path):
    text = path.read_text(encoding="utf-8")
    code = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith("//"))
    if not WAITS.search(code):
        return []
    marks = sorted([(m.start(), "suite") for m in SUITE.finditer(text)] + [(m.start(), "test") for m in TEST.finditer(text)])
    suite_limited = False
    missing = []
    for offset, kind in marks:
        limited = ".timeLimit(" in attribute(text, offset)
        if kind == "suite":
            suite_limited = limited
        elif not limited and not suite_limited:
            missing.append(text.count("\n", 0, offset) + 1)
    return missing


def main():
    failures = []
    for path in sorted((ROOT / "Tests").rglob("*.swift")):
        relative = path.relative_to(ROOT)
        if "Fixtures" in relative.parts or relative.parts[1] == "AloftTestSupport":
            continue
        failures += [f"{relative}:{line}" for line in unlimited_tests(path)]
    if failures:
        print("tests that wait without a time limit (add .timeLimit(.minutes(N)) to the @Test or its @Suite):",
              file=sys.stderr)
        for failure in failures:
            print("  " + failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
