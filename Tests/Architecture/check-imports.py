#!/usr/bin/env python3
"""The module import rule, checked: every `import X` in Sources/<Module>/*.swift must be
(a) allowed by the layers below (a module imports only Berth modules of lower layers, minus the
forbidden edges) and (b) a declared dependency of its target in Package.swift (`swift package
dump-package`), so no module leans on another package's internal module.

Usage: Tests/Architecture/check-imports.py [--package-json FILE]   (run from the package root; exit 1 on a violation)
"""
import json
import os
import re
import subprocess
import sys

# Berth's modules, lowest layer first. A module may import Berth modules of strictly lower layers only.
LAYERS = [
    ["Diagnostics", "OCI", "CArchive", "CISAL", "CLinuxShims"],   # error vocabulary, OCI types, C libraries and shims
    ["BerthSystem"],                                      # names, paths, digests, atomic files, locks, commands
    ["TarArchive", "Manifest", "State", "Runtime", "Networking"],
    ["ImageStore", "SpecBuilder", "KubernetesExport", "SystemdExport"],
    ["Snapshots", "Registry", "ImageBuild"],
    ["Checkpoint", "Supervision"],                        # checkpoint images; a container's monitor
    ["Planner"],                                          # decides; never runs anything
    ["Executor"],                                         # does what the plan says
    ["BerthCLI"],                                         # parses, calls one entry point, prints
    ["berth", "berth-monitor"],                           # the executables: forward to BerthCLI, to Supervision
]

# Modules whose Berth imports are limited to the set given (empty: none of Berth's).
ONLY = {
    "Diagnostics": set(),                                 # the errors sit lowest, with no dependencies
    "OCI": set(),                                         # the OCI types import nothing of Berth's
    "berth": {"BerthCLI"},                                # the executable only forwards to the CLI library
    "berth-monitor": {"Supervision"},                     # the monitor executable links the monitor alone
}

# Edges the layers would allow but the design forbids, directly or through any chain of Berth modules.
FORBIDDEN = {
    "Planner": {"Runtime", "Executor", "Networking"},        # plan and --dry-run cannot change anything
}

# Names a Berth module must never take: packages probe for Apple's modules with `#if canImport(NAME)`, and a
# Berth module of that name in the build's module directory makes them import it (a module called `Network`
# broke AsyncHTTPClient's clean build: `canImport(Network)` became true on Linux).
PLATFORM_MODULE_NAMES = {"Network", "System", "Combine", "os", "Security", "CoreFoundation", "Darwin", "ObjectiveC",
                         "Accelerate", "CoreGraphics", "CommonCrypto", "WinSDK", "Android", "Bionic", "Musl", "Glibc"}

# Modules of the toolchain and the platform: never declared in Package.swift.
SYSTEM_MODULES = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Glibc", "Musl",
                  "Darwin", "Synchronization", "_Concurrency", "Observation", "Android"}

# Imports of a module that is not a declared target or product, each with its reason. Keep this empty.
EXCEPTIONS = {
    # Yams' public parser throws at the first duplicate key; Berth reports every one with its location,
    # so it reads libyaml's event stream (the copy Yams vendors) itself. See README, Development.
    ("Manifest", "CYaml"),
}

IMPORT = re.compile(r"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|private|fileprivate)\s+)?"
                    r"import\s+(?:(?:struct|class|enum|protocol|typealias|func|var|let|actor)\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def layer_of():
    ranks = {}
    for rank, layer in enumerate(LAYERS):
        for module in layer:
            ranks[module] = rank
    return ranks


def imports(sources):
    """Module name -> {imported module -> first `file:line`}."""
    found = {}
    for module in sorted(os.listdir(sources)):
        directory = os.path.join(sources, module)
        if not os.path.isdir(directory):
            continue
        seen = found.setdefault(module, {})
        for base, _, files in os.walk(directory):
            for name in sorted(files):
                if not name.endswith(".swift"):
                    continue
                path = os.path.join(base, name)
                with open(path, encoding="utf-8") as handle:
                    for number, line in enumerate(handle, 1):
                        match = IMPORT.match(line)
                        if match:
                            seen.setdefault(match.group(1), f"{path}:{number}")
    return found


def declared(package):
    """Target name -> set of module names it may import (its target and product dependencies)."""
    result = {}
    for target in package["targets"]:
        names = set()
        for dependency in target.get("dependencies", []):
            for kind in ("byName", "target", "product"):
                if kind in dependency:
                    names.add(dependency[kind][0])
        result[target["name"]] = names
    return result


def main(argv):
    if "--package-json" in argv:
        with open(argv[argv.index("--package-json") + 1], encoding="utf-8") as handle:
            package = json.load(handle)
    else:
        output = subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True, text=True).stdout
        package = json.loads(output)
    ranks = layer_of()
    deps = declared(package)
    found = imports("Sources")
    problems = []

    for target in package.get("targets", []):
        if target["name"] in PLATFORM_MODULE_NAMES:
            problems.append(f"target {target['name']}: the name of a platform module other packages probe with canImport; rename it")
    for module in found:
        if module not in ranks:
            problems.append(f"Sources/{module}: module not placed in a layer of Tests/Architecture/check-imports.py")
    for module, imported in found.items():
        for name, where in sorted(imported.items()):
            if name in SYSTEM_MODULES:
                continue
            if name in ranks and module in ranks:
                if ranks[name] >= ranks[module]:
                    problems.append(f"{where}: {module} imports {name}, which is not in a lower layer")
                if module in ONLY and name not in ONLY[module] or name in FORBIDDEN.get(module, set()):
                    problems.append(f"{where}: {module} must not import {name}")
            if name not in deps.get(module, set()) and (module, name) not in EXCEPTIONS:
                problems.append(f"{where}: {module} imports {name}, which is not a declared dependency in Package.swift")

    # Declared dependencies follow the same layers, and forbidden edges hold through chains of them too.
    berth = {name: {d for d in names if d in ranks} for name, names in deps.items() if name in ranks}
    for module, names in sorted(berth.items()):
        for name in sorted(names):
            if ranks[name] >= ranks[module] or (module in ONLY and name not in ONLY[module]):
                problems.append(f"Package.swift: {module} declares {name}, which the layers do not allow")
    for module, targets in FORBIDDEN.items():
        reached, stack = set(), list(berth.get(module, ()))
        while stack:
            current = stack.pop()
            if current in reached:
                continue
            reached.add(current)
            stack.extend(berth.get(current, ()))
        for name in sorted(reached & targets):
            problems.append(f"Package.swift: {module} depends on {name} through its dependencies")

    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(f"check-imports: {len(problems)} problem(s); the rule is in README.md (Development)", file=sys.stderr)
        return 1
    print(f"check-imports: {sum(len(v) for v in found.values())} imports in {len(found)} modules follow the rule")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
