import Foundation

/// A CSV file: a header row and data rows of text fields, written as RFC 4180 has it.
///
/// A field holding a comma, a double quote or a line break is put in double quotes, its quotes doubled;
/// every other field is written as it is, so plain numbers and names read the same as before quoting existed.
/// Rows end with a line feed, the last one too.
public struct CSVTable: Sendable, Equatable {
    public let header: [String]
    public private(set) var rows: [[String]] = []

    public init(header: [String]) {
        self.header = header
    }

    /// Adds a row; it should have as many fields as the header (not enforced: a reader sees what was given).
    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The whole file.
    public var text: String {
        ([header] + rows).map { $0.map(Self.field).joined(separator: ",") + "\n" }.joined()
    }

    /// One field as it is written.
    public static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
