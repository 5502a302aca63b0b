/// Compose-style variable interpolation in manifest values: `$VAR`, `${VAR}`, `${VAR:-default}`,
/// `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`, `${VAR+alt}`, and `$$` for `$`.
enum Interpolation {
    /// Why a value could not be interpolated; `message` is ready for a diagnostic.
    struct Failure: Error, Equatable, Sendable {
        var message: String
    }

    /// Substitutes every variable in `text` from `variables`; an unset `$VAR` or `${VAR}` becomes empty, as in
    /// compose, and its name is added to `unset` so the caller can warn about it.
    static func interpolate(_ text: String, variables: [String: String], unset: inout Set<String>) throws -> String {
        guard text.contains("$") else { return text }
        var scanner = Scanner(characters: Array(text), source: text, variables: variables)
        let result = try scanner.run()
        unset.formUnion(scanner.unset)
        return result
    }

    /// `interpolate(_:variables:unset:)` for callers that do not warn.
    static func interpolate(_ text: String, variables: [String: String]) throws -> String {
        var unset: Set<String> = []
        return try interpolate(text, variables: variables, unset: &unset)
    }

    private struct Scanner {
        let characters: [Character]
        let source: String
        let variables: [String: String]
        var index = 0
        /// Variables read plainly (no default or alternative) while unset.
        var unset: Set<String> = []

        mutating func run() throws -> String {
            var output = ""
            while index < characters.count {
                let c = characters[index]
                guard c == "$" else {
                    output.append(c)
                    index += 1
                    continue
                }
                output += try dollar()
            }
            return output
        }

        mutating func dollar() throws -> String {
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch next {
            case "$":
                index += 2
                return "$"
            case "{":
                return try braced()
            case let n? where Scanner.isNameStart(n):
                index += 1
                let name = readName()
                if variables[name] == nil { unset.insert(name) }
                return variables[name] ?? ""
            default:
                throw Failure(message: "invalid interpolation in `\(source)`: use `$$` for a literal `$`")
            }
        }

        mutating func braced() throws -> String {
            index += 2
            guard index < characters.count, Scanner.isNameStart(characters[index]) else {
                throw Failure(message: "invalid interpolation in `\(source)`: expected a variable name after `${`")
            }
            let name = readName()
            var op = ""
            if index < characters.count, characters[index] == ":" {
                op = ":"
                index += 1
            }
            var argument = ""
            if index < characters.count, "-?+".contains(characters[index]) {
                op.append(characters[index])
                index += 1
                argument = try readArgument()
            } else if !op.isEmpty || index >= characters.count || characters[index] != "}" {
                throw Failure(message: "invalid interpolation in `\(source)`: expected `}`, `:-`, `-`, `:?`, `?`, `:+` or `+` after `${\(name)`")
            } else {
                index += 1
            }
            return try apply(name: name, op: op, argument: argument)
        }

        /// Reads up to the matching `}` (nested `${…}` allowed) and interpolates it.
        mutating func readArgument() throws -> String {
            var depth = 0
            var raw = ""
            while index < characters.count {
                let c = characters[index]
                if c == "$", index + 1 < characters.count, characters[index + 1] == "{" {
                    depth += 1
                } else if c == "}" {
                    if depth == 0 {
                        index += 1
                        return try Interpolation.interpolate(raw, variables: variables, unset: &unset)
                    }
                    depth -= 1
                }
                raw.append(c)
                index += 1
            }
            throw Failure(message: "invalid interpolation in `\(source)`: missing `}`")
        }

        mutating func apply(name: String, op: String, argument: String) throws -> String {
            let value = variables[name]
            let setAndNonEmpty = !(value ?? "").isEmpty
            switch op {
            case "":
                if value == nil { unset.insert(name) }
                return value ?? ""
            case ":-": return setAndNonEmpty ? (value ?? "") : argument
            case "-": return value ?? argument
            case ":+": return setAndNonEmpty ? argument : ""
            case "+": return value == nil ? "" : argument
            case ":?", "?":
                let missing = op == ":?" ? !setAndNonEmpty : value == nil
                if missing {
                    let suffix = argument.isEmpty ? "" : ": \(argument)"
                    throw Failure(message: "required variable `\(name)` is missing a value\(suffix)")
                }
                return value ?? ""
            default:
                throw Failure(message: "invalid interpolation in `\(source)`")
            }
        }

        mutating func readName() -> String {
            var name = ""
            while index < characters.count, Scanner.isNameChar(characters[index]) {
                name.append(characters[index])
                index += 1
            }
            return name
        }

        static func isNameStart(_ c: Character) -> Bool { c == "_" || (c.isASCII && c.isLetter) }
        static func isNameChar(_ c: Character) -> Bool { isNameStart(c) || (c.isASCII && c.isNumber) }
    }
}
