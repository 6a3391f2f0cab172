import Foundation

/// The run as a hand-written SVG: delay against the band, request rate with the edge set, and cost.
public struct TimelinePlot: Sendable {
    public let run: TwinRunResult
    let width = 1100.0
    let panelHeight = 230.0
    let left = 70.0
    let right = 90.0
    let top = 80.0
    let gap = 60.0

    public init(run: TwinRunResult) {
        self.run = run
    }

    public var svg: String {
        let samples = run.samples
        let band = run.scenario.band
        let end = max(samples.last?.time ?? 1, 1)
        let plotWidth = width - left - right
        let height = top + 3 * panelHeight + 2 * gap + 50
        func x(_ t: Double) -> Double { left + plotWidth * t / end }
        var out: [String] = []
        out.append(
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" font-family="sans-serif" font-size="12">"#)
        out.append(#"<rect width="100%" height="100%" fill="white"/>"#)
        let summary = run.summary
        out.append(
            text(left, 22, "gma simulate — \(escape(run.scenario.name)) (\(run.scenario.app.name), solver \(run.scenario.solver.rawValue))",
                 size: 16, weight: "bold"))
        out.append(
            text(left, 40, String(format: "in band %.1f %%, %d violations, %d actions, mean extra cost %+.3f $/h vs cloud-only",
                                  summary.timeInBand * 100, summary.violations, summary.actions, summary.meanExtraCostPerHour)))

        // Panel 1: delay.
        let ceiling = band.offloadSeconds * 2 * 1000
        let delayTop = top
        let delayMax = min(max(samples.map { $0.delayQuantileSeconds * 1000 }.max() ?? ceiling, band.offloadSeconds * 1300), ceiling)
        let yDelay = axis(top: delayTop, max: delayMax)
        out.append(frame(top: delayTop, label: "user delay (ms)", max: delayMax, xOf: x, end: end))
        out.append(rect(x(0), yDelay(band.offloadSeconds * 1000), plotWidth,
                        yDelay(band.unoffloadSeconds * 1000) - yDelay(band.offloadSeconds * 1000), fill: "#e8f5e9"))
        out.append(hline(yDelay(band.offloadSeconds * 1000), color: "#c62828", dash: true))
        out.append(hline(yDelay(band.unoffloadSeconds * 1000), color: "#1565c0", dash: true))
        for action in run.actions {
            let color = action.text.hasPrefix("offload") ? "#c62828" : "#1565c0"
            out.append(#"<line x1="\#(f(x(action.time)))" y1="\#(f(delayTop))" x2="\#(f(x(action.time)))" y2="\#(f(delayTop + 2 * panelHeight + gap))" stroke="\#(color)" stroke-opacity="0.35" stroke-width="1.5"/>"#)
        }
        out.append(polyline(samples.map { (x($0.time), yDelay(min($0.delayQuantileSeconds * 1000, delayMax))) }, color: "#ff9800", width: 1))
        out.append(polyline(samples.map { (x($0.time), yDelay(min($0.delaySeconds * 1000, delayMax))) }, color: "#212121", width: 1.6))
        let observations = run.events.filter { $0.kind == .observation }
        for o in observations {
            out.append(#"<circle cx="\#(f(x(o.time)))" cy="\#(f(yDelay(min(o.values[0] * 1000, delayMax))))" r="1.4" fill='#6a1b9a'/>"#)
        }
        out.append(legend(top: delayTop, [
            ("#212121", "mean delay"), ("#ff9800", "p\(Int(run.scenario.twin.delayQuantile * 100)) delay"),
            ("#6a1b9a", "measured by gma"),
            ("#c62828", String(format: "offload %.0f ms / offload action", band.offloadSeconds * 1000)),
            ("#1565c0", String(format: "unoffload %.0f ms / unoffload action", band.unoffloadSeconds * 1000)),
        ]))

        // Panel 2: request rate and edge services.
        let rateTop = top + panelHeight + gap
        let rateMax = niceCeiling(samples.map(\.userRequestsPerSecond).max() ?? 1)
        let yRate = axis(top: rateTop, max: rateMax)
        out.append(frame(top: rateTop, label: "request rate (req/s)", max: rateMax, xOf: x, end: end))
        let count = Double(run.scenario.app.serviceNames.count)
        let yEdge = axis(top: rateTop, max: count)
        out.append(stepline(samples.map { (x($0.time), yEdge(Double($0.servingAtEdge.count))) }, color: "#2e7d32", width: 2))
        out.append(polyline(samples.map { (x($0.time), yRate($0.userRequestsPerSecond)) }, color: "#1565c0", width: 1.6))
        for k in stride(from: 0, through: Int(count), by: max(Int(count) / 5, 1)) {
            out.append(text(width - right + 8, yEdge(Double(k)) + 4, "\(k)", color: "#2e7d32"))
        }
        out.append(text(width - right + 8, rateTop - 8, "edge svcs", color: "#2e7d32"))
        out.append(legend(top: rateTop, [("#1565c0", "user request rate λ"), ("#2e7d32", "services serving at the edge")]))

        // Panel 3: cost.
        let costTop = rateTop + panelHeight + gap
        let costMax = niceCeiling(samples.map { max($0.costPerHour, $0.cloudOnlyCostPerHour) }.max() ?? 1)
        let yCost = axis(top: costTop, max: costMax)
        out.append(frame(top: costTop, label: "cost ($/h)", max: costMax, xOf: x, end: end))
        out.append(polyline(samples.map { (x($0.time), yCost($0.cloudOnlyCostPerHour)) }, color: "#9e9e9e", width: 1.2, dash: true))
        out.append(polyline(samples.map { (x($0.time), yCost($0.costPerHour)) }, color: "#6d4c41", width: 1.6))
        out.append(legend(top: costTop, [("#6d4c41", "placement (model cost)"), ("#9e9e9e", "cloud-only at the same load")]))
        out.append(text(left + plotWidth / 2 - 40, costTop + panelHeight + 38, "simulated time (min)"))
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    private func axis(top: Double, max: Double) -> (Double) -> Double {
        { value in top + panelHeight - panelHeight * (value / Swift.max(max, 1e-9)) }
    }

    private func frame(top: Double, label: String, max: Double, xOf: (Double) -> Double, end: Double) -> String {
        var out: [String] = []
        let plotWidth = width - left - right
        out.append(#"<rect x="\#(f(left))" y="\#(f(top))" width="\#(f(plotWidth))" height="\#(f(panelHeight))" fill="none" stroke='#616161'/>"#)
        let y = axis(top: top, max: max)
        let divisions = max.truncatingRemainder(dividingBy: 60) == 0 ? 4 : 5
        for k in 0...divisions {
            let value = max * Double(k) / Double(divisions)
            out.append(#"<line x1="\#(f(left))" y1="\#(f(y(value)))" x2="\#(f(left + plotWidth))" y2="\#(f(y(value)))" stroke='#eeeeee'/>"#)
            out.append(text(left - 8, y(value) + 4, value >= 10 ? String(format: "%.0f", value) : String(format: "%.2g", value), anchor: "end"))
        }
        let minutes = end / 60
        let stepMinutes = [5.0, 10, 15, 20, 30, 60, 120].first { minutes / $0 <= 14 } ?? 240
        var m = 0.0
        while m <= minutes + 1e-9 {
            let xm = xOf(m * 60)
            out.append(#"<line x1="\#(f(xm))" y1="\#(f(top + panelHeight))" x2="\#(f(xm))" y2="\#(f(top + panelHeight + 5))" stroke='#616161'/>"#)
            out.append(text(xm, top + panelHeight + 18, String(format: "%.0f", m), anchor: "middle"))
            m += stepMinutes
        }
        out.append(text(left, top - 24, label, weight: "bold"))
        return out.joined(separator: "\n")
    }

    private func legend(top: Double, _ items: [(String, String)]) -> String {
        var out: [String] = []
        var cursor = left + 170
        for (color, label) in items {
            out.append(#"<rect x="\#(f(cursor))" y="\#(f(top - 12))" width="14" height="4" fill="\#(color)"/>"#)
            out.append(text(cursor + 18, top - 7, escape(label), size: 11))
            cursor += 28 + Double(label.count) * 6.2
        }
        return out.joined(separator: "\n")
    }

    private func hline(_ y: Double, color: String, dash: Bool) -> String {
        #"<line x1="\#(f(left))" y1="\#(f(y))" x2="\#(f(width - right))" y2="\#(f(y))" stroke="\#(color)" stroke-width="1.2"\#(dash ? #" stroke-dasharray="6 4""# : "")/>"#
    }

    private func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String) -> String {
        #"<rect x="\#(f(x))" y="\#(f(y))" width="\#(f(w))" height="\#(f(max(h, 0)))" fill="\#(fill)"/>"#
    }

    private func polyline(_ points: [(Double, Double)], color: String, width: Double, dash: Bool = false) -> String {
        let list = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        return #"<polyline fill="none" stroke="\#(color)" stroke-width="\#(width)"\#(dash ? #" stroke-dasharray="5 3""# : "") points="\#(list)"/>"#
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

    private func text(
        _ x: Double, _ y: Double, _ s: String, size: Int = 12, weight: String = "normal", anchor: String = "start",
        color: String = "#212121"
    ) -> String {
        #"<text x="\#(f(x))" y="\#(f(y))" font-size="\#(size)" font-weight="\#(weight)" text-anchor="\#(anchor)" fill="\#(color)">\#(s)</text>"#
    }

    private func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2, 2.5, 5, 10] where value <= step * magnitude { return step * magnitude }
        return 10 * magnitude
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
