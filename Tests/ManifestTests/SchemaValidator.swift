import Foundation
import Testing

/// Validates YAML files against schemas/berth.schema.json with /usr/bin/python3 (python3-jsonschema, python3-yaml).
enum SchemaValidator {
    static let python = "/usr/bin/python3"
    static var schemaPath: String { Support.packageRoot.appendingPathComponent("schemas/berth.schema.json").path }

    private static let script = """
        import json, sys
        try:
            import jsonschema, yaml
        except ImportError as e:
            print("MISSING: " + str(e) + " (apt-get install python3-jsonschema python3-yaml)", file=sys.stderr)
            sys.exit(3)
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        result = {}
        for path in sys.argv[2:]:
            try:
                doc = yaml.safe_load(open(path))
                result[path] = [e.message for e in validator.iter_errors(doc)]
            except yaml.YAMLError as e:
                result[path] = ["yaml: " + str(e).splitlines()[0]]
        print(json.dumps(result))
        """

    /// Schema errors per file (empty list: the file is valid). Fails the test if python or its modules are missing.
    static func errors(for files: [String]) throws -> [String: [String]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, schemaPath] + files
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while the child runs so neither can fill up and block it.
        let group = DispatchGroup()
        nonisolated(unsafe) var stdout = Data(), stderr = Data()
        DispatchQueue.global().async(group: group) { stdout = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { stderr = err.fileHandleForReading.readDataToEndOfFile() }
        process.waitUntilExit()
        group.wait()
        let errorText = String(decoding: stderr, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            Issue.record("\(python) failed (status \(process.terminationStatus)): \(errorText)")
            throw SchemaCheckFailure(message: errorText)
        }
        return try JSONDecoder().decode([String: [String]].self, from: stdout)
    }

    struct SchemaCheckFailure: Error {
        var message: String
    }
}
