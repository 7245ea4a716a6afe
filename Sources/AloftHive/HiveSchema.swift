/// A result set's columns (TTableSchema / TColumnDesc), with each column's HiveServer2 type.
public struct HiveColumnDescription: Sendable, Hashable {
    public var name: String
    public var type: HiveTypeID
    public var position: Int

    public init(name: String, type: HiveTypeID, position: Int) {
        self.name = name
        self.type = type
        self.position = position
    }

    static func readSchema(_ r: inout ThriftReader) throws(ThriftError) -> [HiveColumnDescription] {
        var columns: [HiveColumnDescription] = []
        try r.readStruct { r, id, type throws(ThriftError) in
            guard id == 1, type == .list else { return false }
            columns = try r.list(of: .structure) { r throws(ThriftError) in try read(&r) }
            return true
        }
        return columns.sorted { $0.position < $1.position }
    }

    static func read(_ r: inout ThriftReader) throws(ThriftError) -> HiveColumnDescription {
        var c = HiveColumnDescription(name: "", type: .string, position: 0)
        try r.readStruct { r, id, type throws(ThriftError) in
            switch (id, type) {
            case (1, .string): c.name = try r.string()
            case (2, .structure): c.type = try readTypeDesc(&r)
            case (3, .i32): c.position = Int(try r.i32())
            default: return false
            }
            return true
        }
        return c
    }

    /// TTypeDesc: a list of TTypeEntry unions; the first entry is the column's own type.
    private static func readTypeDesc(_ r: inout ThriftReader) throws(ThriftError) -> HiveTypeID {
        var result = HiveTypeID.string
        try r.readStruct { r, id, type throws(ThriftError) in
            guard id == 1, type == .list else { return false }
            let entries = try r.list(of: .structure) { r throws(ThriftError) -> HiveTypeID in
                var entryType = HiveTypeID.string
                try r.readStruct { r, id, type throws(ThriftError) in
                    switch (id, type) {
                    case (1, .structure):  // TPrimitiveTypeEntry {1: type}
                        try r.readStruct { r, id, type throws(ThriftError) in
                            guard id == 1, type == .i32 else { return false }
                            entryType = HiveTypeID(rawValue: try r.i32()) ?? .string
                            return true
                        }
                    case (2, .structure):
                        entryType = .array
                        try r.skip(type)
                    case (3, .structure):
                        entryType = .map
                        try r.skip(type)
                    case (4, .structure):
                        entryType = .structure
                        try r.skip(type)
                    default: return false
                    }
                    return true
                }
                return entryType
            }
            result = entries.first ?? .string
            return true
        }
        return result
    }
}

/// TTypeId.
public enum HiveTypeID: Int32, Sendable {
    case boolean = 0, tinyint, smallint, int, bigint, float, double, string, timestamp, binary, array, map, structure,
        union,
        userDefined, decimal, null, date, varchar, char, intervalYearMonth, intervalDayTime, timestampWithLocalZone

    public var name: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .tinyint: "TINYINT"
        case .smallint: "SMALLINT"
        case .int: "INT"
        case .bigint: "BIGINT"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .string: "STRING"
        case .timestamp: "TIMESTAMP"
        case .binary: "BINARY"
        case .array: "ARRAY"
        case .map: "MAP"
        case .structure: "STRUCT"
        case .union: "UNION"
        case .userDefined: "USER_DEFINED"
        case .decimal: "DECIMAL"
        case .null: "NULL"
        case .date: "DATE"
        case .varchar: "VARCHAR"
        case .char: "CHAR"
        case .intervalYearMonth: "INTERVAL_YEAR_MONTH"
        case .intervalDayTime: "INTERVAL_DAY_TIME"
        case .timestampWithLocalZone: "TIMESTAMPLOCALTZ"
        }
    }
}
