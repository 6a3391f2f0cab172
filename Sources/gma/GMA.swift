import ArgumentParser

@main
struct GMA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gma",
        abstract: "Decide which microservices run on the edge cluster, and keep the edge users' delay in band.",
        discussion: """
            Evaluate a placement:     gma evaluate problem.json --edge s0,s3
            """,
        subcommands: [Evaluate.self, Solve.self, Check.self, Run.self, Decide.self, Generate.self, Simulate.self, Netprober.self]
    )
}
