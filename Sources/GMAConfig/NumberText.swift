import Foundation

// How gma writes numbers in messages, reports and logs; one place, so every module prints them alike.

/// A number without a trailing `.0`.
package func fmt(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(format: "%g", value)
}

/// `10`, `0.25`, `86400`: seconds with no trailing zeros, so a configured 10 s reads as it was written.
package func secondsText(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(format: "%.3g", value)
}
