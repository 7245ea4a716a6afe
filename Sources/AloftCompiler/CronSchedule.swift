import AloftSystem
public import FoundationEssentials

/// A standard 5-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC.
///
/// Each field is `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (from `a` to the field's end),
/// or a comma list of these. Months may be written `JAN`-`DEC` and weekdays `SUN`-`SAT`, in any case;
/// day-of-week 0 and 7 are both Sunday. The macros `@hourly`, `@daily` (`@midnight`), `@weekly`,
/// `@monthly` and `@yearly` (`@annually`) stand for their usual expressions.
///
/// Days follow the Vixie cron rule: when both day-of-month and day-of-week are restricted, a day fires
/// if either matches; when either field starts with `*` (so `*/2` counts as unrestricted, as in Vixie cron),
/// both must match.
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    /// Why an expression is not a cron schedule; the message names the field and the bad part.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// The expression as written, trimmed.
    public let expression: String
    private let minutes: ValueSet
    private let hours: ValueSet
    private let daysOfMonth: ValueSet
    private let months: ValueSet
    /// 0 = Sunday ... 6 = Saturday (7 is stored as 0).
    private let daysOfWeek: ValueSet
    /// Both day fields are restricted, so a day matching either one fires.
    private let daysMatchEither: Bool
    /// Some allowed day exists in some allowed month (false for `0 0 30 2 *`).
    private let canEverFire: Bool

    public var description: String { expression }

    public init(parsing text: String) throws(CronSchedule.ParseError) {
        expression = text.trimmingWhitespace()
        var fields = expression.split(whereSeparator: \.isWhitespace)
        if fields.count == 1, fields[0].hasPrefix("@") {
            guard let expansion = Self.macros[fields[0].lowercased()] else {
                throw ParseError(
                    message:
                        "unknown macro \"\(fields[0])\"; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"
                )
            }
            fields = expansion.split(separator: " ")
        }
        guard fields.count == 5 else {
            throw ParseError(
                message: "expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        }
        minutes = try Self.parse(fields[0], as: .minute)
        hours = try Self.parse(fields[1], as: .hour)
        daysOfMonth = try Self.parse(fields[2], as: .dayOfMonth)
        months = try Self.parse(fields[3], as: .month)
        daysOfWeek = try Self.parse(fields[4], as: .dayOfWeek)
        daysMatchEither = !fields[2].hasPrefix("*") && !fields[4].hasPrefix("*")

        let longestMonths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let (allowedMonths, allowedDays) = (months, daysOfMonth)
        canEverFire =
            daysMatchEither
            || (1...12).contains { month in
                allowedMonths.contains(month) && (1...longestMonths[month - 1]).contains(where: allowedDays.contains)
            }
    }

    /// The first fire time strictly after `date` (whole minutes, UTC); nil only if none within 5 years (e.g. "0 0 30 2 *").
    public func nextFire(after date: Date) -> Date? {
        guard let first = Self.minute(after: date), let deadline = Self.utc.date(byAdding: .year, value: 5, to: first)
        else { return nil }
        return firstFire(from: first, through: deadline)
    }

    /// Every fire time t with start < t <= end, ascending, at most `limit` of them.
    public func fires(after start: Date, upTo end: Date, limit: Int = 10_000) -> [Date] {
        var result: [Date] = []
        var cursor = start
        while result.count < limit, let first = Self.minute(after: cursor),
            let fire = firstFire(from: first, through: end)
        {
            result.append(fire)
            cursor = fire
        }
        return result
    }

    // MARK: Walking forward

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    /// The start of the whole minute after the one `date` falls in.
    private static func minute(after date: Date) -> Date? {
        let minutes = (date.timeIntervalSinceReferenceDate / 60).rounded(.down)
        return minutes.isFinite ? Date(timeIntervalSinceReferenceDate: (minutes + 1) * 60) : nil
    }

    /// The first fire time at or after `first` (a whole minute) and not after `deadline`, skipping whole months.
    private func firstFire(from first: Date, through deadline: Date) -> Date? {
        guard canEverFire, first <= deadline else { return nil }
        let start = Self.utc.dateComponents([.year, .month, .day, .hour, .minute], from: first)
        guard var year = start.year, var month = start.month, let day = start.day, let hour = start.hour,
            let minute = start.minute
        else { return nil }
        var earliest = (day: day, hour: hour, minute: minute)
        while true {
            if !months.contains(month) {
                if let later = months.first(atLeast: month + 1) {
                    month = later
                } else {
                    (year, month) = (year + 1, months.first(atLeast: 1) ?? 1)
                }
                earliest = (1, 0, 0)
            }
            guard let monthStart = Self.utc.date(from: DateComponents(year: year, month: month, day: 1)),
                monthStart <= deadline
            else { return nil }
            if let fire = firstFire(inMonthStarting: monthStart, from: earliest) {
                return fire <= deadline ? fire : nil
            }
            earliest = (1, 0, 0)
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
    }

    /// The first fire time in the month starting at `monthStart`, at or after the given day, hour and minute.
    private func firstFire(inMonthStarting monthStart: Date, from earliest: (day: Int, hour: Int, minute: Int)) -> Date?
    {
        guard let dayCount = Self.utc.range(of: .day, in: .month, for: monthStart)?.count, earliest.day <= dayCount
        else { return nil }
        let weekdayOfFirst = Self.utc.component(.weekday, from: monthStart) - 1  // Calendar counts Sunday as 1
        for day in earliest.day...dayCount where dayMatches(day, weekday: (weekdayOfFirst + day - 1) % 7) {
            let onEarliestDay = day == earliest.day
            var hour = hours.first(atLeast: onEarliestDay ? earliest.hour : 0)
            while let h = hour {
                if let m = minutes.first(atLeast: onEarliestDay && h == earliest.hour ? earliest.minute : 0) {
                    // UTC has no daylight saving, so every day is 86,400 seconds.
                    return monthStart.addingTimeInterval(TimeInterval((((day - 1) * 24 + h) * 60 + m) * 60))
                }
                hour = hours.first(atLeast: h + 1)
            }
        }
        return nil
    }

    private func dayMatches(_ day: Int, weekday: Int) -> Bool {
        daysMatchEither
            ? daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
            : daysOfMonth.contains(day) && daysOfWeek.contains(weekday)
    }

    // MARK: Parsing

    private static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Parses one field's comma list into the set of values it allows.
    private static func parse(_ text: Substring, as field: Field) throws(ParseError) -> ValueSet {
        func failure(_ problem: String) -> ParseError {
            ParseError(message: "\(field.name) field \"\(text)\": \(problem)")
        }
        func value(_ part: Substring) throws(ParseError) -> Int {
            if !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isWholeNumber }) {
                guard let number = Int(part), field.bounds.contains(number) else {
                    throw failure("\(part) is out of range \(field.bounds.lowerBound)-\(field.bounds.upperBound)")
                }
                return number
            }
            if let index = field.names.firstIndex(of: part.uppercased()) { return field.firstNamedValue + index }
            throw failure(
                field.nameKind.map { "\"\(part)\" is not a number or a \($0)" } ?? "\"\(part)\" is not a number")
        }

        var set = ValueSet()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw failure("empty item in the list") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw failure("\"\(item)\" has more than one step") }
            var step = 1
            if parts.count == 2 {
                guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isWholeNumber }), let n = Int(parts[1])
                else {
                    throw failure("step \"\(parts[1])\" is not a number")
                }
                guard n > 0 else { throw failure("step \(n) must be at least 1") }
                step = n
            }
            let base = parts[0]
            let low: Int, high: Int
            if base == "*" {
                (low, high) = (field.bounds.lowerBound, field.bounds.upperBound)
            } else if base.contains("-") {
                let ends = base.split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count == 2, !ends[0].isEmpty, !ends[1].isEmpty else {
                    throw failure("\"\(base)\" is not a range a-b")
                }
                (low, high) = (try value(ends[0]), try value(ends[1]))
                guard low <= high else { throw failure("range \"\(base)\" starts after it ends") }
            } else {
                guard !base.isEmpty else { throw failure("\"\(item)\" needs a number, range or * before the step") }
                low = try value(base)
                high = parts.count == 2 ? field.bounds.upperBound : low
            }
            for v in stride(from: low, through: high, by: step) { set.insert(field == .dayOfWeek ? v % 7 : v) }
        }
        return set
    }

    /// One of the five fields: its name in messages, its allowed values and the names it accepts.
    private enum Field {
        case minute, hour, dayOfMonth, month, dayOfWeek

        var name: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }

        var bounds: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        /// Upper-case names, the first standing for `firstNamedValue`.
        var names: [String] {
            switch self {
            case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
            case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
            default: []
            }
        }

        var firstNamedValue: Int { self == .month ? 1 : 0 }

        var nameKind: String? {
            switch self {
            case .month: "month name (JAN-DEC)"
            case .dayOfWeek: "weekday name (SUN-SAT)"
            default: nil
            }
        }
    }
}

/// A set of small integers (0-63), one bit each.
private struct ValueSet: Sendable, Hashable {
    private var bits: UInt64 = 0

    mutating func insert(_ value: Int) { bits |= 1 << UInt64(value) }

    func contains(_ value: Int) -> Bool { (0..<64).contains(value) && bits & (1 << UInt64(value)) != 0 }

    /// The smallest member at least `value`, if any.
    func first(atLeast value: Int) -> Int? {
        guard value < 64 else { return nil }
        let rest = bits & (~0 << UInt64(max(value, 0)))
        return rest == 0 ? nil : rest.trailingZeroBitCount
    }
}
