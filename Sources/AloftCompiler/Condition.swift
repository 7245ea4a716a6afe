import AloftWire

/// A branch condition: comparisons joined by `and`, `or`, `not` and parentheses.
public indirect enum Condition: Sendable {
    public enum Comparison: String, Sendable, CaseIterable {
        case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    }

    case compare(Binding, Comparison, Binding)
    case and(Condition, Condition)
    case or(Condition, Condition)
    case not(Condition)
}

/// A condition as written, before references are resolved: operands are `$references` or literals.
/// Terms joined by one operator at one level of parentheses are one list, so that a condition of thousands
/// of terms is a short tree, not thousands of nested pairs.
indirect enum ConditionSyntax {
    enum Operand {
        case reference(String, offset: Int)
        case literal(JSON, offset: Int)
    }

    case compare(Operand, Condition.Comparison, Operand, offset: Int)
    /// Two or more terms, in written order.
    case and([ConditionSyntax])
    case or([ConditionSyntax])
    case not(ConditionSyntax)
}

struct ConditionSyntaxError: Error {
    var offset: Int
    var message: String
}

/// Parses `$inputs.n > 3 and ($prep.ok == true or not $inputs.force == false)`.
struct ConditionParser {
    private enum Token: Equatable {
        case reference(String)
        case number(JSON)
        case string(String)
        case word(String)  // and, or, not, true, false, null
        case op(String)
        case open, close
    }

    private var tokens: [(Token, Int)] = []
    private var i = 0
    private var length = 0

    static func parse(_ text: String) -> Result<ConditionSyntax, ConditionSyntaxError> {
        do {
            var p = ConditionParser()
            p.length = text.unicodeScalars.count
            p.tokens = try tokenize(Array(text.unicodeScalars))
            guard !p.tokens.isEmpty else { throw ConditionSyntaxError(offset: 0, message: "empty condition") }
            let c = try p.or(depth: 0)
            if p.i < p.tokens.count {
                throw ConditionSyntaxError(
                    offset: p.tokens[p.i].1,
                    message: "unexpected \(p.describe(p.tokens[p.i].0)); expected \"and\", \"or\" or the end")
            }
            return .success(c)
        } catch let e as ConditionSyntaxError {
            return .failure(e)
        } catch {
            return .failure(ConditionSyntaxError(offset: 0, message: "\(error)"))
        }
    }

    private static func tokenize(_ s: [Unicode.Scalar]) throws -> [(Token, Int)] {
        var out: [(Token, Int)] = []
        var i = 0
        func isWordChar(_ c: Unicode.Scalar) -> Bool {
            c.isASCII
                && (c.properties.isAlphabetic || c.properties.numericType != nil || c == "_" || c == "-" || c == ".")
        }
        while i < s.count {
            let c = s[i]
            let start = i
            if c == " " || c == "\t" {
                i += 1
                continue
            }
            if c == "(" {
                out.append((.open, i))
                i += 1
                continue
            }
            if c == ")" {
                out.append((.close, i))
                i += 1
                continue
            }
            if c == "$" {
                i += 1
                while i < s.count, isWordChar(s[i]) { i += 1 }
                out.append((.reference(String(String.UnicodeScalarView(s[start..<i]))), start))
                continue
            }
            if c == "\"" || c == "'" {
                i += 1
                var text = ""
                while i < s.count, s[i] != c {
                    text.unicodeScalars.append(s[i])
                    i += 1
                }
                guard i < s.count else { throw ConditionSyntaxError(offset: start, message: "unterminated string") }
                i += 1
                out.append((.string(text), start))
                continue
            }
            if "=!<>".unicodeScalars.contains(c) {
                i += 1
                if i < s.count, s[i] == "=" { i += 1 }
                let op = String(String.UnicodeScalarView(s[start..<i]))
                guard Condition.Comparison(rawValue: op) != nil else {
                    throw ConditionSyntaxError(
                        offset: start, message: "unknown operator \"\(op)\"; expected ==, !=, <, <=, > or >=")
                }
                out.append((.op(op), start))
                continue
            }
            if c == "-" || c.properties.numericType != nil {
                i += 1
                while i < s.count,
                    s[i].properties.numericType != nil || s[i] == "." || s[i] == "e" || s[i] == "E"
                        || ((s[i] == "-" || s[i] == "+") && (s[i - 1] == "e" || s[i - 1] == "E"))
                { i += 1 }
                let text = String(String.UnicodeScalarView(s[start..<i]))
                if let n = Int64(text) {
                    out.append((.number(.integer(n)), start))
                } else if let d = Double(text), d.isFinite {
                    out.append((.number(.float(d)), start))
                } else {
                    throw ConditionSyntaxError(offset: start, message: "\"\(text)\" is not a number")
                }
                continue
            }
            if c.isASCII && c.properties.isAlphabetic {
                while i < s.count, isWordChar(s[i]) { i += 1 }
                let w = String(String.UnicodeScalarView(s[start..<i]))
                guard ["and", "or", "not", "true", "false", "null"].contains(w) else {
                    throw ConditionSyntaxError(
                        offset: start,
                        message:
                            "unexpected word \"\(w)\"; references start with $ (as in $inputs.\(w)) and strings are quoted"
                    )
                }
                out.append((.word(w), start))
                continue
            }
            throw ConditionSyntaxError(offset: i, message: "unexpected character \"\(c)\"")
        }
        return out
    }

    private func describe(_ t: Token) -> String {
        switch t {
        case .reference(let r): return "\"\(r)\""
        case .number(let n): return JSONWriter.string(n)
        case .string(let s): return "\"\(s)\""
        case .word(let w), .op(let w): return "\"\(w)\""
        case .open: return "\"(\""
        case .close: return "\")\""
        }
    }

    private var endOffset: Int { length }

    /// Parentheses and `not` inside one another: the parser recurses once per level.
    static let maxNesting = 64

    private mutating func or(depth: Int) throws -> ConditionSyntax {
        var terms = [try and(depth: depth)]
        while i < tokens.count, tokens[i].0 == .word("or") {
            i += 1
            terms.append(try and(depth: depth))
        }
        return terms.count == 1 ? terms[0] : .or(terms)
    }

    private mutating func and(depth: Int) throws -> ConditionSyntax {
        var terms = [try unary(depth: depth)]
        while i < tokens.count, tokens[i].0 == .word("and") {
            i += 1
            terms.append(try unary(depth: depth))
        }
        return terms.count == 1 ? terms[0] : .and(terms)
    }

    private mutating func unary(depth: Int) throws -> ConditionSyntax {
        guard depth < Self.maxNesting else {
            throw ConditionSyntaxError(
                offset: tokens[min(i, tokens.count - 1)].1,
                message: "nested too deeply: more than \(Self.maxNesting) levels of parentheses and \"not\"")
        }
        guard i < tokens.count else {
            throw ConditionSyntaxError(offset: endOffset, message: "the condition ends too early")
        }
        if tokens[i].0 == .word("not") {
            i += 1
            return .not(try unary(depth: depth + 1))
        }
        if tokens[i].0 == .open {
            i += 1
            let inner = try or(depth: depth + 1)
            guard i < tokens.count, tokens[i].0 == .close else {
                throw ConditionSyntaxError(offset: endOffset, message: "missing \")\"")
            }
            i += 1
            return inner
        }
        let left = try operand()
        guard i < tokens.count, case .op(let op) = tokens[i].0 else {
            throw ConditionSyntaxError(
                offset: i < tokens.count ? tokens[i].1 : endOffset,
                message: "expected a comparison (==, !=, <, <=, >, >=) after the first operand")
        }
        let opOffset = tokens[i].1
        i += 1
        let right = try operand()
        return .compare(left, Condition.Comparison(rawValue: op)!, right, offset: opOffset)
    }

    private mutating func operand() throws -> ConditionSyntax.Operand {
        guard i < tokens.count else {
            throw ConditionSyntaxError(offset: endOffset, message: "expected a value or a $reference")
        }
        let (t, offset) = tokens[i]
        i += 1
        switch t {
        case .reference(let r): return .reference(r, offset: offset)
        case .number(let n): return .literal(n, offset: offset)
        case .string(let s): return .literal(.string(s), offset: offset)
        case .word("true"): return .literal(.bool(true), offset: offset)
        case .word("false"): return .literal(.bool(false), offset: offset)
        case .word("null"): return .literal(.null, offset: offset)
        default:
            throw ConditionSyntaxError(
                offset: offset, message: "expected a value or a $reference, found \(describe(t))")
        }
    }
}

extension Condition {
    /// The deepest nesting of and/or/not a compiled condition may have: what runs it recurses once per level,
    /// and its IR (two JSON levels per level) stays well inside JSON's 256.
    static let maxDepth = 100

    /// Terms joined by one operator as a binary tree, with its depth. Up to `leftNestedTerms` terms nest to
    /// the left as written (`(a and b) and c`); longer lists are halved, so that 6,000 terms nest 31 deep
    /// rather than 6,000. Either way the terms are evaluated left to right, stopping at the first that decides.
    static func joined(
        _ terms: ArraySlice<(condition: Condition, depth: Int)>, by join: (Condition, Condition) -> Condition
    )
        -> (condition: Condition, depth: Int)
    {
        if terms.count <= leftNestedTerms {
            var result = terms.first!
            for term in terms.dropFirst() {
                result = (join(result.condition, term.condition), max(result.depth, term.depth) + 1)
            }
            return result
        }
        let middle = terms.startIndex + terms.count / 2
        let left = joined(terms[..<middle], by: join), right = joined(terms[middle...], by: join)
        return (join(left.condition, right.condition), max(left.depth, right.depth) + 1)
    }

    static let leftNestedTerms = 32

    /// The nodes whose outputs the condition reads (without recursion: the condition may be large).
    var upstreamNodes: Set<String> {
        var nodes = Set<String>()
        var pending = [self]
        while let c = pending.popLast() {
            switch c {
            case .compare(let a, _, let b):
                nodes.formUnion(a.upstreamNodes)
                nodes.formUnion(b.upstreamNodes)
            case .and(let a, let b), .or(let a, let b): pending += [b, a]
            case .not(let a): pending.append(a)
            }
        }
        return nodes
    }
}
