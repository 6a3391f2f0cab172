/// Kubernetes name rules, checked before a name reaches a query or a kubectl argument vector.
public enum KubernetesNames {
    /// A DNS-1123 label: namespaces (lowercase letters, digits and '-', at most 63, alphanumeric at both ends).
    public static func isLabel(_ name: String) -> Bool {
        name.utf8.count <= 63 && name.range(of: #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"#, options: .regularExpression) != nil
    }

    /// A DNS-1123 subdomain: Deployment, StatefulSet and HPA names (labels joined by '.', at most 253).
    public static func isSubdomain(_ name: String) -> Bool {
        name.utf8.count <= 253
            && name.range(
                of: #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#, options: .regularExpression)
                != nil
    }

    /// A label value (the pods' `app` label, hence a service name): at most 63 characters.
    public static func isLabelValue(_ value: String) -> Bool {
        value.utf8.count <= 63
            && value.range(of: #"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$"#, options: .regularExpression) != nil
    }
}
