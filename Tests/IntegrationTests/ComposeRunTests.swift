import Foundation
import Runtime
import Testing

/// A compose file run as it is: web + db + a one-shot client that reaches `web` by name, the host reaching
/// web through its published port, with `apply --wait`; and `berth convert` of it loading back.
@Suite(.serialized) struct ComposeRunTests {
    static let compose = """
        services:
          web:
            image: berth.local/busybox:demo
            command: ["sh", "-c", "mkdir -p /www && echo hello from web > /www/index.html && exec httpd -f -p 80 -h /www"]
            ports: ["127.0.0.1:18481:80"]
            healthcheck:
              test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/index.html"]
              interval: 200ms
            depends_on: [db]
            stop_grace_period: 1s
            logging: {driver: none}
          db:
            image: berth.local/busybox:demo
            command: ["sleep", "300"]
            init: true
            environment: {ROLE: db}
          client:
            image: berth.local/busybox:demo
            command: ["wget", "-q", "-O", "-", "http://web/index.html"]
            depends_on:
              web: {condition: service_healthy}
        """

    @Test func aComposeStackRunsWithApplyWait() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let path = try fixture.manifest(Self.compose, project: "it-compose", file: "compose.yaml")
        let apply = try fixture.run(["apply", "-f", path, "--wait"])
        #expect(apply.status == 0, "\(apply.stderrText)")
        #expect(apply.stdoutText.contains("hello from web"), "\(apply.stdoutText)")
        #expect(apply.stderrText.contains("compose.yaml:11:5: warning: `logging` is not supported by Berth; ignored"), "\(apply.stderrText)")
        let host = try ProcessRunner().run("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:18481/index.html"])
        #expect(host.stdoutText == "hello from web\n", "\(host.stderrText)")

        let converted = try ProcessRunner().run(fixture.berth, ["convert", "-f", path])
        #expect(converted.status == 0 && converted.stdoutText.contains("# dropped: "), "\(converted.stderrText)")
        let berthYAML = (path as NSString).deletingLastPathComponent + "/berth.yaml"
        try Data(converted.stdout).write(to: URL(fileURLWithPath: berthYAML))
        let again = try fixture.run(["plan", "-f", berthYAML, "-p", "it-compose"])
        #expect(again.status == 0, "\(again.stderrText)")
        #expect(
            again.stdoutText.contains("= web: running") && again.stdoutText.contains("= db: running"),
            "the converted manifest differs: \(again.stdoutText)")
        #expect(try fixture.run(["down", "-f", path]).status == 0)
    }
}
