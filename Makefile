# Berth: set-up, demo and tests on Debian 12, as root. `make demo` and `make test` install what is missing.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

# Every system package the project needs; installed with apt-get when missing.
#   runc                 the OCI runtime Berth drives
#   libarchive-dev       layer tars (CArchive system library, pkg-config libarchive)
#   libisal-dev          gzip layers inflated by Intel ISA-L (CISAL system library, pkg-config libisal); without
#                        it Berth still builds and inflates with zlib (`berth --version` says which)
#   isal                 igzip, the ISA-L inflate floor printed by benchmarks/unpack.sh
#   pkg-config           finds libarchive for SwiftPM
#   libsqlite3-dev       SQLite for GRDB (state database)
#   busybox-static       the demo and test image
#   iproute2 util-linux  `ip netns` and `unshare` for namespace tests
#   skopeo umoci         read Berth's OCI store in tests (other tools must read it)
#   python3-jsonschema python3-yaml   check the JSON Schema against fixtures in tests
#   criu                 checkpoint/restore (tests skip with a reason where CRIU cannot work)
#   zstd                 zstd layers in tests
#   python3-venv         venv for kubernetes-validate (Kubernetes export tests)
#   containerd           a checkpoint made by `ctr` is restored by Berth in tests (private socket)
#   docker-registry      a real registry on loopback for pull tests
#   containernetworking-plugins iptables   the CNI bridge, host-local, portmap and firewall plugins (networks)
#   apache2-utils openssl curl   htpasswd, self-signed certificates, registry readiness in tests
#   tini                 `init: true` (its static build, /usr/bin/tini-static, runs as the container's PID 1)
#   buildah              builds the images of `build:` (daemonless, vfs storage under the state root)
#   systemd              systemd-analyze verifies the units `berth export systemd` writes (tests)
PACKAGES := runc libarchive-dev libisal-dev isal pkg-config libsqlite3-dev busybox-static iproute2 util-linux skopeo umoci \
            python3-jsonschema python3-yaml criu zstd python3-venv docker-registry apache2-utils openssl curl \
            containerd containernetworking-plugins iptables tini systemd buildah

BERTH_ROOT ?= /var/lib/berth
# kubernetes-validate (PyPI; carries the official Kubernetes schemas) checks exported YAML in tests.
BERTH_VENV ?= /opt/berth-venv
export BERTH_VENV
KUBERNETES_VALIDATE := kubernetes-validate==1.37.0
DEMO_IMAGE := berth.local/busybox:demo
BUILD_DIR := .build/debug

.PHONY: all deps venv build release demo demo-image test format format-check fuzz clean

all: build

deps:
	@missing=""; for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v swift >/dev/null || { echo "swift not found: install the Swift 6.1+ toolchain (/opt/swift)"; exit 1; }

venv: deps
	@test -x $(BERTH_VENV)/bin/kubernetes-validate || { \
	    python3 -m venv $(BERTH_VENV) && \
	    $(BERTH_VENV)/bin/pip install --quiet $(KUBERNETES_VALIDATE); }

build: deps
	swift build

# The build Berth is meant to be installed from (the benchmarks use it): optimized and with the Swift runtime linked
# statically, and
# - concrete type metadata reached through direct accessors rather than mangled names, so that the runtime does not
#   demangle types and scan the binary's ~11,000 protocol-conformance records to instantiate them at run time
#   (`apply` of one container: 4-5 ms less CPU, `plan` 2 ms). Given here rather than in Package.swift so that it
#   reaches the dependencies' code too (GRDB, Yams, ArgumentParser).
# - position-dependent executables, as Debian builds runc, containerd and podman: a position-independent one has
#   every absolute pointer in its ~40 MB of Swift data relocated at start (135,000 relocations, each touched page
#   copied into the process): 1.4 of `berth --version`'s 3.3 ms of CPU. Only with the static runtime: linked to the
#   shared Swift libraries, the dynamic loader warns about their protected symbols on every run.
# - SQLite and the C++ runtime linked from their static archives (Sources/berth/static-ld.sh says why and how).
RELEASE_FLAGS := -c release --static-swift-stdlib --scratch-path .build-release \
                 -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
                 -Xswiftc -Xclang-linker -Xswiftc -no-pie \
                 -Xswiftc -Xclang-linker -Xswiftc --ld-path=$(CURDIR)/Sources/berth/static-ld.sh
release: deps
	for product in berth berth-monitor; do swift build $(RELEASE_FLAGS) --product $$product || exit 1; done

# The demo image, built reproducibly from busybox-static: same busybox, same digests.
demo-image: build
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	examples/images/busybox-rootfs.sh "$$tmp/rootfs" && \
	$(BUILD_DIR)/berth image import --state-root $(BERTH_ROOT) --rootfs "$$tmp/rootfs" --tag $(DEMO_IMAGE)

demo: demo-image
	$(BUILD_DIR)/berth plan --state-root $(BERTH_ROOT) -f examples/hello/berth.yaml
	$(BUILD_DIR)/berth apply --state-root $(BERTH_ROOT) -f examples/hello/berth.yaml --wait --force-recreate

# The code style is the toolchain's `swift format` with .swift-format; `make format` applies it.
format:
	swift format -i -r -p Sources Tests Package.swift

format-check:
	@swift format lint --strict -r -p Sources Tests Package.swift || { echo "unformatted code: run make format"; exit 1; }

test: deps venv format-check
	python3 Tests/Architecture/check-imports.py
	swift test

# libFuzzer targets with AddressSanitizer (Tests/Fuzz), FUZZ_SECONDS each from Tests/Fuzz/corpus; not part of `test`.
# FUZZ_TARGETS picks some (e.g. FUZZ_TARGETS=FuzzTarNames); crash files and logs go to .build-fuzz/findings.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) Tests/Fuzz/run-fuzzers.sh $(FUZZ_TARGETS)

clean:
	rm -rf .build
