import Foundation
import Testing
@testable import Runtime

@Suite struct CgroupTests {
    /// This host's layout (Debian 12 in a VM with a hybrid hierarchy): v1 controllers, cgroup2 at `unified`.
    static let hybridMountinfo = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        50 23 0:40 / /tmp rw - tmpfs tmpfs rw
        """
    static let hybridMembership = """
        9:name=systemd:/berth/abc/p/web
        8:pids:/berth/abc/p/web
        4:memory:/berth/abc/p/web
        2:cpu,cpuacct:/berth/abc/p/web
        0::/
        """

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var mountinfo: String
        var membership: String
        var expected: Cgroup?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "hybrid: the v1 controllers, the empty 0:: line ignored", mountinfo: hybridMountinfo, membership: hybridMembership,
            expected: Cgroup(controllers: [
                "name=systemd": "/sys/fs/cgroup/systemd/berth/abc/p/web", "pids": "/sys/fs/cgroup/pids/berth/abc/p/web",
                "memory": "/sys/fs/cgroup/memory/berth/abc/p/web", "cpu": "/sys/fs/cgroup/cpu,cpuacct/berth/abc/p/web",
                "cpuacct": "/sys/fs/cgroup/cpu,cpuacct/berth/abc/p/web",
            ])),
        Case(
            name: "v2: the unified directory",
            mountinfo: "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
            membership: "0::/berth/abc/p/web\n", expected: Cgroup(unified: "/sys/fs/cgroup/berth/abc/p/web")),
        Case(
            name: "v2 mounted from a namespace root: the path made relative to it",
            mountinfo: "30 23 0:26 /outer /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
            membership: "0::/outer/berth/p/web\n", expected: Cgroup(unified: "/sys/fs/cgroup/berth/p/web")),
        Case(
            name: "a path outside the mount's root is not followed", mountinfo: "30 23 0:26 /outer /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
            membership: "0::/elsewhere/web\n", expected: nil),
        Case(
            name: "a path with .. is refused", mountinfo: "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
            membership: "0::/berth/../../etc\n", expected: nil),
        Case(name: "no cgroup mounts", mountinfo: "50 23 0:40 / /tmp rw - tmpfs tmpfs rw\n", membership: "0::/x\n", expected: nil),
    ]

    @Test(arguments: cases)
    func resolvesTheDirectories(_ c: Case) {
        #expect(Cgroup.resolve(membership: c.membership, mounts: Cgroup.mounts(mountinfo: c.mountinfo)) == c.expected)
    }

    /// Empty cgroups go from every hierarchy; one with a child stays; a hostile path touches nothing. The
    /// hierarchies here are plain directories named by a made-up mountinfo (rmdir behaves the same).
    @Test func emptyProjectCgroupsAreRemovedAndNothingElse() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cgroups-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let mountinfo = """
            35 31 0:32 / \(base)/memory rw,relatime - cgroup cgroup rw,memory
            39 31 0:36 / \(base)/pids rw,relatime - cgroup cgroup rw,pids
            41 31 0:38 / \(base)/unified rw,relatime - cgroup2 cgroup2 rw
            """
        for hierarchy in ["memory", "pids", "unified"] {
            try FileManager.default.createDirectory(atPath: "\(base)/\(hierarchy)/berth/abc/proj", withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(atPath: "\(base)/pids/berth/abc/proj/web", withIntermediateDirectories: true)

        for hostile in ["", "/", "berth/abc/proj", "/berth/../berth/abc/proj", "/berth/abc/proj/..", "/berth//abc", "/berth/./abc"] {
            #expect(Cgroup.removeEmpty(hostile, mountinfo: mountinfo) == [], "\(hostile)")
        }
        let removed = Cgroup.removeEmpty("/berth/abc/proj", mountinfo: mountinfo)
        #expect(removed == ["\(base)/memory/berth/abc/proj", "\(base)/unified/berth/abc/proj"])
        #expect(FileManager.default.fileExists(atPath: "\(base)/pids/berth/abc/proj/web"))
        #expect(FileManager.default.fileExists(atPath: "\(base)/memory/berth/abc"))
    }

    @Test func mountPointsAreUnescaped() {
        let mounts = Cgroup.mounts(mountinfo: "30 23 0:26 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n")
        #expect(mounts.map(\.mountPoint) == ["/sys/fs/my cgroup"])
    }

    @Test func v1SampleReadsTheControllersFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-cg-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sub in ["memory", "cpuacct", "pids"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        func write(_ path: String, _ text: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + path)) }
        try write("memory/memory.usage_in_bytes", "10485760\n")
        try write("memory/memory.stat", "cache 100\ntotal_inactive_file 2097152\n")
        try write("memory/memory.limit_in_bytes", "9223372036854771712\n")
        try write("cpuacct/cpuacct.usage", "123456789\n")
        try write("pids/pids.current", "3\n")
        try write("pids/cgroup.procs", "12\n7\n")
        let cgroup = Cgroup(controllers: ["memory": dir + "/memory", "cpuacct": dir + "/cpuacct", "pids": dir + "/pids"])
        #expect(
            cgroup.sample() == Cgroup.Sample(cpuNanoseconds: 123_456_789, memoryBytes: 8_388_608, memoryLimit: nil, pids: 3))
        #expect(cgroup.processes() == [7, 12])
        try write("memory/memory.limit_in_bytes", "67108864\n")
        #expect(cgroup.sample().memoryLimit == 67_108_864)
    }

    @Test func v2SampleReadsTheUnifiedFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-cg-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func write(_ path: String, _ text: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + path)) }
        try write("cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n")
        try write("memory.current", "4096000\n")
        try write("memory.stat", "anon 1000\ninactive_file 96000\n")
        try write("memory.max", "max\n")
        try write("pids.current", "5\n")
        #expect(Cgroup(unified: dir).sample() == Cgroup.Sample(cpuNanoseconds: 2_500_000, memoryBytes: 4_000_000, memoryLimit: nil, pids: 5))
    }
}

@Suite struct ProcessEntryTests {
    @Test func parsesStatStatusAndCmdline() {
        // A command name with a space and a parenthesis: the fields are read after the last `)`.
        let stat = "4242 (my) proc) S 4200 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 12345 1000 100 0 0"
        let status = "Name:\tmy) proc\nUid:\t1000\t1001\t1001\t1001\nGid:\t0\t0\t0\t0\n"
        let entry = ProcessEntry.parse(pid: 4242, stat: stat, status: status, cmdline: Data("sleep\u{0}300\u{0}".utf8))
        #expect(entry == ProcessEntry(pid: 4242, ppid: 4200, uid: 1001, cpuTicks: 300, command: "sleep 300"))
    }

    @Test func aProcessWithoutCommandLineShowsItsName() {
        let stat = "2 (kthreadd) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0"
        #expect(ProcessEntry.parse(pid: 2, stat: stat, status: "Uid:\t0\t0\t0\t0\n", cmdline: Data())?.command == "[kthreadd]")
    }

    @Test func garbageIsNil() {
        #expect(ProcessEntry.parse(pid: 1, stat: "1 (x) S 0", status: "", cmdline: Data()) == nil)
        #expect(ProcessEntry.parse(pid: 1, stat: "no parenthesis", status: "", cmdline: Data()) == nil)
    }

    @Test func cpuTimeIsFormattedAsPs() {
        #expect(ProcessEntry.cpuTime(ticks: 0, ticksPerSecond: 100) == "00:00:00")
        #expect(ProcessEntry.cpuTime(ticks: 366_100, ticksPerSecond: 100) == "01:01:01")
        #expect(ProcessEntry.cpuTime(ticks: 9_000_000, ticksPerSecond: 100) == "1-01:00:00")
    }
}
