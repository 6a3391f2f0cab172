import Foundation
import GMATestSupport
import Testing

@testable import GMAConfig

/// Issue 8, item 4: mutated `GMAConfig.yaml` files and service manifests load to a configuration or to a
/// `ConfigError` whose every issue says where (line:column or key path). A trap ends the process, so reaching
/// the next input is the "it returned" check.
@Suite("Fuzz: GMAConfig.yaml and manifests")
struct FuzzConfigTests {
    static let configSeed: UInt64 = 0x676D_612D_636F_6E66  // "gma-conf"
    static let manifestSeed: UInt64 = 0x676D_612D_6D61_6E69  // "gma-mani"
    static let inputCount = 10_000

    static let app3 = fixturesDirectory.appendingPathComponent("app3")
    static let configPath = app3.appendingPathComponent("GMAConfig.yaml").path
    static let paths = PathResolver(baseDirectory: app3.path)

    /// The app3 manifests by the absolute path the loader asks for, read once.
    static let manifests: [String: String] = {
        let directory = app3.appendingPathComponent("manifests")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var texts: [String: String] = [:]
        for name in names.sorted() {
            texts[paths.resolve("manifests/\(name)")] = GMAConfiguration.readText(directory.appendingPathComponent(name).path)
        }
        return texts
    }()

    @Test("10,000 mutated GMAConfig.yaml files: a configuration or located errors")
    func mutatedConfigs() throws {
        let seeds = try [Self.configPath, Self.app3.appendingPathComponent("broken/GMAConfig.yaml").path].map {
            try #require(GMAConfiguration.readText($0))
        }
        // The valid seed first: it must load, or every mutation below would prove nothing.
        _ = try GMAConfiguration.parse(yaml: seeds[0], file: Self.configPath, baseDirectory: Self.app3.path) {
            Self.manifests[$0]
        }
        var rng = FuzzRandom(seed: Self.configSeed)
        let bytes = ByteMutator(donors: seeds.map { Array($0.utf8) })
        let outcome = FuzzOutcome()
        for index in 0..<Self.inputCount {
            let seed = rng.chance(85) ? seeds[0] : seeds[1]
            let text = FuzzYAMLInput.make(from: seed, bytes: bytes, using: &rng)
            do {
                _ = try GMAConfiguration.parse(yaml: text, file: Self.configPath, baseDirectory: Self.app3.path) {
                    Self.manifests[$0]
                }
                outcome.valid += 1
            } catch {
                outcome.reject(error, input: index, text: text)
            }
        }
        outcome.expectSound(inputs: Self.inputCount)
    }

    /// The app3 config cut down to the one service that owns `file`, so that one input parses only that
    /// service's manifests (the whole app made a run of 10,000 take minutes in a debug build).
    static func config(owning file: String, in full: String) throws -> String {
        let service = try #require(["frontend", "cart", "catalog"].first { (file as NSString).lastPathComponent.hasPrefix($0 + "-") })
        let names = Self.manifests.keys.map { ($0 as NSString).lastPathComponent }.filter { $0.hasPrefix(service + "-") }.sorted()
        let head = try #require(full.components(separatedBy: "    services:\n").first)
        func list(_ area: String) -> String {
            names.filter { $0.contains(area) }.map { "manifests/\($0)" }.joined(separator: ", ")
        }
        return head.replacingOccurrences(of: "locked: [frontend]", with: "locked: []") + """
                services:
                  - name: \(service)
                    id: 0
                    instances:
                      cloud-yamls: [\(list("-cloud"))]
                      edge-yamls: [\(list("-edge"))]

            """
    }

    @Test("10,000 mutated service manifests: a configuration or located errors")
    func mutatedManifests() throws {
        let full = try #require(GMAConfiguration.readText(Self.configPath))
        let files = Self.manifests.keys.sorted()
        var configs: [String: String] = [:]
        for file in files {
            configs[file] = try Self.config(owning: file, in: full)
            // Each cut-down config loads as it is.
            _ = try GMAConfiguration.parse(yaml: configs[file]!, file: Self.configPath, baseDirectory: Self.app3.path) {
                Self.manifests[$0]
            }
        }
        let bytes = ByteMutator(donors: files.map { Array(Self.manifests[$0]!.utf8) })
        var rng = FuzzRandom(seed: Self.manifestSeed)
        let outcome = FuzzOutcome()
        for index in 0..<Self.inputCount {
            let file = rng.pick(files)
            let text = FuzzYAMLInput.make(from: Self.manifests[file]!, bytes: bytes, using: &rng)
            do {
                _ = try GMAConfiguration.parse(yaml: configs[file]!, file: Self.configPath, baseDirectory: Self.app3.path) {
                    $0 == file ? text : Self.manifests[$0]
                }
                outcome.valid += 1
            } catch {
                outcome.reject(error, input: index, text: text)
            }
        }
        outcome.expectSound(inputs: Self.inputCount)
    }

    /// A control character made libyaml's reader fail with an offset only; the issue had no line:column.
    @Test("regression: a reader error (control character) has a line and column")
    func readerErrorIsLocated() throws {
        let text = "apiVersion: gma/v0\nkind: GMA\u{01}PlacerConfig\n"
        let error = try #require(throws: ConfigError.self) {
            try GMAConfiguration.parse(yaml: text, file: "c.yaml", baseDirectory: "/") { _ in nil }
        }
        #expect(FuzzOutcome.unlocated(error) == nil, "\(error)")
        #expect(error.errors.first?.line == 2 && error.errors.first?.column == 10, "\(error)")
    }

    /// A document that is a lone scalar silenced every key below it: the load failed with no error at all.
    @Test("regression: a config that is not a mapping says so", arguments: ["apiV", "- a\n- b", "'x'", "!!binary aGVsbG8="])
    func scalarDocument(text: String) throws {
        let error = try #require(throws: ConfigError.self) {
            try GMAConfiguration.parse(yaml: text, file: "c.yaml", baseDirectory: "/") { _ in nil }
        }
        #expect(FuzzOutcome.unlocated(error) == nil, "\(error)")
        #expect(error.description.contains("expected a mapping"), "\(error)")
    }

    /// A full "billion laughs" (9 levels of 9 aliases) under an unknown key: aliases are shared nodes, never
    /// expanded, so loading stays instant and the bomb is only an unknown key.
    @Test("an alias bomb in GMAConfig.yaml and in a manifest is not expanded")
    func aliasBomb() throws {
        let config = try #require(GMAConfiguration.readText(Self.configPath))
        let bomb = YAMLMutator.aliasBomb(width: 9, depth: 9, indent: "").joined(separator: "\n")
        let loaded = try GMAConfiguration.parse(yaml: config + "\n" + bomb, file: Self.configPath, baseDirectory: Self.app3.path) {
            Self.manifests[$0]
        }
        #expect(loaded.warnings.contains { $0.keyPath == "bomb-9" })
        let file = try #require(Self.manifests.keys.first { $0.hasSuffix("cart-cloud.yaml") })
        _ = try GMAConfiguration.parse(yaml: config, file: Self.configPath, baseDirectory: Self.app3.path) {
            $0 == file ? Self.manifests[file]! + "\n" + bomb : Self.manifests[$0]
        }
    }
}

/// One mutated YAML text: line-level structure, bytes, or both.
enum FuzzYAMLInput {
    static let structure = YAMLMutator()

    static func make(from seed: String, bytes: ByteMutator, using rng: inout FuzzRandom) -> String {
        switch rng.below(10) {
        case 0..<5:
            return structure.mutate(seed, using: &rng)
        case 5..<8:
            // Invalid UTF-8 is replaced, as a file read with `String(decoding:)` would be.
            return String(decoding: bytes.mutate(Array(seed.utf8), using: &rng), as: UTF8.self)
        default:
            let text = structure.mutate(seed, using: &rng)
            return String(decoding: bytes.mutate(Array(text.utf8), using: &rng), as: UTF8.self)
        }
    }
}

/// Counts the outcomes of one fuzz run and keeps the first few errors that break the contract.
final class FuzzOutcome {
    var valid = 0
    var rejected = 0
    private(set) var unlocated: [String] = []

    func reject(_ error: any Error, input: Int, text: String) {
        rejected += 1
        if let problem = Self.unlocated(error), unlocated.count < 10 {
            unlocated.append("input \(input): \(problem)\n  \(text.prefix(300))")
        }
    }

    func expectSound(inputs: Int, minimumValid: Int = 1) {
        #expect(unlocated.isEmpty, "errors without a location:\n\(unlocated.joined(separator: "\n"))")
        #expect(valid >= minimumValid, "only \(valid) inputs were accepted")
        #expect(rejected > inputs / 4, "only \(rejected) inputs were rejected")
    }

    /// Why a loading error breaks the contract (not a `ConfigError`, no errors, an issue without message or
    /// place), or nil.
    static func unlocated(_ error: any Error) -> String? {
        guard let error = error as? ConfigError else { return "not a ConfigError: \(error)" }
        if error.errors.isEmpty || error.description.isEmpty { return "no error in \(error)" }
        for issue in error.errors where issue.message.isEmpty || !names(location: issue) {
            return "issue without a location: \(issue)"
        }
        return nil
    }

    /// Line:column or a key path; or a message about the file as a whole.
    static func names(location issue: ConfigIssue) -> Bool {
        issue.line != nil || !issue.keyPath.isEmpty || wholeFile.contains { issue.message.hasPrefix($0) }
    }

    static let wholeFile = ["the file is empty", "expected one YAML document"]
}
