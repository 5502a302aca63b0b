import CYaml

/// Builds `YAMLNode` trees from libyaml's event stream (the libyaml copy that Yams vendors).
struct YAMLComposer {
    struct Failure: Error {
        var problem: String
        var line: Int
        var column: Int
    }

    /// The single document in `text`, or nil for an empty stream.
    static func compose(_ text: String) throws(Failure) -> YAMLNode? {
        let bytes = Array(text.utf8)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Failure(problem: "out of memory", line: 1, column: 1) }
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeBufferPointer { buffer throws(Failure) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var composer = YAMLComposer(parser: &parser)
            return try composer.stream()
        }
    }

    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private var anchors: [String: YAMLNode] = [:]
    private var depth = 0
    /// Deeper nesting than any manifest needs is refused rather than risking the stack.
    static let maximumDepth = 256

    private init(parser: UnsafeMutablePointer<yaml_parser_t>) {
        self.parser = parser
    }

    /// One parsed event, copied out of libyaml's structure.
    private struct Event {
        var type: yaml_event_type_t
        var line: Int
        var column: Int
        var value = ""
        var anchor: String?
        var tag: String?
        var plain = false
    }

    private mutating func next() throws(Failure) -> Event {
        var raw = yaml_event_t()
        guard yaml_parser_parse(parser, &raw) == 1 else {
            let p = parser.pointee
            var problem = p.problem.map { String(cString: $0) } ?? "invalid YAML"
            if let context = p.context {
                problem += " \(String(cString: context)) started at line \(p.context_mark.line + 1), column \(p.context_mark.column + 1)"
            }
            throw Failure(problem: problem, line: Int(p.problem_mark.line) + 1, column: Int(p.problem_mark.column) + 1)
        }
        defer { yaml_event_delete(&raw) }
        var event = Event(type: raw.type, line: Int(raw.start_mark.line) + 1, column: Int(raw.start_mark.column) + 1)
        func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
        switch raw.type {
        case YAML_SCALAR_EVENT:
            let s = raw.data.scalar
            let buffer = UnsafeBufferPointer(start: s.value, count: Int(s.length))
            event.value = String(decoding: buffer, as: UTF8.self)
            event.anchor = string(s.anchor)
            event.tag = string(s.tag)
            event.plain = s.style == YAML_PLAIN_SCALAR_STYLE
        case YAML_ALIAS_EVENT:
            event.anchor = string(raw.data.alias.anchor)
        case YAML_SEQUENCE_START_EVENT:
            event.anchor = string(raw.data.sequence_start.anchor)
        case YAML_MAPPING_START_EVENT:
            event.anchor = string(raw.data.mapping_start.anchor)
        default:
            break
        }
        return event
    }

    private mutating func stream() throws(Failure) -> YAMLNode? {
        var root: YAMLNode?
        var documents = 0
        while true {
            let event = try next()
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw Failure(problem: "expected a single YAML document, found another", line: event.line, column: event.column)
                }
                root = try node(from: try next())
            default:
                continue
            }
        }
    }

    private mutating func node(from event: Event) throws(Failure) -> YAMLNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw Failure(problem: "nesting deeper than \(Self.maximumDepth) levels", line: event.line, column: event.column)
        }
        let result: YAMLNode
        switch event.type {
        case YAML_SCALAR_EVENT:
            result = .scalar(YAMLScalar(string: event.value, plain: event.plain, tag: event.tag, line: event.line, column: event.column))
        case YAML_ALIAS_EVENT:
            guard let anchor = event.anchor, let target = anchors[anchor] else {
                throw Failure(problem: "found undefined alias `\(event.anchor ?? "")`", line: event.line, column: event.column)
            }
            return target
        case YAML_SEQUENCE_START_EVENT:
            var items: [YAMLNode] = []
            var item = try next()
            while item.type != YAML_SEQUENCE_END_EVENT {
                items.append(try node(from: item))
                item = try next()
            }
            result = .sequence(YAMLSequence(items: items, line: event.line, column: event.column))
        case YAML_MAPPING_START_EVENT:
            var pairs: [YAMLPair] = []
            var key = try next()
            while key.type != YAML_MAPPING_END_EVENT {
                let k = try node(from: key)
                let v = try node(from: try next())
                pairs.append(YAMLPair(key: k, value: v))
                key = try next()
            }
            result = .mapping(YAMLMapping(pairs: pairs, line: event.line, column: event.column))
        default:
            throw Failure(problem: "unexpected YAML event", line: event.line, column: event.column)
        }
        if let anchor = event.anchor { anchors[anchor] = result }
        return result
    }
}
