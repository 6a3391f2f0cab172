import GMACharts
import Testing

@testable import GMATwin

/// The hand-written output formats: every expected text below is worked out by hand from the rules in
/// `Sources/GMACharts` (RFC 4180 quoting, XML's three content characters, one-decimal coordinates).
@Suite("Charts: SVG elements, axes and CSV tables")
struct ChartsTests {
    /// A comma or a quote forces quotes around the field, the quote doubled; plain fields stay bare.
    @Test func csvQuotesFieldsWithCommasQuotesAndLineBreaks() {
        var table = CSVTable(header: ["name", "note"])
        table.append(["public offload, 10-100 services", #"say "hi""#])
        table.append(["plain", "two\nlines"])
        table.append(["", "3.250"])
        #expect(table.text == "name,note\n\"public offload, 10-100 services\",\"say \"\"hi\"\"\"\n"
            + "plain,\"two\nlines\"\n,3.250\n")
    }

    @Test func csvOfOnlyAHeaderIsOneLine() {
        #expect(CSVTable(header: ["a", "b"]).text == "a,b\n")
    }

    /// `&` goes first: escaping it after `<` would turn `&lt;` into `&amp;lt;`.
    @Test func escapeReplacesTheThreeContentCharacters() {
        #expect(SVGElements.escape("<&>") == "&lt;&amp;&gt;")
        #expect(SVGElements.escape("p95 < 120 ms & rising") == "p95 &lt; 120 ms &amp; rising")
    }

    /// 7.3 in 5 divisions: raw step 1.46, the first round step at or above it is 2; 7.3 / 2 = 3.65 → 4 steps, top 8.
    @Test func axisScaleOfSevenPointThreeStepsByTwoToEight() {
        let scale = AxisScale(max: 7.3)
        #expect(scale.step == 2 && scale.max == 8)
        #expect(scale.ticks.map(scale.label) == ["0", "2", "4", "6", "8"])
    }

    /// Counts: 3 services in 5 divisions would step by 1 (0.6 rounded up), top 3.
    @Test func integralAxisStepsByWholeNumbers() {
        let scale = AxisScale(max: 3, divisions: 5, integral: true)
        #expect(scale.ticks == [0, 1, 2, 3])
    }

    /// Points with one decimal (10.26 → 10.3, 3.14159 → 3.1, -1.04 → -1.0); width in its shortest form.
    @Test func polylineWritesOneDecimalPointsAndTheDash() {
        let text = SVGElements.polyline([(0, 0), (10.26, 3.14159), (20, -1.04)], stroke: "#123456", width: 1.5, dash: "5 3")
        #expect(text == ##"<polyline fill="none" stroke="#123456" stroke-width="1.5" stroke-dasharray="5 3" points="0.0,0.0 10.3,3.1 20.0,-1.0"/>"##)
    }

    @Test func lineAndTextWriteOnlyTheAttributesGiven() {
        #expect(SVGElements.line(x1: 1, y1: 2, x2: 3.05001, y2: 4, stroke: "#eee")
            == ##"<line x1="1.0" y1="2.0" x2="3.1" y2="4.0" stroke="#eee"/>"##)
        #expect(SVGElements.line(x1: 0, y1: 0, x2: 5, y2: 0, stroke: "red", width: 2, dash: "4 2", opacity: 0.45)
            == #"<line x1="0.0" y1="0.0" x2="5.0" y2="0.0" stroke="red" stroke-opacity="0.45" stroke-width="2" stroke-dasharray="4 2"/>"#)
        #expect(SVGElements.text(x: 10, y: 20, "ms", anchor: "end") == #"<text x="10.0" y="20.0" text-anchor="end">ms</text>"#)
    }

    /// The twin's timeline.csv keeps the header it had before CSVTable wrote it: scripts and tests read it by name.
    @Test func twinTimelineHeaderIsUnchanged() async throws {
        let scenario = try Scenario.parse("app: mubench\nload:\n  - hold: {rate: 240, for: 2m}\n", file: "header.yaml")
        let csv = try await TwinSimulation(scenario: scenario).run().csv
        let header = csv.prefix { $0 != "\n" }
        #expect(header == "time_s,rate_rps,rtt_ms,bandwidth_mbps,delay_ms,delay_quantile_ms,network_ms,processing_ms,"
            + "queueing_ms,rho,edge_services,edge_count,replicas_cloud,replicas_edge,cost_per_hour,cloud_only_cost_per_hour,"
            + "extra_cost_per_hour,measured_delay_ms,oracle_cost_per_hour,oracle_edge_count")
        #expect(csv.hasSuffix("\n") && !csv.contains("\"") && csv.split(separator: "\n").count > 2)
    }
}
