/// Which keys each object of a `gma/v1` problem may hold (docs/problem-format.md, "Keys").
///
/// JSONDecoder ignores keys a type does not know and keeps the last of duplicated ones, so a typo'd optional key
/// (`"lockd": true`) would silently take its default. `JSONKeyCheck` walks the document against this shape first.
/// The shape must list exactly the coding keys of `PlacementProblem` and its parts; a test encodes a problem with
/// every optional value set and compares.
indirect enum JSONShape: Sendable {
    /// An object with these keys, each with the shape of its value.
    case object([String: JSONShape])
    /// An array whose elements all have this shape.
    case array(JSONShape)
    /// Anything else: its type is the decoder's concern.
    case value
}

enum ProblemSchema {
    static let perArea: JSONShape = .object(["cloud": .value, "edge": .value])

    static let service: JSONShape = .object([
        "name": .value, "cpuRequestCores": perArea, "memoryRequestBytes": perArea, "cpuUsageCores": perArea,
        "memoryUsageBytes": perArea, "responseBytes": .value, "internalDelaySeconds": .value, "hpaCpuThreshold": .value,
        "atEdge": .value, "locked": .value,
    ])

    static let areaPrices: JSONShape = .object(["cpuCoreHour": .value, "memoryGBHour": .value])

    static let problem: JSONShape = .object([
        "apiVersion": .value,
        "kind": .value,
        "metadata": .object(["name": .value, "source": .value]),
        "action": .value,
        "services": .array(service),
        "ingress": .object(["cpuRequestCores": perArea, "memoryRequestBytes": perArea, "countsOneCloudReplica": .value]),
        "calls": .array(.object(["from": .value, "to": .value, "perRequest": .value])),
        "userRequestsPerSecond": .value,
        "network": .object(["rttSeconds": .value, "cloudToEdgeBitsPerSecond": .value, "edgeToCloudBitsPerSecond": .value]),
        "prices": .object(["edge": areaPrices, "cloud": areaPrices, "networkGB": .value]),
        "target": .object(["delayReductionSeconds": .value, "maxDelayIncreaseSeconds": .value]),
    ])
}
