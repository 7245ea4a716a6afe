import AloftCommandLine
import AloftSystem
import ArgumentParser
import Glibc
import PluginHost

/// `aloft serve` replaces this process (exec) with `aloft-server` from aloft's own directory, the arguments after
/// `serve` passed on: the server is its own binary so its HTTP stack (Hummingbird, NIO) is not loaded, relocated
/// and scanned for protocol conformances by every other command. `--help` goes to the server, which lists its
/// options.
struct ServeCommand: ParsableCommand {
    static let serverName = "aloft-server"
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API over the stores; executions launched through it run in this process.",
        discussion: """
            `aloft serve --help` lists the server's options. The server is the binary aloft-server, which must \
            be installed beside aloft (swift build builds both).
            """,
        helpNames: [])

    @Argument(parsing: .captureForPassthrough, help: "The server's options (`aloft serve --help` lists them).")
    var arguments: [String] = []

    func run() throws {
        let server = try Self.serverPath()
        fflush(nil)
        let argv = [server] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        execv(server, &cArguments)
        let cause = String(cString: strerror(errno))
        throw CLIError("cannot start \(server) for `aloft serve`: \(cause)")
    }

    /// `aloft-server` in the directory of the running `aloft` (symbolic links resolved), when it is there.
    static func serverPath() throws -> String {
        guard let directory = PluginSearchPath.executableDirectory() else {
            throw CLIError("cannot find aloft's own file (/proc/self/exe) to start \(serverName) beside it")
        }
        let path = PathString.appending(directory, serverName)
        guard access(path, X_OK) == 0 else {
            throw CLIError(
                "`aloft serve` runs \(path), which is missing or not executable: install \(serverName) beside aloft "
                    + "(swift build --product \(serverName))")
        }
        return path
    }
}
