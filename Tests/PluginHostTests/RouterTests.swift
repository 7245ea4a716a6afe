import AloftTestSupport
import Testing

@testable import PluginHost

@Suite(.timeLimit(.minutes(5))) struct RouterTests {
    let plugins: [(id: String, path: String, taskTypes: [String])] = [
        ("aloft.echo", "/p/libAloftPluginEcho.so", ["echo", "noop"]),
        ("example.c-echo", "/q/libc_echo.so", ["echo", "sleep"]),
        ("aloft.spark", "/p/libAloftPluginSpark.so", ["spark"]),
    ]

    @Test func twoClaimantsWithoutARouteIsAnErrorNamingBoth() {
        let router = TaskRouter(plugins: plugins, routes: [:])
        #expect(router.problems.count == 1)
        #expect(
            router.problems[0].description
                == "task type \"echo\" is claimed by aloft.echo (/p/libAloftPluginEcho.so) and "
                + "example.c-echo (/q/libc_echo.so); choose one in aloft.yaml: plugins: {routes: {echo: aloft.echo}}")
        #expect(router.pluginID(for: "echo") == nil)
        #expect(router.explainUnserved("echo") == router.problems[0].description)
        // Types with one claimant are served regardless.
        #expect(router.servedTypes == ["noop", "sleep", "spark"])
    }

    @Test func aRouteSettlesTheConflict() {
        let router = TaskRouter(plugins: plugins, routes: ["echo": "example.c-echo"])
        #expect(router.problems.isEmpty)
        #expect(router.pluginID(for: "echo") == "example.c-echo")
        #expect(router.pluginID(for: "noop") == "aloft.echo")
        #expect(router.servedTypes == ["echo", "noop", "sleep", "spark"])
    }

    @Test func badRoutesAreReportedWithTheirPlace() {
        let router = TaskRouter(
            plugins: plugins, routes: ["echo": "no.such", "spark": "aloft.echo"],
            locations: ["plugins.routes.echo": "aloft.yaml:3:5", "plugins.routes.spark": "aloft.yaml:4:5"])
        #expect(
            router.problems.map(\.description) == [
                "aloft.yaml:3:5: route echo -> no.such: no enabled plugin has the id \"no.such\"",
                "aloft.yaml:4:5: route spark -> aloft.echo: plugin aloft.echo does not serve \"spark\" (it serves echo, noop)",
            ])
        #expect(router.pluginID(for: "spark") == nil)
    }

    @Test func unknownTypeListsWhatIsServed() {
        let router = TaskRouter(plugins: plugins, routes: ["echo": "aloft.echo"])
        #expect(
            router.explainUnserved("hive")
                == "no plugin serves task type \"hive\"; served types: echo, noop, sleep, spark")
        #expect(
            TaskRouter(plugins: [], routes: [:]).explainUnserved("hive")
                == "no plugin serves task type \"hive\"; served types: none (no plugins loaded; see `aloft plugins list`)"
        )
    }

    /// The same with real plugins: the built-in Swift echo and the C echo both claim "echo".
    @Test func realPluginsConflictAndRoute() async throws {
        let dir = try Fixtures.directory(["c-echo": "libc_echo.so", "swift-echo": "libAloftPluginEcho.so"])
        let conflicted = await Fixtures.host(directory: dir)
        #expect(conflicted.problems.count == 1)
        #expect(conflicted.problems[0].contains("task type \"echo\" is claimed by"))
        #expect(conflicted.problems[0].contains("aloft.echo") && conflicted.problems[0].contains("example.c-echo"))
        guard case .failure(let error) = conflicted.plugin(forTaskType: "echo") else {
            Issue.record("conflicting type was routed")
            return
        }
        #expect(error.message == conflicted.problems[0])
        conflicted.shutdown()

        let routed = try await Fixtures.host(
            directory: Fixtures.directory(["c-echo": "libc_echo.so", "swift-echo": "libAloftPluginEcho.so"])
        ) {
            $0.routes = ["echo": "aloft.echo"]
        }
        defer { routed.shutdown() }
        #expect(routed.problems.isEmpty)
        #expect(try routed.plugin(forTaskType: "echo").get().id == "aloft.echo")
        #expect(try routed.plugin(forTaskType: "sleep").get().id == "example.c-echo")
    }
}
