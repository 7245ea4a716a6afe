#!/usr/bin/env python3
"""Every module a target's Swift files import is a dependency the target declares in Package.swift.

The compiler enforces the rest of the layering (MemberImportVisibility and InternalImportsByDefault in every
target's swiftSettings): a file uses only what it imports, and public API names other modules' types only
through `public import`. What it does not check is that an import is declared: SwiftPM lets a target import
any module built before it. This script does, from the sources and Package.swift alone. Exit 1 on a miss.
"""
import glob
import re
import sys

# Modules of the toolchain and the OS, never declared.
SYSTEM = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Darwin", "Dispatch",
          "Synchronization", "Testing", "XCTest", "_Concurrency", "PackageDescription"}

IMPORT = re.compile(r'^(?:@testable |@preconcurrency |@_exported |public |internal |package )*import (\w+)\s*$')


def targets(package):
    """name -> (declared dependencies, source directory), from the .target/.executableTarget/.testTarget calls."""
    out = {}
    for m in re.finditer(r'\.(target|executableTarget|testTarget)\(\s*name:\s*"([^"]+)"(.*?)swiftSettings', package, re.S):
        kind, name, rest = m.groups()
        head = rest.split("path:")[0]
        deps = set(re.findall(r'"([^"]+)"', head)) if "dependencies" in head else set()
        deps |= set(re.findall(r'\.product\(name:\s*"([^"]+)"', rest))
        path = re.search(r'path:\s*"([^"]+)"', rest)
        out[name] = (deps, path.group(1) if path else ("Tests/" if kind == "testTarget" else "Sources/") + name)
    return out


def imports(path):
    """Modules imported by the Swift files under path, outside multi-line string literals."""
    found = {}
    for f in glob.glob(path + "/**/*.swift", recursive=True):
        in_string = False
        for n, line in enumerate(open(f, encoding="utf-8"), 1):
            if line.count('"""') % 2 == 1:
                in_string = not in_string
                continue
            m = None if in_string else IMPORT.match(line)
            if m:
                found.setdefault(m.group(1), f"{f}:{n}")
    return found


def main():
    problems = []
    for name, (deps, path) in sorted(targets(open("Package.swift").read()).items()):
        for module, where in sorted(imports(path).items()):
            if module not in deps and module not in SYSTEM and module != name:
                problems.append(f"{where}: target {name} imports {module} without declaring it in Package.swift")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
