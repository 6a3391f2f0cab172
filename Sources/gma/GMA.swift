import ArgumentParser

@main
struct GMA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gma",
        abstract: "Decide which microservices run on the edge cluster, and keep the edge users' delay in band.",
        discussion: """
            Try it without clusters:  gma simulate examples/twin/lambda-sweep.yaml
            Evaluate a placement:     gma evaluate problem.json --edge s0,s3
            Cheapest placement:       gma solve problem.json --format json
            Check a configuration:    gma check --config GMAConfig.yaml
            What would gma do now?    gma decide --config GMAConfig.yaml
            Run the controller:       gma run --config GMAConfig.yaml [--dry-run]
            """,
        subcommands: [Evaluate.self, Solve.self, Check.self, Run.self, Decide.self, Generate.self, Simulate.self, Netprober.self]
    )
}
