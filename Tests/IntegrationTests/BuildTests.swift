import Foundation
import Runtime
import Testing

/// `build:` with buildah: a two-stage Dockerfile with an ARG, based on an image in Berth's store, runs and
/// prints the argument; an unchanged context is not built again, a changed file is.
@Suite(.serialized) struct BuildTests {
    @Test func aBuiltImageRunsAndIsRebuiltOnlyWhenItsInputsChange() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/buildah") else {
            print("skipped: buildah is not installed (Debian package buildah; `make test` installs it)")
            return
        }
        let fixture = try BerthFixture()
        try fixture.importBusybox()
        let compose = """
            services:
              app:
                build:
                  context: ./app
                  args:
                    GREETING: hello from the build
                command: ["cat", "/greeting", "/message.txt"]
            """
        let path = try fixture.manifest(compose, project: "it-build", file: "compose.yaml")
        let app = (path as NSString).deletingLastPathComponent + "/app"
        try FileManager.default.createDirectory(atPath: app, withIntermediateDirectories: true)
        try Data(
            """
            FROM berth.local/busybox:demo AS base
            ARG GREETING=unset
            RUN echo "$GREETING" > /greeting
            FROM base
            COPY message.txt /message.txt
            """.utf8
        ).write(to: URL(fileURLWithPath: app + "/Dockerfile"))
        try Data("first\n".utf8).write(to: URL(fileURLWithPath: app + "/message.txt"))

        let before = try fixture.run(["plan", "-f", path])
        #expect(before.status == 0, "\(before.stderrText)")
        #expect(
            before.stdoutText.contains("~ build app: never built") && before.stdoutText.contains("image berth.local/it-build-app:latest to be built"),
            "\(before.stdoutText)")
        let first = try fixture.run(["apply", "-f", path, "--wait"])
        #expect(first.status == 0, "\(first.stderrText)")
        #expect(first.stdoutText == "hello from the build\nfirst\n", "\(first.stdoutText)")
        #expect(first.stderrText.contains("build app: built sha256:"), "\(first.stderrText)")

        let again = try fixture.run(["apply", "-f", path, "--wait"])
        #expect(again.stderrText.contains("build app: up to date"), "\(again.stderrText)")

        #expect(try fixture.run(["plan", "-f", path]).stdoutText.contains("= build app: up to date"))
        try Data("second\n".utf8).write(to: URL(fileURLWithPath: app + "/message.txt"))
        #expect(try fixture.run(["plan", "-f", path]).stdoutText.contains("~ build app: context changed (message.txt)"))
        let changed = try fixture.run(["apply", "-f", path, "--wait"])
        #expect(changed.stderrText.contains("building app (context changed (message.txt))"), "\(changed.stderrText)")
        #expect(changed.stdoutText == "hello from the build\nsecond\n", "\(changed.stdoutText)")
        #expect(try fixture.run(["down", "-f", path]).status == 0)
    }
}
