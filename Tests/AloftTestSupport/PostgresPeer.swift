import Foundation

/// A private PostgreSQL server for the tests: `initdb` in a temporary directory, `pg_ctl start` on 127.0.0.1
/// and a free port, password authentication over TCP (scram-sha-256), started once per test process and
/// stopped when the process exits. As root it runs as the `postgres` user (initdb refuses root).
/// `scripts/setup.sh` installs Debian's `postgresql`; a missing server skips the Postgres cases locally and
/// fails them with `CI=true`.
public enum PostgresPeer {
    public struct Running: Sendable {
        public let port: Int
        /// The superuser's password (user `postgres`).
        public let password: String
        public let directory: String
        let bin: String

        /// A new empty database; its URL (without the password).
        public func createDatabase(_ label: String = "t") throws -> String {
            let name = "\(label)_\(UUID().uuidString.prefix(8).lowercased())"
            try psql("CREATE DATABASE \(name)")
            return url(database: name)
        }

        /// Runs SQL with `psql` as the superuser in `database` (an outside hand on the store).
        public func psql(_ sql: String, database: String = "postgres") throws {
            let ended = try TestProcess.run(
                bin + "/psql",
                [
                    "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1",
                    "-q", "-c", sql,
                ],
                environment: ProcessInfo.processInfo.environment.merging(["PGPASSWORD": password]) { $1 },
                limit: .seconds(60))
            guard ended.succeeded else { throw Unavailable(description: "psql \(sql): \(ended)") }
        }

        /// The URL of `database` for user `postgres`, without the password.
        public func url(database: String) -> String { "postgres://postgres@127.0.0.1:\(port)/\(database)" }

        /// `pg_ctl restart` (fast: connections are cut), waited for until the server accepts connections again.
        public func restart() throws {
            let status = PostgresPeer.spawnAndWait(
                PostgresPeer.asPostgres + [
                    bin + "/pg_ctl", "-D", directory + "/data", "-m", "fast", "-w", "-s", "restart",
                ])
            guard status == 0 else { throw Unavailable(description: "pg_ctl restart exited with \(status)") }
        }

        /// Stops a server of one's own (`PostgresPeer.startPrivate()`).
        public func stop() { PostgresPeer.stop(dataDirectory: directory + "/data") }
    }

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public static let shared: Result<Running, Unavailable> = start()

    /// The running server; throws (failing the test) when it could not start.
    public static func require() throws -> Running { try shared.get() }

    /// Whether the Postgres cases run: the server started, or `CI=true` (where a missing peer fails, never skips).
    public static var available: Bool {
        if case .success = shared { return true }
        return ProcessInfo.processInfo.environment["CI"] == "true"
    }

    nonisolated(unsafe) static var dataDirectory = ""

    private static func start() -> Result<Running, Unavailable> {
        do {
            let running = try startPrivate()
            dataDirectory = running.directory + "/data"
            atexit { PostgresPeer.stop(dataDirectory: PostgresPeer.dataDirectory) }
            return .success(running)
        } catch let error as Unavailable {
            return .failure(error)
        } catch {
            return .failure(Unavailable(description: "cannot start PostgreSQL: \(error)"))
        }
    }

    /// `runuser -u postgres --` as root (initdb and postgres refuse root), nothing otherwise.
    static var asPostgres: [String] { getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : [] }

    /// A server of the caller's own (a test that restarts it must not cut the shared one's other users off);
    /// the caller stops it.
    public static func startPrivate() throws -> Running {
        guard let bin = binDirectory() else {
            throw Unavailable(description: "PostgreSQL's initdb is not installed (bash scripts/setup.sh)")
        }
        do {
            let dir = try TemporaryDirectory.make("postgres")
            let password = UUID().uuidString
            try (password + "\n").write(toFile: dir + "/pw", atomically: true, encoding: .utf8)
            let asRoot = getuid() == 0
            if asRoot {
                for path in [dir, dir + "/pw"] { _ = try TestProcess.run(["chown", "postgres:postgres", path]) }
            }
            func run(_ tool: String, _ arguments: [String]) throws {
                let command = asRoot ? ["runuser", "-u", "postgres", "--", bin + "/" + tool] : [bin + "/" + tool]
                let ended = try TestProcess.run(command + arguments, limit: .seconds(120))
                guard ended.succeeded else { throw Unavailable(description: "\(tool) failed: \(ended)") }
            }
            try run(
                "initdb",
                [
                    "-D", dir + "/data", "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
                    "--pwfile=" + dir + "/pw", "-E", "UTF8", "--locale=C.UTF-8",
                ])
            let port = freePort()
            // Not through Foundation's Process: the server that pg_ctl leaves running would inherit the file
            // descriptor by which Process learns that its child ended, and the start would never return.
            let start =
                asPostgres + [
                    bin + "/pg_ctl", "-D", dir + "/data", "-l", dir + "/pg.log", "-o",
                    "-c listen_addresses=127.0.0.1 -p \(port) -k \(dir)", "-w", "-s", "start",
                ]
            let status = spawnAndWait(start)
            guard status == 0 else {
                let log = (try? String(contentsOfFile: dir + "/pg.log", encoding: .utf8)) ?? ""
                throw Unavailable(description: "pg_ctl start exited with \(status): \(log.suffix(1000))")
            }
            return Running(port: port, password: password, directory: dir, bin: bin)
        } catch let error as Unavailable {
            throw error
        } catch {
            throw Unavailable(description: "cannot start PostgreSQL: \(error)")
        }
    }

    /// Runs `arguments` (a path first) with no descriptor but stdin, stdout and stderr (/dev/null all);
    /// its exit status.
    static func spawnAndWait(_ arguments: [String]) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        // Every other descriptor is closed before the exec: the server must not keep another Process's open.
        let close = "for f in /proc/$$/fd/*; do n=${f##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\"; done; exec \"$@\""
        let argv = (["/bin/bash", "-c", close, "bash"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Fast shutdown of the postmaster (its pid is the first line of postmaster.pid), waited for briefly.
    static func stop(dataDirectory: String) {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
            let line = text.split(separator: "\n").first, let pid = Int32(line)
        else { return }
        kill(pid, SIGINT)
        for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
    }

    /// The newest `/usr/lib/postgresql/N/bin` with initdb, or the directory of `initdb` on PATH.
    static func binDirectory() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init)
            .sorted()
        for v in versions.reversed() where FileManager.default.isExecutableFile(atPath: "\(root)/\(v)/bin/initdb") {
            return "\(root)/\(v)/bin"
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(dir)/initdb") {
            return String(dir)
        }
        return nil
    }

    /// A port nobody listens on now: the kernel's pick for a socket bound to port 0.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
