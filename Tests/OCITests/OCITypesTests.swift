import Foundation
import Testing
@testable import OCI

@Suite struct DigestTests {
    static let hex = String(repeating: "ab", count: 32)

    @Test(arguments: [
        "sha256:" + String(repeating: "ab", count: 32),
        "sha512:" + String(repeating: "0f", count: 64),
    ])
    func parsesValidDigests(_ text: String) throws {
        let digest = try Digest(parsing: text)
        #expect(digest.description == text)
    }

    @Test(arguments: [
        "", "sha256", "sha256:", "sha256:" + String(repeating: "AB", count: 32), "md5:" + String(repeating: "a", count: 32),
        "sha256:" + String(repeating: "a", count: 63), "sha256:" + String(repeating: "g", count: 64),
    ])
    func rejectsMalformedDigests(_ text: String) {
        #expect(throws: Digest.ParseError.malformed(text)) { try Digest(parsing: text) }
    }

    @Test func decodingAMalformedDigestIsADecodingError() {
        let json = Data(#"{"mediaType":"x","digest":"sha256:nothex","size":1}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Descriptor.self, from: json) }
    }

    @Test func shortIDIsTwelveHexDigits() throws {
        #expect(try Digest(sha256Hex: Self.hex).shortID == "abababababab")
    }
}

@Suite struct MediaTypeTests {
    @Test(arguments: [
        (MediaType.ociLayer, LayerCompression.uncompressed), (.ociLayerGzip, .gzip), (.ociLayerZstd, .zstd),
        (.ociLayerNondistributableGzip, .gzip), (.dockerLayer, .detect), (.dockerLayerGzip, .gzip),
        (.dockerForeignLayerGzip, .gzip), (.dockerLayerZstd, .zstd),
    ])
    func layerCompression(_ type: MediaType, _ expected: LayerCompression) {
        #expect(type.layerCompression == expected)
    }

    @Test func unknownTypesDecodeAndAreNotLayers() throws {
        let type = try JSONDecoder().decode(MediaType.self, from: Data(#""application/vnd.example+json""#.utf8))
        #expect(type.rawValue == "application/vnd.example+json")
        #expect(type.layerCompression == nil)
        #expect(MediaType("application/vnd.oci.image.layer.v1.tar+encrypted").layerCompression == nil)
    }
}

@Suite struct PlatformTests {
    @Test func parsesOSArchVariant() {
        #expect(Platform(parsing: "linux/arm64/v8") == Platform(architecture: "arm64", os: "linux", variant: "v8"))
        #expect(Platform(parsing: "linux/amd64")?.description == "linux/amd64")
        #expect(Platform(parsing: "linux") == nil)
        #expect(Platform(parsing: "linux//") == nil)
    }

    @Test func variantsOnlyExcludeWhenBothSidesNameOne() {
        let armV7 = Platform(architecture: "arm", os: "linux", variant: "v7")
        #expect(armV7.matches(Platform(architecture: "arm", os: "linux")))
        #expect(!armV7.matches(Platform(architecture: "arm", os: "linux", variant: "v6")))
        #expect(!armV7.matches(Platform(architecture: "amd64", os: "linux")))
    }

    @Test func hostIsLinux() {
        #expect(Platform.host.os == "linux")
    }
}

@Suite struct ImageDocumentTests {
    @Test func imageConfigDecodesTheSpecsKeys() throws {
        let json = """
            {"architecture":"amd64","os":"linux","config":{"User":"app","Env":["PATH=/bin"],"Entrypoint":["/e"],
             "Cmd":["c"],"WorkingDir":"/w","Labels":{"a":"b"},"StopSignal":"SIGINT","ExposedPorts":{"80/tcp":{}}},
             "rootfs":{"type":"layers","diff_ids":["sha256:\(String(repeating: "1", count: 64))"]},
             "history":[{"created_by":"x","empty_layer":true}]}
            """
        let config = try JSONDecoder().decode(ImageConfiguration.self, from: Data(json.utf8))
        #expect(config.config?.user == "app")
        #expect(config.config?.entrypoint == ["/e"])
        #expect(config.config?.stopSignal == "SIGINT")
        #expect(config.rootfs.diffIDs.count == 1)
        #expect(config.history?.first?.emptyLayer == true)
        #expect(config.platform == Platform(architecture: "amd64", os: "linux"))
    }

    @Test func canonicalJSONSortsKeysAndIsStable() throws {
        let descriptor = Descriptor(
            mediaType: .ociManifest, digest: try Digest(sha256Hex: String(repeating: "c", count: 64)),
            size: 7, annotations: ["z": "1", "a": "2", "org.opencontainers.image.ref.name": "x/y:1"])
        let data = try CanonicalJSON.encode(descriptor)
        let text = String(decoding: data, as: UTF8.self)
        #expect(
            text
                == #"{"annotations":{"a":"2","org.opencontainers.image.ref.name":"x/y:1","z":"1"},"digest":"sha256:\#(String(repeating: "c", count: 64))","mediaType":"application/vnd.oci.image.manifest.v1+json","size":7}"#
        )
        #expect(try CanonicalJSON.encode(descriptor) == data)
        #expect(try CanonicalJSON.encodePretty(descriptor).last == 0x0A)
    }

    @Test func indexRoundTrips() throws {
        let index = ImageIndex(manifests: [
            Descriptor(
                mediaType: .ociManifest, digest: try Digest(sha256Hex: String(repeating: "d", count: 64)),
                size: 1, platform: Platform(architecture: "arm64", os: "linux", variant: "v8"))
        ])
        let decoded = try JSONDecoder().decode(ImageIndex.self, from: try CanonicalJSON.encode(index))
        #expect(decoded == index)
    }
}

@Suite struct RuntimeSpecTests {
    @Test func unknownNamespaceTypesDecode() throws {
        let json = Data(#"{"namespaces":[{"type":"time"},{"type":"future","path":"/x"}]}"#.utf8)
        let linux = try JSONDecoder().decode(OCILinux.self, from: json)
        #expect(linux.namespaces?.map(\.type) == [.time, NamespaceType(rawValue: "future")])
    }

    @Test func procFileNames() {
        #expect(NamespaceType.network.procFileName == "net")
        #expect(NamespaceType.mount.procFileName == "mnt")
        #expect(NamespaceType.ipc.procFileName == "ipc")
    }

    @Test func nilFieldsAreLeftOut() throws {
        let spec = RuntimeSpec(process: OCIProcess(args: ["true"]), root: OCIRoot(path: "rootfs"))
        let text = String(decoding: try CanonicalJSON.encode(spec), as: UTF8.self)
        #expect(
            text
                == #"{"ociVersion":"1.2.0","process":{"args":["true"],"cwd":"\/","user":{"gid":0,"uid":0}},"root":{"path":"rootfs"}}"#
                .replacingOccurrences(of: "\\/", with: "/"))
    }

    @Test func arbitraryJSONRoundTrips() throws {
        let json = Data(#"{"a":[1,2.5,true,null,"s"],"b":{"c":{}}}"#.utf8)
        let value = try JSONDecoder().decode(JSONValue.self, from: json)
        #expect(String(decoding: try CanonicalJSON.encode(value), as: UTF8.self) == #"{"a":[1,2.5,true,null,"s"],"b":{"c":{}}}"#)
    }

    /// Arrays of strings take the encoder's [String] path; arrays that only start with strings, empty and
    /// nested ones, and escapes come out as before.
    @Test func stringArraysEncodeAsEveryOtherArray() throws {
        let json = Data(#"{"e":[],"m":["a",1,"b"],"n":[["x"],[]],"s":["read","wr\"ite","\u00e9"]}"#.utf8)
        let value = try JSONDecoder().decode(JSONValue.self, from: json)
        #expect(
            String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
                == #"{"e":[],"m":["a",1,"b"],"n":[["x"],[]],"s":["read","wr\"ite","é"]}"#)
    }
}
