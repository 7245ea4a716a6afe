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
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for state in states {
            let text = state.jsonText
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
