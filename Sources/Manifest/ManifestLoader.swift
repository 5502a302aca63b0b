import Diagnostics
import Foundation

/// Reads berth.yaml: YAML with locations → raw description → validated `ProjectManifest`.
public enum ManifestLoader {
    /// Loads the manifest at `path` (relative paths resolve against the current directory).
    /// Throws `ManifestFileError` (usage) when the file cannot be read, `DiagnosticsError` (manifest) when it is invalid.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ProjectManifest {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ManifestFileError(path: path, underlying: error)
        }
        let absolute = ValueRules.absolute(path, in: FileManager.default.currentDirectoryPath)
        let directory = (absolute as NSString).deletingLastPathComponent
        return try load(text: text, path: path, directory: directory, environment: environment)
    }

    /// Several compose files merged in order (`-f base.yaml -f override.yaml`): the first names the project
    /// directory; diagnostics name the file each value came from.
    public static func load(paths: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ProjectManifest {
        guard paths.count > 1, let first = paths.first else { return try load(path: paths.first ?? "berth.yaml", environment: environment) }
        var overrides: [YAMLNode] = []
        for path in paths.dropFirst() {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ManifestFileError(path: path, underlying: error)
            }
            switch YAMLReader.parse(text, file: path) {
            case .failure(let error): throw DiagnosticsError(error.diagnostics, category: .manifest)
            case .success(nil): continue
            case .success(let node?): overrides.append(node.from(file: path))
            }
        }
        let text: String
        do {
            text = try String(contentsOfFile: first, encoding: .utf8)
        } catch {
            throw ManifestFileError(path: first, underlying: error)
        }
        let absolute = ValueRules.absolute(first, in: FileManager.default.currentDirectoryPath)
        return try load(
            text: text, path: first, directory: (absolute as NSString).deletingLastPathComponent, environment: environment, readDotEnv: true,
            overrides: overrides)
    }

    /// The manifest a command reads when none is named: `berth.yaml` in `directory`, else the first compose
    /// file there in compose's order, else `berth.yaml`.
    public static func defaultFile(in directory: String) -> String {
        let names = ["berth.yaml"] + ComposeTranslator.defaultFileNames
        return names.first { FileManager.default.fileExists(atPath: directory + "/" + $0) } ?? "berth.yaml"
    }

    /// Loads manifest `text`; `path` names it in diagnostics, `directory` anchors relative paths and the `.env` file.
    public static func load(text: String, path: String, directory: String, environment: [String: String]) throws -> ProjectManifest {
        try load(text: text, path: path, directory: directory, environment: environment, readDotEnv: true)
    }

    static func load(
        text: String, path: String, directory: String, environment: [String: String],
        readDotEnv: Bool, overrides: [YAMLNode] = []
    ) throws -> ProjectManifest {
        var diagnostics: [Diagnostic] = []
        var variables: [String: String] = [:]
        let dotenv = directory.hasSuffix("/") ? directory + ".env" : directory + "/.env"
        if readDotEnv, FileManager.default.fileExists(atPath: dotenv) {
            do {
                for entry in try EnvFile.entries(try EnvFile.read(dotenv), file: dotenv, dotenv: true) {
                    variables[entry.key] = entry.value
                }
            } catch let error as DiagnosticsError {
                diagnostics += error.diagnostics
            }
        }
        variables.merge(environment) { _, fromEnvironment in fromEnvironment }

        var root: YAMLNode
        switch YAMLReader.parse(text, file: path) {
        case .failure(let error):
            throw DiagnosticsError(diagnostics + error.diagnostics, category: .manifest)
        case .success(nil):
            throw DiagnosticsError(diagnostics + [ManifestDiagnostics.emptyManifest(at: SourceLocation(file: path, line: 1, column: 1))])
        case .success(let node?):
            root = node
        }
        var optionalEnvFiles: Set<String> = []
        for override in overrides { root = ComposeMerge.merge(root, override) }
        if ComposeTranslator.isCompose(root, path: path) || !overrides.isEmpty {
            var extends = ComposeExtends(path: path, directory: directory)
            root = extends.resolve(root)
            diagnostics += extends.diagnostics
            let profiles = Set((variables["COMPOSE_PROFILES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            var translator = ComposeTranslator(file: path, profiles: profiles)
            root = translator.translate(root)
            diagnostics += translator.diagnostics
            optionalEnvFiles = Set(translator.optionalEnvFiles.compactMap(ComposeTranslator.text).map { ValueRules.absolute($0, in: directory) })
        }
        var decoder = ManifestDecoder(file: path, variables: variables)
        let description = decoder.decode(root)
        diagnostics += decoder.diagnostics
        var validator = ManifestValidator(path: path, directory: ValueRules.clean(directory), home: variables["HOME"])
        guard let description else { throw DiagnosticsError(unique(diagnostics), category: .manifest) }
        let manifest = validator.validate(description)
        diagnostics += validator.diagnostics
        if diagnostics.hasErrors { throw DiagnosticsError(unique(diagnostics), category: .manifest) }
        var loaded = manifest
        // Compose's `env_file: {path, required: false}`: a missing optional file is left out.
        for index in loaded.containers.indices {
            loaded.containers[index].envFiles.removeAll { optionalEnvFiles.contains($0) && !FileManager.default.fileExists(atPath: $0) }
        }
        loaded.warnings = unique(diagnostics.filter { $0.severity == .warning })
        return loaded
    }

    /// Drops repeats (a node reached through several aliases is checked once per use).
    private static func unique(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen: Set<Diagnostic> = []
        return diagnostics.filter { seen.insert($0).inserted }
    }
}
