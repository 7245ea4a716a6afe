extension JSONParser {
    /// A literal map of scalars (none, integer, float, string, boolean) straight from its JSON text: each literal
    /// made as it is read, without the JSON tree of the map and of every literal in it (a plugin's outputs are
    /// read on every call: the tree and its conversion were most of a synchronous chain's output check). Nil
    /// for anything else (another kind, a literal that is not one kind, a duplicate name, bad JSON), which the
    /// caller reads through the tree, so what is accepted and every error are exactly as there.
    static func scalarLiteralMap(_ buffer: UnsafeBufferPointer<UInt8>) -> [String: Literal]? {
        var parser = JSONParser(buffer)
        do throws(JSONParseError) { return try parser.scalarLiteralMap() } catch { return nil }
    }

    private mutating func scalarLiteralMap() throws(JSONParseError) -> [String: Literal]? {
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else { return nil }
        index += 1
        var map: [String: Literal] = [:]
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { return nil }
                let name = try parseString()
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { return nil }
                index += 1
                skipWhitespace()
                guard let literal = try scalarLiteral(), map.updateValue(literal, forKey: name) == nil else {
                    return nil
                }
                skipWhitespace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard peek == UInt8(ascii: "}") else { return nil }
                index += 1
                break
            }
        }
        skipWhitespace()
        return index == bytes.count ? map : nil
    }

    /// `{"<kind>": <value>}` of a scalar kind, as Literal(json:) makes it; nil for anything else.
    private mutating func scalarLiteral() throws(JSONParseError) -> Literal? {
        guard peek == UInt8(ascii: "{") else { return nil }
        index += 1
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { return nil }
        let kind = try parseString()
        skipWhitespace()
        guard peek == UInt8(ascii: ":") else { return nil }
        index += 1
        skipWhitespace()
        let literal: Literal
        switch (kind, peek) {
        case ("integer", _):
            guard case .integer(let i) = try parseNumberIfAny() else { return nil }
            literal = .integer(i)
        case ("float", _):
            switch try parseNumberIfAny() {
            case .float(let d)?: literal = .float(d)
            case .integer(let i)?: literal = .float(Double(i))
            default: return nil
            }
        case ("string", UInt8(ascii: "\"")): literal = .string(try parseString())
        case ("boolean", UInt8(ascii: "t")):
            try expectWord("true")
            literal = .boolean(true)
        case ("boolean", UInt8(ascii: "f")):
            try expectWord("false")
            literal = .boolean(false)
        case ("none", UInt8(ascii: "n")):
            try expectWord("null")
            literal = .none
        default: return nil
        }
        skipWhitespace()
        guard peek == UInt8(ascii: "}") else { return nil }
        index += 1
        return literal
    }

    private mutating func parseNumberIfAny() throws(JSONParseError) -> JSON? {
        guard let b = peek, b == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else {
            return nil
        }
        return try parseNumber()
    }
}
