import AloftTestSupport
import Foundation
import Testing

/// `--store postgres://...`: a run, its listing and its lineage on a PostgreSQL server, the password from the
/// secret `postgres-password` or libpq's `PGPASSWORD`, never printed; a wrong one is one clear error.
@Suite(.timeLimit(.minutes(5)), .enabled(if: PostgresPeer.available)) struct PostgresCLITests {
    @Test func runListAndShowOnPostgres() throws {
        let peer = try PostgresPeer.require()
        let url = try peer.createDatabase("cli")
        let dir = try TemporaryDirectory.make("pg-cli")
        let run = try CLI.run(
            ["run", RunCLITests.examples + "/hello.yaml", "-i", "name=Aloft", "--store", url], cwd: dir,
            env: ["ALOFT_SECRET_POSTGRES_PASSWORD": peer.password])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasSuffix("  greeting = \"Aloft\"\n"), "\(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.aloft/metadata.sqlite"))
        let list = try CLI.run(["executions", "list", "--store", url], cwd: dir, env: ["PGPASSWORD": peer.password])
        #expect(list.status == 0, "\(list.stderr)")
        let id = try #require(
            list.stdout.split(separator: "\n").dropFirst().first?.split(separator: " ").first.map(String.init))
        let show = try CLI.run(
            ["executions", "show", id, "--store", url], cwd: dir, env: ["PGPASSWORD": peer.password])
        #expect(show.stdout.contains("outputs: greeting = \"Aloft\""), "\(show.stdout) \(show.stderr)")
    }

    @Test func aWrongPasswordIsOneLineWithoutThePassword() throws {
        let peer = try PostgresPeer.require()
        let dir = try TemporaryDirectory.make("pg-cli")
        let url = peer.url(database: "postgres")
        let r = try CLI.run(
            ["executions", "list", "--store", url], cwd: dir, env: ["ALOFT_SECRET_POSTGRES_PASSWORD": "wrong-secret-42"]
        )
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("Error: cannot open the metadata store: cannot connect to \(url): "), "\(r.stderr)")
        #expect(r.stderr.contains("password authentication failed"), "\(r.stderr)")
        #expect(!r.stderr.contains("wrong-secret-42") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }
}
