import Foundation

/// The SVG elements gma's plots draw (the twin's timeline, gma-bench's chart), each as one line of markup.
///
/// Coordinates are written with one decimal (`number`): a tenth of a pixel is below what a screen shows, and a
/// fixed format keeps files the same from run to run. Text content is the caller's to `escape`; attribute
/// values are colours and numbers that need no escaping.
public enum SVGElements {
    /// The opening tag of a document with white background, sans-serif text at `fontSize` by default.
    public static func document(width: Int, height: Int, fontSize: Int = 12) -> String {
        #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(width)" height="\#(height)" font-family="sans-serif" font-size="\#(fontSize)">"#
            + "\n" + #"<rect width="100%" height="100%" fill="white"/>"#
    }

    /// A straight line. `dash` is an SVG dash pattern such as "6 4"; `opacity` is the stroke's.
    public static func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double? = nil, dash: String? = nil,
        opacity: Double? = nil
    ) -> String {
        #"<line x1="\#(number(x1))" y1="\#(number(y1))" x2="\#(number(x2))" y2="\#(number(y2))" stroke="\#(stroke)""#
            + (opacity.map { #" stroke-opacity="\#(shortest($0))""# } ?? "")
            + (width.map { #" stroke-width="\#(shortest($0))""# } ?? "")
            + (dash.map { #" stroke-dasharray="\#($0)""# } ?? "") + "/>"
    }

    /// A rectangle; a negative height (a band drawn upside down) is drawn empty rather than rejected by viewers.
    public static func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil
    ) -> String {
        #"<rect x="\#(number(x))" y="\#(number(y))" width="\#(number(max(width, 0)))" height="\#(number(max(height, 0)))" fill="\#(fill)""#
            + (stroke.map { #" stroke="\#($0)""# } ?? "") + "/>"
    }

    /// An open line through `points`, unfilled. `dash` is an SVG dash pattern such as "5 3".
    public static func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double, dash: String? = nil) -> String {
        let list = points.map { "\(number($0.x)),\(number($0.y))" }.joined(separator: " ")
        return #"<polyline fill="none" stroke="\#(stroke)" stroke-width="\#(shortest(width))""#
            + (dash.map { #" stroke-dasharray="\#($0)""# } ?? "") + #" points="\#(list)"/>"#
    }

    /// A filled dot: a data point's marker or a legend's swatch.
    public static func circle(x: Double, y: Double, radius: Double, fill: String) -> String {
        #"<circle cx="\#(number(x))" cy="\#(number(y))" r="\#(shortest(radius))" fill="\#(fill)"/>"#
    }

    /// A text at (x, y), its baseline's start, middle or end (`anchor`) there. Attributes left nil inherit the
    /// document's; `content` must already be escaped.
    public static func text(
        x: Double, y: Double, _ content: String, size: Int? = nil, weight: String? = nil, anchor: String? = nil,
        colour: String? = nil
    ) -> String {
        #"<text x="\#(number(x))" y="\#(number(y))""#
            + (size.map { #" font-size="\#($0)""# } ?? "") + (weight.map { #" font-weight="\#($0)""# } ?? "")
            + (anchor.map { #" text-anchor="\#($0)""# } ?? "") + (colour.map { #" fill="\#($0)""# } ?? "")
            + ">\(content)</text>"
    }

    /// Text made safe as element content: the three characters XML gives a meaning there.
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A coordinate with one decimal.
    public static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A width, radius or opacity in its shortest form (2, 1.5, 0.45): the caller's constants, not positions.
    static func shortest(_ value: Double) -> String { String(format: "%g", value) }
}
