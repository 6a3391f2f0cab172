import Foundation

/// Finds an object key that appears twice in one JSON object. Foundation's decoders keep one of the
/// values silently, so an answer `{"value":[…,"1"],"value":[…,"9"]}` would be read as whichever won;
/// gma treats it as malformed instead (`docs/reliability.md`, "Bounds").
///
/// Run on text the JSON decoder has already accepted: the scan only tracks strings and nesting, it
/// does not validate. Keys are compared after unescaping, so `"a"` and `"\u0061"` collide.
enum JSONDuplicateKeys {
    /// The first duplicate, as `path: key "k" appears twice` (path like `data.result[2].metric`), or nil.
    static func first(in body: Data, maxDepth: Int = 512) -> String? {
        var scanner = Scanner(bytes: [UInt8](body), maxDepth: maxDepth)
        return scanner.run()
    }

    private enum Frame {
        case object(keys: Set<String>, current: String?)
        case array(index: Int)
    }

    private struct Scanner {
        let bytes: [UInt8]
        let maxDepth: Int
        var position = 0
        var stack: [Frame] = []
        /// In an object, the next string is a key (after `{` or `,`), not a value.
        var expectingKey = false

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        mutating func run() -> String? {
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "{"):
                    guard stack.count < maxDepth else { return nil }
                    stack.append(.object(keys: [], current: nil))
                    expectingKey = true
                case UInt8(ascii: "["):
                    guard stack.count < maxDepth else { return nil }
                    stack.append(.array(index: 0))
                    expectingKey = false
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    _ = stack.popLast()
                    expectingKey = false
                case UInt8(ascii: ","):
                    switch stack.last {
                    case .array(let index): stack[stack.count - 1] = .array(index: index + 1)
                    case .object: expectingKey = true
                    case nil: break
                    }
                case UInt8(ascii: "\""):
                    let start = position
                    skipString()
                    if expectingKey, case .object(var keys, _) = stack.last {
                        let key = Self.unescape(bytes[start..<position])
                        if !keys.insert(key).inserted { return "\(path()): key \(PromQL.quoted(key)) appears twice" }
                        stack[stack.count - 1] = .object(keys: keys, current: key)
                        expectingKey = false
                    }
                    continue
                default:
                    break
                }
                position += 1
            }
            return nil
        }

        /// Moves past the string that starts at `position` (its opening quote).
        private mutating func skipString() {
            position += 1
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\\"): position += 2
                case UInt8(ascii: "\""):
                    position += 1
                    return
                default: position += 1
                }
            }
        }

        /// Where the scan is, for the message; the object being read is named by its own keys' parent.
        private func path() -> String {
            var parts: [String] = []
            for frame in stack.dropLast() {
                switch frame {
                case .object(_, let current): parts.append(current.map { parts.isEmpty ? $0 : ".\($0)" } ?? "")
                case .array(let index): parts.append("[\(index)]")
                }
            }
            let text = parts.joined()
            return text.isEmpty ? "<root>" : text
        }

        /// The key's text: decoded as a JSON string fragment when it holds escapes.
        private static func unescape(_ quoted: ArraySlice<UInt8>) -> String {
            let raw = String(decoding: quoted, as: UTF8.self)
            guard quoted.contains(UInt8(ascii: "\\")) else { return String(raw.dropFirst().dropLast()) }
            let decoded = try? JSONSerialization.jsonObject(with: Data(quoted), options: .fragmentsAllowed)
            return decoded as? String ?? raw
        }
    }
}
