import AloftCompiler
import AloftTyping
import AloftWire
import Foundation
import LocatedYAML
import PluginHost
import Testing

/// Hostile specs (issue 15, defects 4, 6 and 8): each refused with its place and the limit it passes, or
/// compiled, never crashing, in time linear in its size (timed by `aloft-bench compile hostile`, never
/// here). Everything compiles on a 512 KiB stack, as in the CLI.
@Suite struct HostileSpecTests {
    static let cases = Paths.files(Paths.corpus + "/hostile", ext: ".yaml")

    /// Each file in Corpus/hostile produces exactly the diagnostics in its .expected file.
    @Test(arguments: cases)
    func refusedWithItsPlaceAndLimit(path: String) throws {
        let expected = try String(
            contentsOfFile: path.replacingOccurrences(of: ".yaml", with: ".expected"), encoding: .utf8
        )
        .split(separator: "\n").map(String.init)
        let result = onSmallStack { compiler.compile(files: [path]) }
        #expect(result.spec == nil)
        #expect(
            result.diagnostics.map { "\($0.location.line):\($0.location.column): error: \($0.message)" } == expected)
        for d in result.diagnostics { #expect(d.location.file == path) }
    }

    func compile(_ text: String) -> CompilationResult {
        onSmallStack { compiler.compile(text: text, path: "/virtual/hostile.yaml") }
    }

    func condition(_ text: String) throws -> Condition {
        let result = compile(HostileSpecs.branch(text))
        #expect(result.diagnostics.map(\.description) == [])
        let node = try #require(result.spec?.workflows["w"]?.nodes.first)
        guard case .branch(let cases) = node.kind else { throw Failure("not a branch") }
        return try #require(cases.first?.condition)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Levels of and/or/not, counted without recursion.
    func depth(_ c: Condition) -> Int {
        var deepest = 0
        var pending = [(c, 0)]
        while let (c, d) = pending.popLast() {
            deepest = max(deepest, d)
            switch c {
            case .compare: break
            case .and(let a, let b), .or(let a, let b): pending += [(a, d + 1), (b, d + 1)]
            case .not(let a): pending.append((a, d + 1))
            }
        }
        return deepest
    }

    /// The terms of a condition in evaluation order, without recursion.
    func terms(_ c: Condition) -> [Condition] {
        var out: [Condition] = []
        var pending = [c]
        while let c = pending.popLast() {
            switch c {
            case .and(let a, let b), .or(let a, let b): pending += [b, a]
            default: out.append(c)
            }
        }
        return out
    }

    // MARK: Defect 6: long conditions

    @Test(arguments: ["and", "or"])
    func aConditionOf6000TermsCompilesToAShallowTree(op: String) throws {
        let c = try condition(HostileSpecs.condition(6000, joinedBy: op))
        #expect(depth(c) <= 40)
        let leaves = terms(c)
        #expect(leaves.count == 6000)
        // In written order: the engine evaluates left to right, stopping at the first term that decides.
        guard case .compare(_, _, .literal(.integer(let last))) = leaves[5999] else {
            throw Failure("not a comparison")
        }
        #expect(last == 5999)
        // The IR reads back (JSON nests at most 256 levels).
        let json = try JSONParser.parse(JSONWriter.string(c.json))
        #expect(try Condition(json: json, path: "when").json == c.json)
    }

    @Test func conditionsOfUpTo32TermsNestAsWritten() throws {
        // The IR of conditions people write is what it was: ((a and b) and c) and d.
        for n in [2, 3, 32] {
            let c = try condition(HostileSpecs.condition(n))
            #expect(depth(c) == n - 1)
            guard case .and(let left, _) = c else { throw Failure("not an and") }
            if n > 2 { guard case .and = left else { throw Failure("not left-nested") } }
        }
        #expect(depth(try condition(HostileSpecs.condition(33))) < 32)
    }

    @Test func aConditionAtTheDepthLimitIsStoredAndReadBack() throws {
        // Three levels of parentheses, each first of 32 terms (93 levels of and), inside seven nots: 100.
        var text = "$inputs.n > 0"
        for _ in 0..<3 { text = "(" + text + ")" + (1..<32).map { " and $inputs.n > \($0)" }.joined() }
        text = String(repeating: "not ", count: 7) + "(" + text + ")"
        let c = try condition(text)
        #expect(depth(c) == 100)
        // What an execution stores and the engine reads back, through JSON's 256 levels.
        let result = compile(HostileSpecs.branch(text))
        let spec = try #require(result.spec)
        let stored = try JSONParser.parse(JSONWriter.string(spec.json))
        #expect(try CompiledSpec(json: stored).workflows["w"]?.nodes.count == 1)
        let deeper = compile(HostileSpecs.branch("not " + text))
        #expect(
            deeper.diagnostics.map(\.message) == [
                "condition of node \"pick\" nests and/or/not 101 levels deep, more than the limit of 100; use fewer parentheses or split it across branch cases"
            ])
    }

    @Test func everyTermOfALongConditionIsChecked() {
        let text = HostileSpecs.condition(5999) + " and $inputs.n > 'x'"
        let result = compile(HostileSpecs.branch(text))
        let column = 18 + text.count - "> 'x'".count  // the condition starts at column 18
        #expect(
            result.diagnostics.map(\.description) == [
                "/virtual/hostile.yaml:10:\(column): error: condition of node \"pick\": cannot compare integer with string"
            ])
    }

    // MARK: Defect 8: sizes that were super-linear

    @Test func aChainOf2000SubworkflowsCompiles() throws {
        let result = compile(HostileSpecs.subworkflowChain(2000))
        #expect(result.diagnostics.map(\.description) == [])
        #expect(result.spec?.workflows.count == 2000)
    }

    @Test func aSmallRingOfSubworkflowsReportsEachWithItsPath() {
        let result = compile(HostileSpecs.subworkflowRing(3))
        #expect(
            result.diagnostics.map(\.message) == [
                "workflow \"w0\" calls itself: w0 -> w1 -> w2 -> w0; recursion is not allowed",
                "workflow \"w1\" calls itself: w1 -> w2 -> w0 -> w1; recursion is not allowed",
                "workflow \"w2\" calls itself: w2 -> w0 -> w1 -> w2; recursion is not allowed",
            ])
    }

    @Test func aRingOf2000SubworkflowsIsOneErrorNamingTheOthers() throws {
        let result = compile(HostileSpecs.subworkflowRing(2000))
        #expect(result.diagnostics.count == 1)
        let d = try #require(result.diagnostics.first)
        #expect(d.location.line == 9)
        #expect(d.message.hasPrefix("workflow \"w0\" calls itself: w0 -> w1 -> "))
        #expect(d.message.contains(" -> ... (1,961 more) -> "))
        #expect(
            d.message.contains(
                "recursion is not allowed (and so do the 1,999 other workflows that call it and that it calls: w1, w10, w100,"
            ))
        #expect(d.message.hasSuffix(" and 1,949 more)"))
    }

    @Test func anEnumOf10000ValuesCompiles() throws {
        let result = compile(HostileSpecs.bigEnum(10_000, default: "v9999"))
        #expect(result.diagnostics.map(\.description) == [])
        #expect(result.spec?.workflows["w"]?.defaults["colour"] == .enumeration("v9999"))
    }

    @Test func aValueNotInALargeEnumIsListedBriefly() throws {
        let result = compile(HostileSpecs.bigEnum(10_000, default: "v99999"))
        let message = try #require(result.diagnostics.first?.message)
        #expect(
            message.hasPrefix("default of input \"colour\" of workflow \"w\": \"v99999\" is not one of v0, v1, v2,"))
        #expect(message.contains(", v49 and 9,950 more (did you mean \"v9999\"?)"))
    }

    @Test func thousandsOfBindingsOfALargeEnumAreEachChecked() throws {
        var text =
            "tasks:\n  pick: {type: echo, inputs: {colour: \(HostileSpecs.enumType(5000))}}\nworkflows:\n  w:\n    nodes:\n"
        for i in 0..<5000 { text += "      - {id: n\(i), task: pick, inputs: {colour: v\(4999 - i)}}\n" }
        text += "      - {id: last, task: pick, inputs: {colour: w1}}\n"
        let result = compile(text)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.location.line == 5006)
        #expect(
            result.diagnostics.first?.message.hasPrefix(
                "input \"colour\" of node \"last\": \"w1\" is not one of v0, v1,") == true)
    }

    @Test func aCycleOf100000NodesIsOneErrorWithItsPathShortened() throws {
        let result = compile(HostileSpecs.nodeCycle(100_000))
        #expect(result.diagnostics.count == 1)
        let message = try #require(result.diagnostics.first?.message)
        #expect(message.hasPrefix("workflow \"w\" has a cycle: n99999 -> n99998 -> "))
        #expect(message.hasSuffix(" -> n1 -> n0 -> n99999; a node cannot depend on its own outputs"))
        #expect(message.contains("... (99,961 more)"))
    }

    @Test func manyErrorsAreAllReported() throws {
        // Six kinds in turn, eight errors in every six nodes.
        let result = compile(HostileSpecs.errors(100_002))
        #expect(result.diagnostics.count == 133_336)
        let first = try #require(result.diagnostics.first)
        #expect(
            first.message.hasPrefix(
                "$m0.x: no node \"m0\" in workflow \"w\"; did you mean \"n0\"? nodes: n0, n1, n10, n100, n1000,"))
        #expect(first.message.hasSuffix(" and 99,952 more"))
    }

    @Test func misspellingsAreFoundAmongThousandsOfNames() {
        var text = HostileSpecs.header + "  w:\n    nodes:\n"
        for i in 0..<1000 { text += "      - {id: node\(i), task: step, inputs: {x: 1}}\n" }
        text += "      - {id: last, task: step, inputs: {x: $nod500.x}}\n"
        let result = compile(text)
        #expect(
            result.diagnostics.first?.message.hasPrefix(
                "$nod500.x: no node \"nod500\" in workflow \"w\"; did you mean \"node500\"? nodes:") == true)
    }

    // MARK: Defect 4: documents past the limits, wherever YAML is read

    /// Nine levels of ten aliases: 10^9 values.
    static let billionLaughs: String = {
        var s = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for l in 1..<9 {
            s += "a\(l): &a\(l) [" + Array(repeating: "*a\(l - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        return s
    }()

    @Test func aBombInTheConfigurationFileIsRefused() {
        let text =
            "plugins:\n  config:\n    aloft.echo:\n"
            + Self.billionLaughs.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
        #expect(throws: DocumentError.self) { try HostConfiguration.parse(text, file: "aloft.yaml") }
        do {
            _ = try HostConfiguration.parse(text, file: "aloft.yaml")
        } catch {
            #expect(error.location.file == "aloft.yaml" && error.location.line == 8)
            #expect(error.message.contains("past the limit on what aliases may add to this document"))
        }
    }

    @Test func aBombInACommandLineValueIsRefused() {
        let text =
            "["
            + Self.billionLaughs.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1)[1] }.joined(
                separator: ", ") + "]"
        let type = TypeSyntax.parse("list<list<list<list<list<list<list<list<list<string>>>>>>>>>")
        guard case .success(let t) = type else {
            Issue.record("type")
            return
        }
        switch LiteralCoercion.literal(commandLine: text, as: t, name: "rows") {
        case .success: Issue.record("a bomb was accepted")
        case .failure(let e):
            #expect(e.location.file == "-i rows")
            #expect(e.message.contains("past the limit on what aliases may add to this document"))
        }
    }

    @Test func aSpecLargerThan64MiBIsRefusedWithoutReadingIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("aloft-huge-\(UUID().uuidString).yaml")
            .path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 10 << 30)  // 10 GiB, sparse
        try handle.close()
        let result = compiler.compile(files: [path])
        #expect(
            result.diagnostics.map(\.description) == [
                "\(path):1:1: error: the file is larger than the limit of 64 MiB for a spec"
            ])
        // A device that never ends likewise.
        #expect(
            compiler.compile(files: ["/dev/zero"]).diagnostics.map(\.message) == [
                "the file is larger than the limit of 64 MiB for a spec"
            ])
    }
}
