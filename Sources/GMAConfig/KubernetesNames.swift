import Foundation

/// Kubernetes name rules, checked before a name reaches a query or a kubectl argument vector.
///
/// The patterns are anchored with `\A` and `\z`: `$` also matches before a final newline, which let
/// `"fluidosmesh\n"` through into kubectl's arguments (docs/reliability.md).
public enum KubernetesNames {
    /// A DNS-1123 label: namespaces (lowercase letters, digits and '-', at most 63, alphanumeric at both ends).
    public static func isLabel(_ name: String) -> Bool {
        name.utf8.count <= 63 && matches(name, #"[a-z0-9]([-a-z0-9]*[a-z0-9])?"#)
    }

    /// A DNS-1123 subdomain: Deployment, StatefulSet and HPA names (labels joined by '.', at most 253).
    public static func isSubdomain(_ name: String) -> Bool {
        name.utf8.count <= 253 && matches(name, #"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"#)
    }

    /// A label value (the pods' `app` label, hence a service name): at most 63 characters.
    public static func isLabelValue(_ value: String) -> Bool {
        value.utf8.count <= 63 && matches(value, #"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?"#)
    }

    /// Whether the whole of `text` (not a line of it) matches `pattern`.
    private static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: #"\A(?:"# + pattern + #")\z"#, options: .regularExpression) != nil
    }
}
