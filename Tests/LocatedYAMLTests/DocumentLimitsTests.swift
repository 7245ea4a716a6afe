import AloftWire
import Foundation
import LocatedYAML
import Testing

/// Hostile documents (issue 15, defect 4): each refused at its place with the limit it passes, before it can
/// exhaust memory or the stack; documents within the limits read as before.
@Suite struct DocumentLimitsTests {
    /// The classic "billion laughs": nine levels of ten aliases each, 10^9 values from under a kilobyte.
    static func billionLaughs(levels: Int = 9) -> String {
        var s = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for l in 1..<levels {
            s += "a\(l): &a\(l) [" + Array(repeating: "*a\(l - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        return s
    }

    func error(_ text: String, limits: DocumentLimits = .standard) -> DocumentError? {
        do {
            _ = try YAMLDocument.parse(text, file: "bomb.yaml", limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func billionLaughsIsRefusedAtTheAliasThatPassesTheLimit() throws {
        let text = Self.billionLaughs()
        #expect(text.utf8.count == 531)
        let e = try #require(error(text))
        // 100 values per byte of 531: the fourth alias of level 4 (11,111 values each) passes 53,100.
        #expect(e.location == SourceLocation(file: "bomb.yaml", line: 5, column: 25))
        #expect(
            e.message == "alias *a3 expands to 11,111 values, past the limit on what aliases may add to this document: "
                + "53,100 values (100 per byte of its 531 bytes; never more than 1,000,000)")
    }

    @Test func aliasesAreBoundedAbsolutelyInLargeDocuments() throws {
        // A large document (padding makes the per-byte allowance large) still stops at 1,000,000 values.
        let text = String(repeating: "# padding\n", count: 100_000) + Self.billionLaughs()
        let e = try #require(error(text))
        #expect(e.message.contains("aliases may add to this document: 1,000,000 values"))
    }

    @Test func reusedAnchorsWithinTheAllowanceExpand() throws {
        var text = "base: &base {image: python, retries: 3, env: {A: '1', B: '2'}}\n"
        for i in 0..<200 { text += "t\(i): *base\n" }
        let doc = try #require(try YAMLDocument.parse(text, file: "ok.yaml"))
        #expect(doc.json["t199"] == doc.json["base"])
    }

    @Test func nestingDeeperThanTheLimitIsRefusedWhereItPasses() throws {
        let ok = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(error(ok) == nil)
        let deep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        let e = try #require(error(deep))
        #expect(e.location == SourceLocation(file: "bomb.yaml", line: 1, column: 257))
        #expect(e.message == "nesting deeper than 256 levels")
    }

    @Test func anAliasNestsWhereItStands() throws {
        // Each anchor is 200 deep; used 200 deep, it would be 400 deep once expanded.
        let open = String(repeating: "[", count: 200), close = String(repeating: "]", count: 200)
        let text = "a: &a \(open)1\(close)\nb: \(open)*a\(close)\n"
        let e = try #require(error(text))
        #expect(e.location == SourceLocation(file: "bomb.yaml", line: 2, column: 204))
        #expect(
            e.message == "alias *a brings 200 levels of nesting to a place 201 deep: nesting deeper than 256 levels")
        // Used 56 deep (inside the mapping and 55 brackets) it fits exactly.
        let fits =
            "a: &a \(open)1\(close)\nb: \(String(repeating: "[", count: 55))*a\(String(repeating: "]", count: 55))\n"
        #expect(error(fits) == nil)
    }

    @Test func aDocumentLargerThanTheLimitIsRefusedBeforeParsing() throws {
        let e = try #require(error(String(repeating: "a", count: 1025), limits: DocumentLimits(maxBytes: 1024)))
        #expect(e.location == SourceLocation(file: "bomb.yaml", line: 1, column: 1))
        #expect(e.message == "the document is 1,025 bytes, more than the limit of 1 KiB")
        let big = try #require(error(String(repeating: " ", count: (64 << 20) + 1)))
        #expect(big.message == "the document is 67,108,865 bytes, more than the limit of 64 MiB")
    }

    @Test func theDeepestDocumentReadsOnACooperativeThreadStack() {
        // `aloft compile` and `run` read documents on Swift's cooperative pool: 512 KiB of stack on Linux.
        let text = String(repeating: "- ", count: 256) + "x\n"
        let json = onSmallStack { (try? YAMLDocument.parse(text, file: "deep.yaml"))?.json }
        var levels = 0
        var value = json
        while case .array(let items)? = value {
            levels += 1
            value = items.first
        }
        #expect(levels == 256)
    }
}

/// Runs `body` on a thread with the stack of Swift's cooperative pool on Linux, and waits for it.
func onSmallStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let box = Box<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.value = body()
        done.signal()
    }
    thread.stackSize = 512 << 10
    thread.start()
    done.wait()
    return box.value!
}

/// Written by the thread, read after the semaphore: the semaphore orders the two.
private final class Box<T>: @unchecked Sendable {
    var value: T?
}
