#!/usr/bin/env python3
"""The CNI chain alone, as a runtime without Berth would run it: benchmarks/lib/cni-chain.py CONFLIST COUNT ID [PORTS]

Makes COUNT network namespaces with `ip netns add` (not timed), runs the ADD chain of CONFLIST (each plugin from
/usr/lib/cni in order, `prevResult` chained, `runtimeConfig.portMappings` for plugins that declare the capability)
for the COUNT containers at once (one thread each), then the DEL chains (reverse order, the ADD's result as
`prevResult`, as libcni does with its cache) at once; then removes the namespaces, the bridge and the IPAM leases
(not timed). PORTS: "HOST:CONTAINER[,...]" published on the first container. Prints `add_ms del_ms add_cpu del_cpu`:
wall time from the first plugin started to the last one ended, for all ADD chains and for all DEL chains, and the
CPU time the whole machine was busy meanwhile (all cores, /proc/stat), in ms."""
import json
import os
import shutil
import subprocess
import sys
import threading
import time

PLUGINS = os.environ.get("CNI_PLUGIN_DIR", "/usr/lib/cni")


def plugin_config(conflist, index, prev, runtime):
    config = dict(conflist["plugins"][index])
    config["name"] = conflist["name"]
    config["cniVersion"] = conflist["cniVersion"]
    if prev is not None:
        config["prevResult"] = prev
    wanted = {k: v for k, v in runtime.items() if config.get("capabilities", {}).get(k)}
    if wanted:
        config["runtimeConfig"] = wanted
    return config


def run(command, config, container, netns):
    env = dict(os.environ, CNI_COMMAND=command, CNI_CONTAINERID=container, CNI_NETNS=netns, CNI_IFNAME="eth0",
               CNI_PATH=PLUGINS)
    done = subprocess.run([os.path.join(PLUGINS, config["type"])], input=json.dumps(config).encode(), env=env,
                          capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"{config['type']} {command} failed: {done.stdout.decode()} {done.stderr.decode()}")
    return json.loads(done.stdout) if done.stdout.strip() else None


def add(conflist, container, netns, runtime):
    prev = None
    for index in range(len(conflist["plugins"])):
        prev = run("ADD", plugin_config(conflist, index, prev, runtime), container, netns)
    return prev


def delete(conflist, container, netns, runtime, cached):
    for index in reversed(range(len(conflist["plugins"]))):
        run("DEL", plugin_config(conflist, index, cached, runtime), container, netns)


def busy_ms():
    """CPU time the machine has been busy, all cores summed (user, nice, system, irq, softirq, steal), in ms."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]) * 1000 / os.sysconf("SC_CLK_TCK")


def parallel(count, body):
    """Runs body(0..count-1) on a thread each; returns (wall ms, busy CPU ms of the machine meanwhile)."""
    errors = []

    def guarded(i):
        try:
            body(i)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    busy = busy_ms()
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = (time.perf_counter() - start) * 1000
    cpu = busy_ms() - busy
    if errors:
        raise errors[0]
    return elapsed, cpu


def main() -> None:
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        conflist = json.load(f)
    count, ident = int(sys.argv[2]), sys.argv[3]
    ports = []
    if len(sys.argv) == 5 and sys.argv[4]:
        for pair in sys.argv[4].split(","):
            host, container = pair.split(":")
            ports.append({"hostPort": int(host), "containerPort": int(container), "protocol": "tcp", "hostIP": ""})
    names = [f"{ident}-{i}" for i in range(count)]
    runtimes = [{"portMappings": ports} if i == 0 and ports else {} for i in range(count)]
    results = [None] * count
    made = []
    released = False
    try:
        for name in names:
            subprocess.run(["ip", "netns", "add", name], check=True)
            made.append(name)
            subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)

        def add_one(i):
            results[i] = add(conflist, names[i], f"/var/run/netns/{names[i]}", runtimes[i])

        add_ms, add_cpu = parallel(count, add_one)
        released = True
        del_ms, del_cpu = parallel(count, lambda i: delete(conflist, names[i], f"/var/run/netns/{names[i]}", runtimes[i], results[i]))
        print(f"{add_ms:.1f} {del_ms:.1f} {add_cpu:.0f} {del_cpu:.0f}")
    finally:
        if not released:  # a failed ADD: release what the others made (best effort)
            for i, name in enumerate(made):
                try:
                    delete(conflist, name, f"/var/run/netns/{name}", runtimes[i], results[i])
                except Exception:  # noqa: BLE001
                    pass
        for name in made:
            subprocess.run(["ip", "netns", "del", name], check=False)
        bridge = conflist["plugins"][0].get("bridge")
        if bridge:
            subprocess.run(["ip", "link", "del", bridge], check=False, stderr=subprocess.DEVNULL)
        data_dir = conflist["plugins"][0].get("ipam", {}).get("dataDir")
        if data_dir:
            shutil.rmtree(os.path.join(data_dir, conflist["name"]), ignore_errors=True)


if __name__ == "__main__":
    main()
