import Diagnostics
import Foundation
import Manifest

/// Manifest text → `ManifestLoader.load(text:…)` (YAML reader, decoder, validator).
/// Invariants: the loader returns a manifest or throws `DiagnosticsError` (never traps, never another error);
/// a refusal carries at least one error and every diagnostic points into this file (line 1…lines+1, column ≥ 1);
/// a loaded manifest renders to YAML that loads again and renders to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    guard let manifest = load(text) else { return 0 }
    for warning in manifest.warnings { checkLocation(warning, in: text) }
    // Rendering reads env-files; none exist in the fuzz directory, so such manifests stop here.
    guard let rendered = try? ManifestRenderer.render(manifest, format: .yaml) else { return 0 }
    guard let reloaded = load(rendered) else {
        fail("the rendered manifest does not load again", text, detail: rendered)
    }
    let again = (try? ManifestRenderer.render(reloaded, format: .yaml)) ?? "(render failed)"
    if again != rendered {
        fail("rendering is not stable", text, detail: rendered + "\n---\n" + again)
    }
    return 0
}

private let path = "berth.yaml"
private let directory = "/nonexistent/berth-fuzz/project"
private let environment = ["HOME": "/root", "TAG": "1.0", "EMPTY": "", "PORT": "8080"]

/// The manifest, or nil after checking the refusal's diagnostics.
private func load(_ text: String) -> ProjectManifest? {
    do {
        return try ManifestLoader.load(text: text, path: path, directory: directory, environment: environment)
    } catch let error as DiagnosticsError {
        if !error.diagnostics.hasErrors { fail("refused without an error diagnostic", text, detail: error.message) }
        for diagnostic in error.diagnostics { checkLocation(diagnostic, in: text) }
        return nil
    } catch {
        fail("threw \(type(of: error)) instead of DiagnosticsError", text, detail: "\(error)")
    }
}

private func checkLocation(_ diagnostic: Diagnostic, in text: String) {
    guard let location = diagnostic.location else { fail("diagnostic without a location", text, detail: "\(diagnostic)") }
    let lines = yamlLineCount(text)
    guard location.file == path, location.line >= 1, location.line <= lines + 1, location.column >= 1 else {
        fail("diagnostic location outside the file (\(lines) lines)", text, detail: "\(diagnostic)")
    }
}

/// Lines as YAML counts them (libyaml's marks): CR LF, CR, LF, NEL, LS and PS each end one.
private func yamlLineCount(_ text: String) -> Int {
    var lines = 1
    var previous: Unicode.Scalar?
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": if previous != "\r" { lines += 1 }
        case "\r", "\u{85}", "\u{2028}", "\u{2029}": lines += 1
        default: break
        }
        previous = scalar
    }
    return lines
}

private func fail(_ what: String, _ input: String, detail: String) -> Never {
    FileHandle.standardError.write(Data("FuzzManifest invariant violated: \(what)\n\(detail)\n--- input ---\n\(input)\n".utf8))
    abort()
}
