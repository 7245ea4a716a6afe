import AloftWire
import Foundation
import PluginHost
import Testing

@testable import AloftEngine

@Suite struct NodeStateTests {
    let userError = TaskError(kind: .user, retryable: true, code: .plugin("Exit1"), message: "exit 1")
    let systemError = TaskError(kind: .system, retryable: true, code: .plugin("Throttled"), message: "429")
    let permanent = TaskError(kind: .user, retryable: false, code: .plugin("BadSQL"), message: "syntax error")

    @Test func theHandWrittenJSONIsWhatJSONEncoderWritesAndReadsBack() throws {
        var s = NodeState(budget: RetryBudget(user: 2, system: 1))
        var states = [s]
        _ = try s.apply(.start)
        states.append(s)
        _ = try s.apply(
            .attemptFailed(
                TaskError(kind: .user, retryable: true, code: .plugin("Exit1"), message: "exit 1 \"quoted\" ünïcode\n"))
        )
        states.append(s)
        _ = try s.apply(.attemptSucceeded)
        states.append(s)
        var sync = NodeState(budget: RetryBudget(user: 12, system: 0))
        _ = try sync.apply(.startSync)
        sync.callInFlight = CallInFlight(call: "run_sync", attempt: 0, deaths: 11)
        states.append(sync)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for state in states {
            let text = state.jsonText
            // Byte for byte the canonical writing of the same document as a tree.
            #expect(text == JSONWriter.string(state.jsonTree))
            #expect(try JSONDecoder().decode(NodeState.self, from: Data(text.utf8)) == state)
            let viaEncoder = try JSONSerialization.jsonObject(with: encoder.encode(state)) as? NSDictionary
            let viaText = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
            #expect(viaEncoder == viaText, "\(text)")
        }
    }

    @Test func happyPath() throws {
        var s = NodeState(budget: RetryBudget(user: 0))
        #expect(try s.apply(.start) == .submit(attempt: 0))
        #expect(s.phase == .running)
        #expect(try s.apply(.attemptSucceeded) == .endAttempt(attempt: 0, abort: false, then: .done))
        #expect(s.phase == .succeeded && !s.cached)
    }

    @Test func userAndSystemBudgetsAreSeparate() throws {
        var s = NodeState(budget: RetryBudget(user: 1, system: 2))
        _ = try s.apply(.start)
        #expect(
            try s.apply(.attemptFailed(systemError)) == .endAttempt(attempt: 0, abort: false, then: .submit(attempt: 1))
        )
        #expect(
            try s.apply(.attemptFailed(systemError)) == .endAttempt(attempt: 1, abort: false, then: .submit(attempt: 2))
        )
        // system failures did not spend the user budget
        #expect(
            try s.apply(.attemptFailed(userError)) == .endAttempt(attempt: 2, abort: false, then: .submit(attempt: 3)))
        #expect(try s.apply(.attemptFailed(userError)) == .endAttempt(attempt: 3, abort: false, then: .done))
        #expect(s.phase == .failed)
        #expect(s.userFailures == 2 && s.systemFailures == 2)
        #expect(s.lastError == userError)
    }

    @Test func permanentErrorsAreNotRetried() throws {
        var s = NodeState(budget: RetryBudget(user: 5))
        _ = try s.apply(.start)
        #expect(try s.apply(.attemptFailed(permanent)) == .endAttempt(attempt: 0, abort: false, then: .done))
        #expect(s.phase == .failed && s.attempt == 0)
    }

    @Test func timeoutAbortsTheAttemptThenRetriesWithinTheUserBudget() throws {
        var s = NodeState(budget: RetryBudget(user: 1))
        _ = try s.apply(.start)
        #expect(try s.apply(.timedOut) == .endAttempt(attempt: 0, abort: true, then: .submit(attempt: 1)))
        #expect(try s.apply(.timedOut) == .endAttempt(attempt: 1, abort: true, then: .done))
        #expect(s.phase == .failed)
        #expect(s.lastError?.code == .timeout)
    }

    @Test func abortSkipAndCache() throws {
        var running = NodeState(budget: RetryBudget(user: 0))
        _ = try running.apply(.start)
        #expect(try running.apply(.abortRequested) == .endAttempt(attempt: 0, abort: true, then: .done))
        #expect(running.phase == .aborted)

        var queued = NodeState(budget: RetryBudget(user: 0))
        #expect(try queued.apply(.upstreamFailed) == .nothing)
        #expect(queued.phase == .skipped)

        var hit = NodeState(budget: RetryBudget(user: 0))
        #expect(try hit.apply(.cacheHit) == .nothing)
        #expect(hit.phase == .succeeded && hit.cached)
    }

    @Test func terminalStatesRefuseEvents() throws {
        var s = NodeState(budget: RetryBudget(user: 0))
        _ = try s.apply(.start)
        _ = try s.apply(.attemptSucceeded)
        for e: NodeState.Event in [
            .start, .attemptSucceeded, .attemptFailed(userError), .timedOut, .abortRequested, .cacheHit,
        ] {
            #expect(throws: NodeState.TransitionError.self) { try s.apply(e) }
        }
        #expect(s.phase == .succeeded)
    }

    @Test func stateSurvivesEncoding() throws {
        var s = NodeState(budget: RetryBudget(user: 2, system: 1))
        _ = try s.apply(.start)
        _ = try s.apply(.attemptFailed(systemError))
        let data = try JSONEncoderShim.encode(s)
        #expect(try JSONEncoderShim.decode(NodeState.self, data) == s)
    }
}

enum JSONEncoderShim {
    static func encode<T: Encodable>(_ v: T) throws -> Data { try JSONEncoder().encode(v) }
    static func decode<T: Decodable>(_ t: T.Type, _ d: Data) throws -> T { try JSONDecoder().decode(t, from: d) }
}

extension NodeState {
    /// The same document as `jsonText`, built as a tree and written by the general `JSONWriter`: the
    /// reference the direct writer is tested against.
    var jsonTree: JSON {
        var o: [String: JSON] = [
            "phase": .string(phase.rawValue), "attempt": .integer(Int64(attempt)),
            "userFailures": .integer(Int64(userFailures)),
            "systemFailures": .integer(Int64(systemFailures)), "cached": .bool(cached),
            "budget": .object(["user": .integer(Int64(budget.user)), "system": .integer(Int64(budget.system))]),
        ]
        if let e = lastError {
            o["lastError"] = .object([
                "kind": .string(e.kind.rawValue), "retryable": .bool(e.retryable), "code": .string(e.code.rawValue),
                "message": .string(e.message),
            ])
        }
        if synchronous == true { o["synchronous"] = .bool(true) }
        if let c = callInFlight {
            o["callInFlight"] = .object([
                "call": .string(c.call), "attempt": .integer(Int64(c.attempt)), "deaths": .integer(Int64(c.deaths)),
            ])
        }
        return .object(o)
    }
}
