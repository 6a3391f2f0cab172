import Foundation

/// Finds the keys a JSON document must not have: keys its `JSONShape` does not list (named with the closest known
/// key) and keys repeated within one object (parsers disagree on which copy counts; JSONDecoder keeps the last).
///
/// Only well-formed JSON is judged: at a syntax error it reports nothing and leaves the error to the decoder, which
/// locates it. The walk is iterative below the shape (a deeply nested value cannot exhaust the stack) and builds a
/// path only for what it reports.
struct JSONKeyCheck {
    /// Most issues listed at once; one more issue counts the rest.
    static let maximumIssues = 20

    static func issues(in data: Data, shape: JSONShape) -> [ProblemIssue] {
        data.withUnsafeBytes { bytes in
            var scanner = KeyScanner(bytes: bytes)
            do {
                try scanner.checkDocument(shape)
            } catch {
                return []
            }
            return scanner.report
        }
    }
}

private struct SyntaxError: Error {}

private struct KeyScanner {
    enum PathComponent {
        case key(String)
        case index(Int)
    }

    let bytes: UnsafeRawBufferPointer
    var position = 0
    var path: [PathComponent] = []
    var found: [ProblemIssue] = []
    var unreported = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var report: [ProblemIssue] {
        guard unreported > 0, let last = found.last else { return found }
        return found + [ProblemIssue(path: last.path, message: "and \(unreported) more unknown or duplicate keys")]
    }

    mutating func checkDocument(_ shape: JSONShape) throws(SyntaxError) {
        // A UTF-8 byte order mark is allowed before the document.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        try value(shape)
        skipWhitespace()
        guard position == bytes.count else { throw SyntaxError() }
    }

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(SyntaxError) {
        skipWhitespace()
        guard peek == byte else { throw SyntaxError() }
        position += 1
    }

    private mutating func value(_ shape: JSONShape) throws(SyntaxError) {
        skipWhitespace()
        switch shape {
        case .object(let keys) where peek == UInt8(ascii: "{"): try object(keys)
        case .array(let element) where peek == UInt8(ascii: "["): try array(element)
        default: try skipValue()
        }
    }

    private mutating func object(_ keys: [String: JSONShape]) throws(SyntaxError) {
        position += 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            position += 1
            return
        }
        var seen = Set<String>()
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw SyntaxError() }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            path.append(.key(key))
            let first = seen.insert(key).inserted
            if let child = keys[key] {
                if !first { note("duplicate key \(Self.quoted(key)): a key may appear only once in an object") }
                try value(child)
            } else {
                if first { note("unknown key \(Self.quoted(key)); the closest known key is \(Self.closest(to: key, in: keys))") }
                try skipValue()
            }
            path.removeLast()
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return
            default: throw SyntaxError()
            }
        }
    }

    private mutating func array(_ element: JSONShape) throws(SyntaxError) {
        position += 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            position += 1
            return
        }
        var index = 0
        while true {
            path.append(.index(index))
            try value(element)
            path.removeLast()
            index += 1
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return
            default: throw SyntaxError()
            }
        }
    }

    /// Skips any value without looking inside, keeping a stack of the open brackets instead of recursing.
    private mutating func skipValue() throws(SyntaxError) {
        skipWhitespace()
        guard let first = peek else { throw SyntaxError() }
        if first == UInt8(ascii: "\"") {
            try skipString()
            return
        }
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
            let start = position
            while let c = peek, !Self.endsScalar(c) { position += 1 }
            if position == start { throw SyntaxError() }
            return
        }
        var open: [UInt8] = []
        repeat {
            guard let c = peek else { throw SyntaxError() }
            switch c {
            case UInt8(ascii: "\""):
                try skipString()
                continue
            case UInt8(ascii: "{"): open.append(UInt8(ascii: "}"))
            case UInt8(ascii: "["): open.append(UInt8(ascii: "]"))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard open.popLast() == c else { throw SyntaxError() }
            default: break
            }
            position += 1
        } while !open.isEmpty
    }

    private static func endsScalar(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == UInt8(ascii: ":")
            || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    private mutating func skipString() throws(SyntaxError) {
        position += 1
        while let c = peek {
            switch c {
            case UInt8(ascii: "\""):
                position += 1
                return
            case UInt8(ascii: "\\"): position += 2
            case 0..<0x20: throw SyntaxError()
            default: position += 1
            }
        }
        throw SyntaxError()
    }

    /// A string with its escapes resolved, so `"lo\u0063ked"` is the key `locked`.
    private mutating func string() throws(SyntaxError) -> String {
        position += 1
        let start = position
        while let c = peek, c != UInt8(ascii: "\""), c != UInt8(ascii: "\\") {
            guard c >= 0x20 else { throw SyntaxError() }
            position += 1
        }
        guard peek == UInt8(ascii: "\\") else {
            guard peek != nil else { throw SyntaxError() }
            position += 1
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(position - 1)]), as: UTF8.self)
        }
        var text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        var pending: [UInt8] = []
        while let c = peek {
            position += 1
            switch c {
            case UInt8(ascii: "\""):
                text += String(decoding: pending, as: UTF8.self)
                return text
            case UInt8(ascii: "\\"):
                text += String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                text.unicodeScalars.append(try escape())
            case 0..<0x20: throw SyntaxError()
            default: pending.append(c)
            }
        }
        throw SyntaxError()
    }

    /// The character of the escape after a backslash (JSON's `\n`, `\uXXXX` with surrogate pairs, …).
    private mutating func escape() throws(SyntaxError) -> Unicode.Scalar {
        guard let c = peek else { throw SyntaxError() }
        position += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(c)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hexUnit()
            guard (0xD800..<0xDC00).contains(unit) else { return Unicode.Scalar(unit) ?? "\u{FFFD}" }
            guard peek == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                return "\u{FFFD}"
            }
            position += 2
            let low = try hexUnit()
            guard (0xDC00..<0xE000).contains(low) else { return "\u{FFFD}" }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
        default: throw SyntaxError()
        }
    }

    private mutating func hexUnit() throws(SyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw SyntaxError() }
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Character(Unicode.Scalar(bytes[position])).hexDigitValue else { throw SyntaxError() }
            unit = unit * 16 + UInt32(digit)
            position += 1
        }
        return unit
    }

    private mutating func note(_ message: String) {
        guard found.count < JSONKeyCheck.maximumIssues else {
            unreported += 1
            return
        }
        var rendered = ""
        for component in path {
            switch component {
            case .index(let i): rendered += "[\(i)]"
            case .key(let k) where k.isEmpty || k.contains(where: { ".[]\" ".contains($0) }):
                // A key a dotted path cannot show (empty, or with dots or brackets) takes the bracket form.
                rendered += "[\(Self.quoted(k))]"
            case .key(let k): rendered += (rendered.isEmpty ? "" : ".") + Self.printable(k)
            }
        }
        found.append(ProblemIssue(path: rendered, message: message))
    }

    /// A key as it may appear in a one-line message: control characters, quotes and backslashes escaped, long
    /// keys shortened.
    static func printable(_ key: String) -> String {
        var out = ""
        for scalar in key.unicodeScalars.prefix(64) {
            let plain = scalar.value >= 0x20 && scalar.value != 0x7F && scalar != "\"" && scalar != "\\"
            out += plain ? String(scalar) : scalar.escaped(asASCII: true)
        }
        return key.unicodeScalars.count > 64 ? out + "…" : out
    }

    static func quoted(_ key: String) -> String { "\"\(printable(key))\"" }

    /// The known key with the fewest edits from `key` (case-insensitive); ties go to the first in sorted order.
    static func closest(to key: String, in keys: [String: JSONShape]) -> String {
        let typed = Array(key.lowercased().unicodeScalars.prefix(64))
        let best = keys.keys.sorted().min { editDistance(typed, $0) < editDistance(typed, $1) }
        return best.map(quoted) ?? "(none: this object has no keys)"
    }

    static func editDistance(_ a: [Unicode.Scalar], _ known: String) -> Int {
        let b = Array(known.lowercased().unicodeScalars)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + [Int](repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
