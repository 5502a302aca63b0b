import Foundation
import Testing

/// Secrets and configs with real runc: files readable by the container's user only, values never printed by
/// plan, config or inspect nor kept in the state database; env-file values redacted in plans.
@Suite(.serialized) struct SecretTests {
    static let secretValue = "s3cr3t-value-5150"
    static let apiValue = "api-key-from-env-2112"
    static let envFileValue = "envfile-password-8812"

    @Test func secretsAndConfigsAreMountedReadOnlyAndNeverPrinted() throws {
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let text = """
            version: 1
            name: it-secret
            secrets:
              db_pass:
                file: ./db_pass.txt
              api:
                environment: BERTH_IT_API_KEY
            configs:
              app.conf:
                content: "port = 8080\\n"
            containers:
              job:
                image: berth.local/busybox:demo
                user: "1000:1000"
                net-none: true
                env-files: [./app.env]
                args: ["sh", "-c", "cat /run/secrets/db_pass /run/secrets/api-key /app.conf; stat -c %u:%g:%a /run/secrets/db_pass /run/secrets/api-key /app.conf; echo x > /run/secrets/db_pass || echo read-only"]
                secrets:
                  - db_pass
                  - {source: api, target: api-key, uid: "0", gid: "1000", mode: 0440}
                configs:
                  - app.conf
            """
        let path = try fixture.manifest(text, project: "it-secret")
        let directory = (path as NSString).deletingLastPathComponent
        try Data((Self.secretValue + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/db_pass.txt"))
        try Data("PASSWORD=\(Self.envFileValue)\n".utf8).write(to: URL(fileURLWithPath: directory + "/app.env"))
        let environment = ["BERTH_IT_API_KEY": Self.apiValue]

        let plan = try fixture.run(["plan", "-f", path], environment: environment)
        let config = try fixture.run(["config", "-f", path], environment: environment)
        let apply = try fixture.run(["apply", "-f", path, "--wait"], environment: environment)
        #expect(apply.status == 0, "\(apply.stderrText)")
        #expect(
            apply.stdoutText == "\(Self.secretValue)\n\(Self.apiValue)port = 8080\n1000:1000:400\n0:1000:440\n1000:1000:440\nread-only\n",
            "\(apply.stdoutText)")
        let inspect = try fixture.run(["inspect", "-p", "it-secret", "job"])
        #expect(inspect.status == 0, "\(inspect.stderrText)")
        for (what, output) in [("plan", plan.stdoutText), ("config", config.stdoutText), ("inspect", inspect.stdoutText)] {
            #expect(!output.contains(Self.secretValue) && !output.contains(Self.apiValue), "\(what) printed a secret: \(output)")
        }
        for file in ["state.db", "state.db-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: fixture.root + "/" + file))) ?? Data()
            #expect(bytes.range(of: Data(Self.secretValue.utf8)) == nil && bytes.range(of: Data(Self.apiValue.utf8)) == nil, "\(file) holds a secret")
        }

        // A changed secret replaces the container; a changed env-file value is shown only as a digest.
        try Data("rotated\n".utf8).write(to: URL(fileURLWithPath: directory + "/db_pass.txt"))
        try Data("PASSWORD=changed-\(Self.envFileValue)\n".utf8).write(to: URL(fileURLWithPath: directory + "/app.env"))
        let changed = try fixture.run(["plan", "-f", path], environment: environment)
        #expect(changed.stdoutText.contains("~ job:"), "\(changed.stdoutText)")
        #expect(!changed.stdoutText.contains(Self.envFileValue) && changed.stdoutText.contains("PASSWORD=<sha256:"), "\(changed.stdoutText)")
        let shown = try fixture.run(["plan", "-f", path, "--show-values"], environment: environment)
        #expect(shown.stdoutText.contains("changed-\(Self.envFileValue)"), "\(shown.stdoutText)")

        let missing = try fixture.run(["apply", "-f", path, "--wait"])
        #expect(missing.status != 0 && missing.stderrText.contains("BERTH_IT_API_KEY is not set"), "\(missing.stderrText)")
        #expect(try fixture.run(["down", "-f", path]).status == 0)
    }
}
