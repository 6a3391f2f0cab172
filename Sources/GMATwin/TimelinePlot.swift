import Foundation
import GMACharts

/// The run as a hand-written SVG: delay against the band, request rate with the edge set, and cost.
///
/// Layout: a title block, then three panels of the same time axis. Each panel has its title and legend on one
/// row above it, round tick values on its left axis, and minutes under it; only the last panel names the time
/// axis. Values above the delay panel's scale are clipped to its top and labelled with their maximum.
public struct TimelinePlot: Sendable {
    public let run: TwinRunResult
    let width = 1100.0
    let panelHeight = 220.0
    let left = 70.0
    let right = 90.0
    let top = 96.0
    /// From a panel's bottom to the next one's top: tick labels, then the next title row.
    let gap = 78.0

    public init(run: TwinRunResult) {
        self.run = run
    }

    var plotWidth: Double { width - left - right }

    public var svg: String {
        let samples = run.samples
        let band = run.scenario.band
        let end = max(samples.last?.time ?? 1, 1)
        let height = top + 3 * panelHeight + 2 * gap + 56
        func x(_ t: Double) -> Double { left + plotWidth * t / end }
        var out: [String] = []
        out.append(SVGElements.document(width: Int(width), height: Int(height)))
        let summary = run.summary
        let scenario = run.scenario
        out.append(
            text(left, 24, "gma simulate — \(escape(scenario.name)) (app \(escape(scenario.app.name)), solver \(scenario.solver.rawValue), seed \(scenario.twin.seed))",
                 size: 16, weight: "bold"))
        // One edge of several has no oracle (docs/twin.md §6): its cost is its own plus its share of the cloud.
        let hasOracle = samples.contains { $0.oracleCostPerHour > 0 }
        let costNote = hasOracle
            ? String(format: "cost %.2f× the oracle's", summary.costOverOracle)
            : String(format: "cost %.3f $/h mean (this edge and its share of the shared cloud)", summary.meanCostPerHour)
        out.append(text(left, 44, escape(String(
            format: "in band %.1f %% (above %.1f %%, below %.1f %%) · %@ above %.0f ms, longest %.0f s · %@ · %@",
            summary.timeInBand * 100, summary.timeAbove * 100, summary.timeBelow * 100,
            Self.count(summary.violations, "excursion"), scenario.band.offloadSeconds * 1000, summary.longestExcursionSeconds,
            Self.count(summary.actions, "action"), costNote))))

        // Panel 1: delay (ms). The scale shows the band with room above it; longer excursions are clipped.
        let delayTop = top
        let highest = samples.map { $0.delayQuantileSeconds * 1000 }.max() ?? 0
        let delayScale = AxisScale(max: min(max(highest, band.offloadSeconds * 1300), band.offloadSeconds * 2000))
        let yDelay = axis(top: delayTop, scale: delayScale)
        out.append(frame(top: delayTop, scale: delayScale, xOf: x, end: end))
        out.append(rect(x(0), yDelay(band.offloadSeconds * 1000), plotWidth,
                        yDelay(band.unoffloadSeconds * 1000) - yDelay(band.offloadSeconds * 1000), fill: "#e8f5e9"))
        out.append(hline(yDelay(band.offloadSeconds * 1000), color: Self.offloadColor, dash: true))
        out.append(hline(yDelay(band.unoffloadSeconds * 1000), color: Self.unoffloadColor, dash: true))
        for action in run.actions {
            let color = action.text.hasPrefix("offload") ? Self.offloadColor : action.text.hasPrefix("consolidate") ? "#00897b" : Self.unoffloadColor
            out.append(SVGElements.line(
                x1: x(action.time), y1: delayTop, x2: x(action.time), y2: delayTop + 2 * panelHeight + gap, stroke: color,
                width: 1.5, opacity: 0.45))
        }
        let cap = delayScale.max
        out.append(polyline(samples.map { (x($0.time), yDelay(min($0.delayQuantileSeconds * 1000, cap))) }, color: "#ff9800", width: 1))
        out.append(polyline(samples.map { (x($0.time), yDelay(min($0.delaySeconds * 1000, cap))) }, color: "#212121", width: 1.6))
        for o in run.events where o.kind == .observation {
            out.append(SVGElements.circle(x: x(o.time), y: yDelay(min(o.values[0] * 1000, cap)), radius: 1.6, fill: "#6a1b9a"))
        }
        out.append(offScale(
            samples.map { ($0.time, $0.delaySeconds * 1000, $0.delayQuantileSeconds * 1000) }, cap: cap, top: delayTop,
            quantileName: "p\(Self.percent(scenario.twin.delayQuantile))", xOf: x))
        out.append(heading(top: delayTop, "user delay (ms)", [
            (.line, "#212121", "mean"),
            (.line, "#ff9800", "p\(Self.percent(scenario.twin.delayQuantile))"),
            (.dot, "#6a1b9a", "measured by gma"),
            (.dash, Self.offloadColor, String(format: "offload at %.0f ms", band.offloadSeconds * 1000)),
            (.dash, Self.unoffloadColor, String(format: "unoffload at %.0f ms", band.unoffloadSeconds * 1000)),
            (.bar, Self.offloadColor, "offload"),
            (.bar, Self.unoffloadColor, "unoffload"),
        ]))

        // Panel 2: request rate and, on the right axis, the services serving at the edge.
        let rateTop = top + panelHeight + gap
        let rateScale = AxisScale(max: samples.map(\.userRequestsPerSecond).max() ?? 1)
        let yRate = axis(top: rateTop, scale: rateScale)
        out.append(frame(top: rateTop, scale: rateScale, xOf: x, end: end))
        let count = Double(scenario.app.serviceNames.count)
        let edgeScale = AxisScale(max: count, divisions: 5, integral: true)
        let yEdge = axis(top: rateTop, scale: edgeScale)
        out.append(stepline(samples.map { (x($0.time), yEdge(Double($0.servingAtEdge.count))) }, color: Self.edgeColor, width: 2))
        out.append(polyline(samples.map { (x($0.time), yRate($0.userRequestsPerSecond)) }, color: "#1565c0", width: 1.6))
        for value in edgeScale.ticks {
            out.append(SVGElements.line(
                x1: width - right, y1: yEdge(value), x2: width - right + 5, y2: yEdge(value), stroke: Self.edgeColor))
            out.append(text(width - right + 8, yEdge(value) + 4, edgeScale.label(value), color: Self.edgeColor))
        }
        out.append(text(width - right + 8, rateTop - 30, "edge", size: 11, weight: "bold", color: Self.edgeColor))
        out.append(text(width - right + 8, rateTop - 17, "services", size: 11, weight: "bold", color: Self.edgeColor))
        out.append(heading(top: rateTop, "request rate (req/s)", [
            (.line, "#1565c0", "user request rate λ (left axis)"),
            (.line, Self.edgeColor, "services serving at the edge (right axis)"),
        ]))

        // Panel 3: cost.
        let costTop = rateTop + panelHeight + gap
        let costScale = AxisScale(max: samples.map { max($0.costPerHour, $0.cloudOnlyCostPerHour, $0.oracleCostPerHour) }.max() ?? 1)
        let yCost = axis(top: costTop, scale: costScale)
        out.append(frame(top: costTop, scale: costScale, xOf: x, end: end))
        if hasOracle {
            out.append(polyline(samples.map { (x($0.time), yCost($0.cloudOnlyCostPerHour)) }, color: "#9e9e9e", width: 1.2, dash: true))
            out.append(polyline(samples.map { (x($0.time), yCost($0.oracleCostPerHour)) }, color: "#00897b", width: 1.2, dash: true))
        }
        out.append(polyline(samples.map { (x($0.time), yCost($0.costPerHour)) }, color: "#6d4c41", width: 1.6))
        out.append(heading(top: costTop, "cost ($/h)", hasOracle ? [
            (.line, "#6d4c41", "placement (replicas running, traffic)"), (.dash, "#00897b", "oracle"),
            (.dash, "#9e9e9e", "cloud-only at the same load"),
        ] : [(.line, "#6d4c41", "this edge's replicas and traffic, and its share of the shared cloud")]))
        out.append(text(left + plotWidth / 2, costTop + panelHeight + 40, "simulated time (min)", anchor: "middle"))
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    static let offloadColor = "#c62828"
    static let unoffloadColor = "#1565c0"
    static let edgeColor = "#2e7d32"

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    static func percent(_ p: Double) -> String {
        let value = p * 100
        return value == value.rounded() ? String(format: "%.0f", value) : String(format: "%g", value)
    }

    private func axis(top: Double, scale: AxisScale) -> (Double) -> Double {
        { value in top + panelHeight - panelHeight * (value / scale.max) }
    }

    /// The panel's box, its value grid and labels, and the minute ticks under it.
    private func frame(top: Double, scale: AxisScale, xOf: (Double) -> Double, end: Double) -> String {
        var out: [String] = []
        let y = axis(top: top, scale: scale)
        for value in scale.ticks {
            out.append(SVGElements.line(x1: left, y1: y(value), x2: left + plotWidth, y2: y(value), stroke: "#eeeeee"))
            out.append(text(left - 8, y(value) + 4, scale.label(value), anchor: "end"))
        }
        out.append(SVGElements.rect(x: left, y: top, width: plotWidth, height: panelHeight, fill: "none", stroke: "#616161"))
        let minutes = end / 60
        let stepMinutes = [1.0, 2, 5, 10, 15, 20, 30, 60, 120].first { minutes / $0 <= 14 } ?? 240
        var m = 0.0
        while m <= minutes + 1e-9 {
            let xm = xOf(m * 60)
            out.append(SVGElements.line(x1: xm, y1: top + panelHeight, x2: xm, y2: top + panelHeight + 5, stroke: "#616161"))
            out.append(text(xm, top + panelHeight + 18, String(format: "%.0f", m), anchor: "middle"))
            m += stepMinutes
        }
        return out.joined(separator: "\n")
    }

    enum Swatch { case line, dash, dot, bar }

    /// The panel's title, then its legend on the same row (wrapping to a second row when it runs out of room).
    private func heading(top: Double, _ title: String, _ items: [(Swatch, String, String)]) -> String {
        var out = [text(left, top - 30, escape(title), size: 13, weight: "bold")]
        let rowHeight = 15.0
        var cursor = left + Self.textWidth(title, size: 13, bold: true) + 22
        var row = top - 30
        for (swatch, color, label) in items {
            let itemWidth = 24 + Self.textWidth(label, size: 11)
            if cursor + itemWidth > width - right, cursor > left + 200 {
                row += rowHeight
                cursor = left + Self.textWidth(title, size: 13, bold: true) + 22
            }
            let mid = row - 4
            switch swatch {
            case .line:
                out.append(SVGElements.line(x1: cursor, y1: mid, x2: cursor + 16, y2: mid, stroke: color, width: 2.5))
            case .dash:
                out.append(SVGElements.line(x1: cursor, y1: mid, x2: cursor + 16, y2: mid, stroke: color, width: 1.5, dash: "4 2"))
            case .dot:
                out.append(SVGElements.circle(x: cursor + 8, y: mid, radius: 2.5, fill: color))
            case .bar:
                out.append(SVGElements.line(
                    x1: cursor + 8, y1: mid - 6, x2: cursor + 8, y2: mid + 6, stroke: color, width: 2, opacity: 0.45))
            }
            out.append(text(cursor + 20, row, escape(label), size: 11))
            cursor += itemWidth + 14
        }
        return out.joined(separator: "\n")
    }

    /// For each run of ticks whose quantile (and perhaps mean) is above `cap`: a mark at the top of the panel
    /// with the run's maxima.
    private func offScale(
        _ points: [(time: Double, mean: Double, quantile: Double)], cap: Double, top: Double, quantileName: String,
        xOf: (Double) -> Double
    ) -> String {
        var out: [String] = []
        var index = 0
        // Labels never overlap: one that would run into the previous one is left out (its bar stays).
        var labelsEnd = -Double.infinity
        while index < points.count {
            guard points[index].quantile > cap else {
                index += 1
                continue
            }
            var last = index
            while last + 1 < points.count, points[last + 1].quantile > cap { last += 1 }
            let run = points[index...last]
            let meanPeak = run.map(\.mean).max() ?? cap
            let quantilePeak = run.map(\.quantile).max() ?? cap
            let x0 = xOf(points[index].time)
            let x1 = xOf(points[last].time)
            let label = meanPeak > cap
                ? "▲ off scale: mean up to \(Self.thousands(meanPeak)) ms"
                : "▲ off scale: \(quantileName) up to \(Self.thousands(quantilePeak)) ms"
            let labelWidth = Self.textWidth(label, size: 11)
            let anchorEnd = x1 + 6 + labelWidth > width - right
            out.append(SVGElements.line(x1: x0, y1: top + 1.5, x2: max(x1, x0 + 2), y2: top + 1.5, stroke: "#212121", width: 3))
            let start = anchorEnd ? x0 - 6 - labelWidth : x1 + 6
            if start > labelsEnd + 8 {
                out.append(text(anchorEnd ? x0 - 6 : x1 + 6, top + 16, label, size: 11, anchor: anchorEnd ? "end" : "start"))
                labelsEnd = start + labelWidth
            }
            index = last + 1
        }
        return out.joined(separator: "\n")
    }

    static func thousands(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var grouped = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { grouped.append(" ") }
            grouped.append(c)
        }
        return String(grouped.reversed())
    }

    /// A rough width of sans-serif text, for laying out legends without measuring.
    static func textWidth(_ s: String, size: Double, bold: Bool = false) -> Double {
        Double(s.count) * size * (bold ? 0.62 : 0.56)
    }

    private func hline(_ y: Double, color: String, dash: Bool) -> String {
        SVGElements.line(x1: left, y1: y, x2: width - right, y2: y, stroke: color, width: 1.2, dash: dash ? "6 4" : nil)
    }

    private func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String) -> String {
        SVGElements.rect(x: x, y: y, width: w, height: h, fill: fill)
    }

    private func polyline(_ points: [(Double, Double)], color: String, width: Double, dash: Bool = false) -> String {
        SVGElements.polyline(points.map { (x: $0.0, y: $0.1) }, stroke: color, width: width, dash: dash ? "5 3" : nil)
    }

    /// A staircase: the edge set changes at an instant and holds.
    private func stepline(_ points: [(Double, Double)], color: String, width: Double) -> String {
        var stairs: [(Double, Double)] = []
        for (i, p) in points.enumerated() {
            if i > 0 { stairs.append((p.0, points[i - 1].1)) }
            stairs.append(p)
        }
        return polyline(stairs, color: color, width: width)
    }

    /// Text with this plot's defaults written out, so a viewer's own defaults never show through.
    private func text(
        _ x: Double, _ y: Double, _ s: String, size: Int = 12, weight: String = "normal", anchor: String = "start",
        color: String = "#212121"
    ) -> String {
        SVGElements.text(x: x, y: y, s, size: size, weight: weight, anchor: anchor, colour: color)
    }

    private func escape(_ s: String) -> String { SVGElements.escape(s) }
}
