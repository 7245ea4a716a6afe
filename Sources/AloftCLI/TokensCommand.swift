import AloftCommandLine
import AloftEngine
import ArgumentParser
import FoundationEssentials

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "API tokens for `aloft serve`: create, list, revoke.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Make a token for some projects; its secret is printed once and stored only hashed.")
        @Option(help: "A project the token covers (repeat for several).") var project: [String] = []
        @Flag(
            help: "A platform operator's token: every project, also those created later; an admin one creates projects."
        )
        var allProjects = false
        @Option(help: "viewer (read), launcher (also launch, abort, relaunch) or admin.") var role: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard let role = TokenRole(rawValue: role) else {
                throw CLIError("--role \(role): expected viewer, launcher or admin")
            }
            guard project.isEmpty == allProjects else {
                throw CLIError(
                    allProjects ? "give --all-projects or --project, not both" : "give at least one --project")
            }
            let store = try storeOptions.openMetadata()
            for p in project where try store.project(id: p) == nil {
                throw CLIError("no project \(p); create it with `aloft projects create \(p)`")
            }
            let (record, secret) = APITokens.make(projects: allProjects ? [APITokens.allProjects] : project, role: role)
            try store.createToken(record)
            var stderr = StandardError()
            print(
                "token \(record.id) (\(role.rawValue) of \(allProjects ? "all projects" : project.joined(separator: ", "))); "
                    + "the secret below is shown only now:", to: &stderr)
            print(secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List tokens (never their secrets).")
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let tokens = try storeOptions.openMetadata().tokens()
            let rows = tokens.map {
                [
                    $0.id, $0.role.rawValue,
                    $0.coversAllProjects ? "(all projects)" : $0.projects.joined(separator: ","),
                    ViewTime.text($0.createdAt),
                    $0.revoked ? "revoked" : "active",
                ]
            }
            print(PluginReport.table([["ID", "ROLE", "PROJECTS", "CREATED", "STATE"]] + rows), terminator: "")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke", abstract: "Revoke a token by its id (tok-...).")
        @Argument(help: "The token's id.") var id: String
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard try storeOptions.openMetadata().revokeToken(id: id) else {
                throw CLIError("no token \(id); `aloft tokens list` lists them")
            }
            print("revoked \(id)")
        }
    }
}
