import Foundation

/// A small registry serving one image from an OCI layout, for faults docker-registry cannot be made to produce:
/// it cuts the connection halfway through the first download of one blob, and honours (or ignores) `Range`.
/// Every request is logged as `<path> <Range header or ->`.
final class RangeServer {
    let log: String
    private let server: LoopbackScript
    var port: Int { server.port }
    var address: String { "127.0.0.1:\(port)" }

    /// Serves `layout`'s blobs under any repository, tag `tag` naming `manifest` (of `mediaType`).
    init(
        directory: String, layout: String, tag: String, manifest: String, mediaType: String,
        cutting: String?, honourRange: Bool
    ) throws {
        log = directory + "/range-server.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        server = try LoopbackScript(
            Self.script, at: directory + "/range-server.py",
            arguments: [
                layout, tag, manifest, mediaType, cutting ?? "-",
                honourRange ? "honour" : "ignore", log,
            ],
            name: "range server")
    }

    /// The Range header of each request for `path` suffix, in order ("-" when absent).
    func ranges(for suffix: String) -> [String] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard fields.count == 2, fields[0].hasSuffix(suffix) else { return nil }
            return fields[1]
        }
    }

    func stop() { server.stop() }

    static let script = #"""
        import http.server, os, socket, sys, time
        port, layout, tag, manifest, media, cutting, mode, log = sys.argv[1:9]
        cut = set()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, headers, body):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                with open(log, "a") as f:
                    f.write(f"{self.path} {self.headers.get('Range', '-')}\n")
                if self.path == "/v2/":
                    return self.reply(200, [], b"")
                parts = self.path.split("/")
                kind, ref = parts[-2], parts[-1]
                digest = manifest if kind == "manifests" and ref == tag else ref
                path = os.path.join(layout, "blobs", *digest.split(":", 1))
                if not digest.startswith("sha256:") or not os.path.exists(path):
                    return self.reply(404, [], b"")
                data = open(path, "rb").read()
                headers = [("Docker-Content-Digest", digest)]
                if kind == "manifests":
                    return self.reply(200, headers + [("Content-Type", media)], data)
                if digest == cutting and digest not in cut:
                    cut.add(digest)
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    time.sleep(0.3)
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                wanted = self.headers.get("Range")
                if mode == "honour" and wanted and wanted.startswith("bytes=") and wanted.endswith("-"):
                    start = int(wanted[6:-1])
                    if start >= len(data):
                        return self.reply(416, [("Content-Range", f"bytes */{len(data)}")], b"")
                    headers.append(("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}"))
                    return self.reply(206, headers, data[start:])
                self.reply(200, headers, data)

        http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
        """#
}
