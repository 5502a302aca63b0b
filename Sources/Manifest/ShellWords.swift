/// Splits a command line into words as a POSIX shell does before expansion: blanks separate words, single
/// quotes keep everything, double quotes keep all but `\"`, `\\`, `\$` and `` \` `` escapes, a backslash
/// outside quotes keeps the next character. Nothing is expanded. Nil for an unclosed quote or a trailing
/// backslash.
enum ShellWords {
    static func split(_ text: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var iterator = text.makeIterator()
        while let c = iterator.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            case "'":
                inWord = true
                var closed = false
                while let q = iterator.next() {
                    if q == "'" {
                        closed = true
                        break
                    }
                    word.append(q)
                }
                if !closed { return nil }
            case "\"":
                inWord = true
                var closed = false
                while let q = iterator.next() {
                    if q == "\"" {
                        closed = true
                        break
                    }
                    if q == "\\" {
                        guard let next = iterator.next() else { return nil }
                        if !"\"\\$`".contains(next) { word.append("\\") }
                        word.append(next)
                    } else {
                        word.append(q)
                    }
                }
                if !closed { return nil }
            case "\\":
                guard let next = iterator.next() else { return nil }
                inWord = true
                if next != "\n" { word.append(next) }
            default:
                inWord = true
                word.append(c)
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
