/// ctr's one-line `--mount` form: one CSV record of `key=value` fields (split at the first `=`),
/// keys type, src/source, dst/destination, options (split on `:`).
enum MountLine {
    struct Fields: Equatable {
        var type: String?
        var source: String?
        var destination: String?
        var options: [String]?
    }

    enum Problem: Error, Equatable {
        case syntax(String)
        case unknownKey(String)
    }

    static func parse(_ text: String) throws(Problem) -> Fields {
        var fields = Fields()
        for field in try csvRecord(text) {
            guard let eq = field.firstIndex(of: "=") else {
                throw .syntax("expected key=value, got `\(field)`")
            }
            let key = String(field[..<eq]), value = String(field[field.index(after: eq)...])
            switch key {
            case "type": fields.type = value
            case "src", "source": fields.source = value
            case "dst", "destination": fields.destination = value
            case "options": fields.options = value.split(separator: ":").map(String.init)
            default: throw .unknownKey(key)
            }
        }
        return fields
    }

    /// The first record of `text` read as CSV (Go encoding/csv defaults: `"` quoting, `""` escapes).
    static func csvRecord(_ text: String) throws(Problem) -> [String] {
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var fields: [String] = []
        var chars = Array(line)[...]
        while true {
            var field = ""
            if chars.first == "\"" {
                chars = chars.dropFirst()
                var closed = false
                while let c = chars.first {
                    chars = chars.dropFirst()
                    if c == "\"" {
                        if chars.first == "\"" {
                            field.append("\"")
                            chars = chars.dropFirst()
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        field.append(c)
                    }
                }
                guard closed, chars.first == nil || chars.first == "," else {
                    throw .syntax("extraneous or missing \" in quoted field")
                }
            } else {
                while let c = chars.first, c != "," {
                    guard c != "\"" else { throw .syntax("bare \" in non-quoted field") }
                    field.append(c)
                    chars = chars.dropFirst()
                }
            }
            fields.append(field)
            guard chars.first == "," else { return fields }
            chars = chars.dropFirst()
        }
    }
}
