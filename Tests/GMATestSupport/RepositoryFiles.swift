import Foundation

/// Files of the checkout that are not test fixtures but that tests read as users would: the `examples/`
/// tree (configs, scenarios, dashboards) and, for the controller's tests, the problem instances that are
/// `GMAOptimizerTests`' resources. The only place a test finds a file from its source location: test data
/// of a test target is its own package resource, loaded through `Bundle.module` (docs/testing.md).
public enum RepositoryFiles {
    /// The checkout's root: this file is Tests/GMATestSupport/RepositoryFiles.swift.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let examples = root.appendingPathComponent("examples")
    /// The public problem instances (`gma decide` inputs with their reference results).
    public static let instances = root.appendingPathComponent("Tests/GMAOptimizerTests/Fixtures/instances")
}
