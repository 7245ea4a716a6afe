import AloftCompiler
import AloftWire

/// Turns bindings into values and evaluates branch conditions, within one workflow scope.
struct BindingResolver {
    let workflowInputs: LiteralMap
    let nodeOutputs: [String: LiteralMap]

    struct Missing: Error, CustomStringConvertible {
        let what: String
        var description: String { "no value for \(what)" }
    }

    func value(_ b: Binding) throws(Missing) -> Literal {
        switch b {
        case .literal(let l): return l
        case .workflowInput(let n):
            guard let v = workflowInputs[n] else { throw Missing(what: "workflow input \"\(n)\"") }
            return v
        case .nodeOutput(let node, let output):
            guard let v = nodeOutputs[node]?[output] else { throw Missing(what: "\(node).\(output)") }
            return v
        case .list(let items):
            var out: [Literal] = []
            for item in items { out.append(try value(item)) }
            return .list(out)
        case .map(let m):
            var out: [String: Literal] = [:]
            for (k, v) in m { out[k] = try value(v) }
            return .map(out)
        }
    }

    func inputs(_ bindings: [String: Binding], defaults: LiteralMap) throws(Missing) -> LiteralMap {
        var out = defaults
        for (name, b) in bindings { out[name] = try value(b) }
        return out
    }

    func holds(_ c: Condition) throws(Missing) -> Bool {
        switch c {
        case .and(let a, let b):
            guard try holds(a) else { return false }
            return try holds(b)
        case .or(let a, let b):
            if try holds(a) { return true }
            return try holds(b)
        case .not(let a):
            let inner = try holds(a)
            return !inner
        case .compare(let a, let op, let b): return Self.compare(try value(a), op, try value(b))
        }
    }

    /// The compiler checked the operands are comparable; values of other shapes compare unequal.
    static func compare(_ a: Literal, _ op: Condition.Comparison, _ b: Literal) -> Bool {
        func ordered<T: Comparable>(_ x: T, _ y: T) -> Bool {
            switch op {
            case .eq: return x == y
            case .ne: return x != y
            case .lt: return x < y
            case .le: return x <= y
            case .gt: return x > y
            case .ge: return x >= y
            }
        }
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return ordered(x, y)
        case (.integer(let x), .float(let y)): return ordered(Double(x), y)
        case (.float(let x), .integer(let y)): return ordered(x, Double(y))
        case (.float(let x), .float(let y)): return ordered(x, y)
        case (.string(let x), .string(let y)), (.enumeration(let x), .string(let y)),
            (.string(let x), .enumeration(let y)),
            (.enumeration(let x), .enumeration(let y)):
            return ordered(x, y)
        case (.datetime(let x), .datetime(let y)): return ordered(x, y)
        case (.duration(let x), .duration(let y)): return ordered(x, y)
        default:
            let equal = a == b
            return op == .eq ? equal : op == .ne ? !equal : false
        }
    }
}
