import Foundation

/// Writes OpenMetrics text whose counters grow at exact constant rates, for `promtool tsdb
/// create-blocks-from openmetrics`. A rate over any window inside the covered span is then exactly the
/// rate given here, so tests can assert the numbers they put in.
struct OpenMetricsWriter {
    /// Last sample time (Unix seconds); the data covers `[end − span, end]`.
    let end: Int
    let span: Int
    let step: Int

    private enum Kind: String { case counter, gauge, histogram }

    private struct Family {
        var kind: Kind
        /// Label text → series; insertion order kept so the file is stable.
        var order: [String] = []
        var series: [String: Series] = [:]
    }

    private enum Series {
        case counter(rate: Double)
        case gauge(value: Double)
        /// Cumulative rates per `le` (in the order given, `+Inf` last) and the rate of the sum.
        case histogram(buckets: [(le: String, rate: Double)], sumRate: Double)
    }

    private var familyOrder: [String] = []
    private var families: [String: Family] = [:]

    init(end: Int, span: Int = 20 * 60, step: Int = 15) {
        self.end = end
        self.span = span
        self.step = step
    }

    /// A counter family `name` (samples `name_total`); the same labels again add to the rate.
    mutating func counter(_ name: String, _ labels: [String: String], rate: Double) {
        update(name, .counter, labels) { old in
            if case .counter(let r) = old { return .counter(rate: r + rate) }
            return .counter(rate: rate)
        }
    }

    mutating func gauge(_ name: String, _ labels: [String: String], value: Double) {
        update(name, .gauge, labels) { _ in .gauge(value: value) }
    }

    /// `cumulative` gives the rate of observations ≤ each bound; `+Inf` is appended from the last bound.
    /// The same labels again add up, as two sources of one series would.
    mutating func histogram(_ name: String, _ labels: [String: String], bounds: [Double], cumulative: [Double], sumRate: Double) {
        precondition(bounds.count == cumulative.count)
        var buckets = zip(bounds, cumulative).map { (le: Self.number($0), rate: $1) }
        buckets.append((le: "+Inf", rate: cumulative.last ?? 0))
        update(name, .histogram, labels) { old in
            guard case .histogram(let previous, let previousSum) = old else { return .histogram(buckets: buckets, sumRate: sumRate) }
            precondition(previous.map(\.le) == buckets.map(\.le), "histogram \(name) with two bucket layouts")
            let merged = zip(previous, buckets).map { (le: $0.le, rate: $0.rate + $1.rate) }
            return .histogram(buckets: merged, sumRate: previousSum + sumRate)
        }
    }

    func render() -> String {
        var out = ""
        let times = stride(from: end - span, through: end, by: step)
        for name in familyOrder {
            let family = families[name]!
            out += "# TYPE \(name) \(family.kind.rawValue)\n"
            for labels in family.order {
                for t in times {
                    let elapsed = Double(t - (end - span))
                    switch family.series[labels]! {
                    case .counter(let rate):
                        out += "\(name)_total\(braced(labels)) \(Self.number(rate * elapsed)) \(t)\n"
                    case .gauge(let value):
                        out += "\(name)\(braced(labels)) \(Self.number(value)) \(t)\n"
                    case .histogram(let buckets, let sumRate):
                        for bucket in buckets {
                            let withLe = labels.isEmpty ? "le=\"\(bucket.le)\"" : labels + ",le=\"\(bucket.le)\""
                            out += "\(name)_bucket{\(withLe)} \(Self.number(bucket.rate * elapsed)) \(t)\n"
                        }
                        out += "\(name)_count\(braced(labels)) \(Self.number((buckets.last?.rate ?? 0) * elapsed)) \(t)\n"
                        out += "\(name)_sum\(braced(labels)) \(Self.number(sumRate * elapsed)) \(t)\n"
                    }
                }
            }
        }
        return out + "# EOF\n"
    }

    private mutating func update(_ name: String, _ kind: Kind, _ labels: [String: String], _ change: (Series?) -> Series) {
        let text = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }.joined(separator: ",")
        if families[name] == nil {
            families[name] = Family(kind: kind)
            familyOrder.append(name)
        }
        precondition(families[name]!.kind == kind, "family \(name) used as two types")
        if families[name]!.series[text] == nil { families[name]!.order.append(text) }
        families[name]!.series[text] = change(families[name]!.series[text])
    }

    private func braced(_ labels: String) -> String { labels.isEmpty ? "" : "{\(labels)}" }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integral values without a fraction, others in Swift's shortest round-trip form.
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }
}
