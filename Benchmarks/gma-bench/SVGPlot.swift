import Foundation
import GMACharts

/// Two panels drawn from the per-size rows: median solve time against services (log–log), and median cost
/// ratio against services (to SBMP on the public instances, to the cheapest found on generated apps).
struct SVGPlot {
    struct Point {
        var services: Double
        var value: Double
        var generated: Bool
    }

    var series: [(name: String, time: [Point], ratio: [Point])] = []

    init(bySize: [BenchSummaryRow]) {
        var names: [String] = []
        for row in bySize where !names.contains(row.solver) { names.append(row.solver) }
        for name in names {
            var time: [Point] = []
            var ratio: [Point] = []
            for row in bySize where row.solver == name {
                let parts = row.group.split(separator: "-")
                guard let size = parts.last.flatMap({ Double($0) }), !row.group.hasPrefix("unoffload") else { continue }
                let generated = row.group.hasPrefix("generated")
                let p50 = BenchStatistics.percentile(row.seconds, 0.5)
                if p50.isFinite && p50 > 0 { time.append(Point(services: size, value: p50 * 1000, generated: generated)) }
                let r = BenchStatistics.percentile(generated ? row.ratiosToBest : row.ratiosToSBMP, 0.5)
                if r.isFinite { ratio.append(Point(services: size, value: r, generated: generated)) }
            }
            series.append((name, time, ratio))
        }
    }

    static let colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728", "#8c564b"]

    func render() -> String {
        let width = 1000.0
        let height = 420.0
        var svg = SVGElements.document(width: Int(width), height: Int(height)) + "\n"
        let allTimes = series.flatMap { $0.time.map(\.value) }
        let allRatios = series.flatMap { $0.ratio.map(\.value) }
        let allSizes = series.flatMap { $0.time.map(\.services) + $0.ratio.map(\.services) }
        guard let minSize = allSizes.min(), let maxSize = allSizes.max() else { return svg + "</svg>\n" }
        let xLow = floor(log10(minSize))
        let xHigh = max(ceil(log10(maxSize)), xLow + 1)
        let tLow = floor(log10(allTimes.min() ?? 0.1))
        let tHigh = max(ceil(log10(allTimes.max() ?? 1)), tLow + 1)
        let rLow = min(allRatios.min() ?? 0.99, 0.995)
        let rHigh = max(allRatios.max() ?? 1.01, 1.005)

        let left = Panel(x: 70, y: 40, width: 380, height: 300)
        let right = Panel(x: 560, y: 40, width: 380, height: 300)
        svg += left.frame(title: "Solve time, median per size (ms, log scale)", xLabel: "services (log scale)")
        svg += right.frame(title: "Cost ratio, median per size", xLabel: "services (log scale)")
        for e in Int(xLow)...Int(xHigh) {
            let label = BenchFormat.number(pow(10, Double(e)))
            svg += left.xTick(at: (Double(e) - xLow) / (xHigh - xLow), label: label)
            svg += right.xTick(at: (Double(e) - xLow) / (xHigh - xLow), label: label)
        }
        for e in Int(tLow)...Int(tHigh) {
            svg += left.yTick(at: (Double(e) - tLow) / (tHigh - tLow), label: BenchFormat.number(pow(10, Double(e)), digits: e < 0 ? -e : 3))
        }
        for k in 0...4 {
            let v = rLow + (rHigh - rLow) * Double(k) / 4
            svg += right.yTick(at: Double(k) / 4, label: String(format: "%.3f", v))
        }
        svg += right.line(from: (0, (1 - rLow) / (rHigh - rLow)), to: (1, (1 - rLow) / (rHigh - rLow)), colour: "#999", dash: true)

        func fx(_ s: Double) -> Double { (log10(s) - xLow) / (xHigh - xLow) }
        for (i, s) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count]
            for (panel, points, fy) in [
                (left, s.time, { (v: Double) in (log10(v) - tLow) / (tHigh - tLow) }),
                (right, s.ratio, { (v: Double) in (v - rLow) / (rHigh - rLow) }),
            ] {
                for generated in [false, true] {
                    let part = points.filter { $0.generated == generated }.sorted { $0.services < $1.services }
                    svg += panel.polyline(part.map { (fx($0.services), fy($0.value)) }, colour: colour)
                    for p in part { svg += panel.marker(at: (fx(p.services), fy(p.value)), colour: colour, square: generated) }
                }
            }
            // Legend.
            let y = 375.0 + Double(i / 3) * 18
            let x = 70.0 + Double(i % 3) * 200
            svg += SVGElements.rect(x: x, y: y - 9, width: 14, height: 4, fill: colour)
            svg += SVGElements.text(x: x + 20, y: y - 4, SVGElements.escape(s.name)) + "\n"
        }
        svg += SVGElements.text(x: 660, y: 371, "● public instances   ■ generated apps") + "\n"
        svg += SVGElements.text(x: 660, y: 389, "ratio: to SBMP (public), to the cheapest found (generated)", size: 10) + "\n"
        return svg + "</svg>\n"
    }

    struct Panel {
        var x: Double
        var y: Double
        var width: Double
        var height: Double

        func point(_ p: (Double, Double)) -> (Double, Double) { (x + p.0 * width, y + (1 - p.1) * height) }

        func frame(title: String, xLabel: String) -> String {
            SVGElements.rect(x: x, y: y, width: width, height: height, fill: "none", stroke: "#333") + "\n"
                + SVGElements.text(x: x + width / 2, y: y - 12, SVGElements.escape(title), weight: "bold", anchor: "middle") + "\n"
                + SVGElements.text(x: x + width / 2, y: y + height + 34, SVGElements.escape(xLabel), anchor: "middle") + "\n"
        }

        func xTick(at f: Double, label: String) -> String {
            let (px, py) = point((f, 0))
            return SVGElements.line(x1: px, y1: py, x2: px, y2: y, stroke: "#eee")
                + SVGElements.text(x: px, y: py + 16, SVGElements.escape(label), anchor: "middle") + "\n"
        }

        func yTick(at f: Double, label: String) -> String {
            let (px, py) = point((0, f))
            return SVGElements.line(x1: px, y1: py, x2: x + width, y2: py, stroke: "#eee")
                + SVGElements.text(x: px - 6, y: py + 4, SVGElements.escape(label), anchor: "end") + "\n"
        }

        func line(from a: (Double, Double), to b: (Double, Double), colour: String, dash: Bool) -> String {
            let (x1, y1) = point(a)
            let (x2, y2) = point(b)
            return SVGElements.line(x1: x1, y1: y1, x2: x2, y2: y2, stroke: colour, dash: dash ? "4 3" : nil) + "\n"
        }

        func polyline(_ points: [(Double, Double)], colour: String) -> String {
            guard points.count > 1 else { return "" }
            return SVGElements.polyline(points.map { p in
                let (px, py) = point(p)
                return (x: px, y: py)
            }, stroke: colour, width: 1.5) + "\n"
        }

        func marker(at p: (Double, Double), colour: String, square: Bool) -> String {
            let (px, py) = point(p)
            return (square
                ? SVGElements.rect(x: px - 3, y: py - 3, width: 6, height: 6, fill: colour)
                : SVGElements.circle(x: px, y: py, radius: 3, fill: colour)) + "\n"
        }
    }
}
