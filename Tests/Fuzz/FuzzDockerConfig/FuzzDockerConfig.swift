import Foundation
@testable import Registry

/// A docker `config.json` → `CredentialStore.lookup` for a few registries, through one file per process under
/// /dev/shm; credential helpers are searched in an empty directory, so none ever runs.
/// Invariants: lookup returns credentials or throws a usage `RegistryError` (`credentials-invalid`, or
/// `credential-helper-missing` exactly when the file names a helper), never traps; credentials read from `auths`
/// survive `save` to Berth's auth.json and a lookup from there unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDockerConfig(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(UnsafeBufferPointer(start: start, count: count))
    guard FileManager.default.createFile(atPath: configPath, contents: data) else { setupFailed(configPath) }
    let file = try? JSONDecoder().decode(AuthFile.self, from: data)
    for registry in registries {
        let credentials: RegistryCredentials?
        do {
            credentials = try CredentialStore.lookup(registry: registry, options: makeOptions(stateRoot: nil))
        } catch let error as RegistryError where error.category == .usage {
            let helper = file.flatMap { CredentialStore.helperName($0, registry: registry) }
            let expected = helper != nil ? "credential-helper-missing" : "credentials-invalid"
            if error.code != expected { fail("\(registry): \(error.code), expected \(expected): \(error)", data) }
            continue
        } catch {
            fail("\(registry): threw \(error)", data)
        }
        if let file, CredentialStore.helperName(file, registry: registry) != nil {
            fail("\(registry): credentials without running the helper the file names", data)
        }
        guard let credentials else { continue }
        unlink(stateRoot + "/auth.json")
        do {
            try CredentialStore.save(credentials, registry: registry, stateRoot: stateRoot)
            let saved = try CredentialStore.lookup(registry: registry, options: makeOptions(stateRoot: stateRoot))
            if saved != credentials { fail("\(registry): \(credentials) saved and read back as \(String(describing: saved))", data) }
        } catch {
            fail("\(registry): \(credentials) cannot be saved and read back: \(error)", data)
        }
    }
    return 0
}

private let registries = ["docker.io", "registry.example:5000", "localhost"]
private let scratch: String = {
    let dir = scratchDirectory()
    for sub in ["", "/helpers", "/state"] {
        guard mkdir(dir + sub, 0o700) == 0 || errno == EEXIST else { setupFailed(dir + sub) }
    }
    atexit { try? FileManager.default.removeItem(atPath: scratchDirectory()) }
    return dir
}()
private func scratchDirectory() -> String { "/dev/shm/berth-fuzz-dockerconfig-\(getpid())" }
private let configPath = scratch + "/config.json"
private let stateRoot = scratch + "/state"

private func makeOptions(stateRoot: String?) -> RegistryOptions {
    var options = RegistryOptions(stateRoot: stateRoot, dockerConfigPath: stateRoot == nil ? configPath : nil)
    options.credentialHelperSearchPath = scratch + "/helpers"
    return options
}

private func setupFailed(_ path: String) -> Never {
    FileHandle.standardError.write(Data("FuzzDockerConfig: cannot prepare \(path)\n".utf8))
    exit(2)
}

private func fail(_ what: String, _ input: Data) -> Never {
    FileHandle.standardError.write(Data("FuzzDockerConfig invariant violated: \(what)\n".utf8))
    abort()
}
