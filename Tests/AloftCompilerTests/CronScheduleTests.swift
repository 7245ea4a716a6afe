import Foundation
import Testing

@testable import AloftCompiler

/// Cron expressions parse with exact messages and fire at the right UTC minutes.
@Suite struct CronScheduleTests {
    // MARK: Helpers

    private func date(_ iso: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: iso)) }

    private func iso(_ date: Date?) -> String? { date.map { ISO8601DateFormatter().string(from: $0) } }

    /// The next fire of `expression` after the ISO-8601 time, as an ISO-8601 string.
    private func next(_ expression: String, after time: String) throws -> String? {
        iso(try CronSchedule(parsing: expression).nextFire(after: date(time)))
    }

    private func parseError(_ expression: String) -> String? {
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: expression) }?.message
    }

    // MARK: Parsing

    @Test func wrongFieldCountIsAnError() {
        #expect(parseError("* * * *") == "expected 5 fields (minute hour day-of-month month day-of-week), found 4")
        #expect(parseError("* * * * * *") == "expected 5 fields (minute hour day-of-month month day-of-week), found 6")
        #expect(parseError("   ") == "expected 5 fields (minute hour day-of-month month day-of-week), found 0")
    }

    @Test func outOfRangeValuesNameTheField() {
        #expect(parseError("61 * * * *") == #"minute field "61": 61 is out of range 0-59"#)
        #expect(parseError("0 1,24 * * *") == #"hour field "1,24": 24 is out of range 0-23"#)
        #expect(parseError("0 0 0 * *") == #"day-of-month field "0": 0 is out of range 1-31"#)
        #expect(parseError("0 0 * 1-13 *") == #"month field "1-13": 13 is out of range 1-12"#)
        #expect(parseError("0 0 * * 8") == #"day-of-week field "8": 8 is out of range 0-7"#)
    }

    @Test func badStepsRangesAndItemsAreErrors() {
        #expect(parseError("*/0 * * * *") == #"minute field "*/0": step 0 must be at least 1"#)
        #expect(parseError("*/x * * * *") == #"minute field "*/x": step "x" is not a number"#)
        #expect(parseError("0 */2/3 * * *") == #"hour field "*/2/3": "*/2/3" has more than one step"#)
        #expect(parseError("0 0 20-10 * *") == #"day-of-month field "20-10": range "20-10" starts after it ends"#)
        #expect(parseError("1,,2 * * * *") == #"minute field "1,,2": empty item in the list"#)
        #expect(parseError("-5 * * * *") == #"minute field "-5": "-5" is not a range a-b"#)
    }

    @Test func badNamesAreErrors() {
        #expect(parseError("0 0 * FOO *") == #"month field "FOO": "FOO" is not a number or a month name (JAN-DEC)"#)
        #expect(
            parseError("0 0 * * FUNDAY")
                == #"day-of-week field "FUNDAY": "FUNDAY" is not a number or a weekday name (SUN-SAT)"#)
        #expect(parseError("0 0 * * FRI-MON") == #"day-of-week field "FRI-MON": range "FRI-MON" starts after it ends"#)
        #expect(parseError("x * * * *") == #"minute field "x": "x" is not a number"#)
        #expect(
            parseError("@reboot")
                == #"unknown macro "@reboot"; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"#
        )
    }

    @Test func expressionIsKeptTrimmed() throws {
        let schedule = try CronSchedule(parsing: "  0 2 * * *\n")
        #expect(schedule.expression == "0 2 * * *")
        #expect(schedule.description == "0 2 * * *")
        #expect(schedule == (try CronSchedule(parsing: "0 2 * * *")))
    }

    // MARK: Next fire

    @Test func everyFifteenMinutes() throws {
        #expect(try next("*/15 * * * *", after: "2026-03-01T10:07:30Z") == "2026-03-01T10:15:00Z")
        #expect(try next("*/15 * * * *", after: "2026-03-01T10:15:00Z") == "2026-03-01T10:30:00Z")
        #expect(try next("*/15 * * * *", after: "2026-03-01T23:50:00Z") == "2026-03-02T00:00:00Z")
    }

    @Test func dailyAtTwo() throws {
        #expect(try next("0 2 * * *", after: "2026-03-01T01:59:59Z") == "2026-03-01T02:00:00Z")
        #expect(try next("0 2 * * *", after: "2026-03-01T02:00:00Z") == "2026-03-02T02:00:00Z")
        #expect(try next("0 2 * * *", after: "2026-12-31T03:00:00Z") == "2027-01-01T02:00:00Z")
    }

    @Test func weekdaysSkipTheWeekend() throws {
        // 2026-03-06 is a Friday.
        #expect(try next("30 9 * * MON-FRI", after: "2026-03-06T09:30:00Z") == "2026-03-09T09:30:00Z")
        #expect(try next("30 9 * * mon-fri", after: "2026-03-06T09:29:00Z") == "2026-03-06T09:30:00Z")
        #expect(try next("30 9 * * 1-5", after: "2026-03-07T12:00:00Z") == "2026-03-09T09:30:00Z")
    }

    @Test func sundayIsZeroOrSeven() throws {
        // 2026-03-01 is a Sunday.
        #expect(try next("0 12 * * 7", after: "2026-02-27T00:00:00Z") == "2026-03-01T12:00:00Z")
        #expect(try next("0 12 * * SUN", after: "2026-02-27T00:00:00Z") == "2026-03-01T12:00:00Z")
        #expect(try next("0 12 * * 0", after: "2026-02-27T00:00:00Z") == "2026-03-01T12:00:00Z")
    }

    @Test func firstOfTheMonthAcrossMonthEndsAndALeapYear() throws {
        #expect(try next("0 0 1 * *", after: "2026-01-31T12:00:00Z") == "2026-02-01T00:00:00Z")
        #expect(try next("0 0 1 * *", after: "2026-12-01T00:00:00Z") == "2027-01-01T00:00:00Z")
        #expect(try next("0 0 1 * *", after: "2028-02-28T23:59:00Z") == "2028-03-01T00:00:00Z")
        #expect(try next("0 0 1 * *", after: "2028-02-29T00:00:00Z") == "2028-03-01T00:00:00Z")
        #expect(try next("0 12 * * *", after: "2028-02-28T13:00:00Z") == "2028-02-29T12:00:00Z")
    }

    @Test func restrictedDayOfMonthAndWeekdayMatchEither() throws {
        // 2026-04-10 is a Friday; the 13th is a Monday.
        #expect(try next("0 0 13 * FRI", after: "2026-04-01T00:00:00Z") == "2026-04-03T00:00:00Z")
        #expect(try next("0 0 13 * FRI", after: "2026-04-10T00:00:00Z") == "2026-04-13T00:00:00Z")
        #expect(try next("0 0 13 * FRI", after: "2026-04-13T00:00:00Z") == "2026-04-17T00:00:00Z")
        // A day field starting with `*` is unrestricted (Vixie), so both must match: odd days that are Fridays.
        #expect(try next("0 0 */2 * FRI", after: "2026-04-10T00:00:00Z") == "2026-04-17T00:00:00Z")
        #expect(try next("0 0 * * FRI", after: "2026-04-10T00:00:00Z") == "2026-04-17T00:00:00Z")
    }

    @Test func leapDayWaitsForALeapYear() throws {
        #expect(try next("0 0 29 2 *", after: "2026-01-01T00:00:00Z") == "2028-02-29T00:00:00Z")
        #expect(try next("0 0 29 FEB *", after: "2028-02-29T00:00:00Z") == "2032-02-29T00:00:00Z")
    }

    @Test func impossibleDatesNeverFire() throws {
        #expect(try next("0 0 30 2 *", after: "2026-01-01T00:00:00Z") == nil)
        #expect(try next("0 0 31 4,6,9,11 *", after: "2026-01-01T00:00:00Z") == nil)
        #expect(
            try CronSchedule(parsing: "0 0 30 2 *").fires(
                after: date("2026-01-01T00:00:00Z"), upTo: date("2040-01-01T00:00:00Z")
            ).isEmpty)
    }

    @Test func macros() throws {
        #expect(try next("@hourly", after: "2026-03-01T10:07:00Z") == "2026-03-01T11:00:00Z")
        #expect(try next("@daily", after: "2026-03-01T10:07:00Z") == "2026-03-02T00:00:00Z")
        #expect(try next("@midnight", after: "2026-03-01T10:07:00Z") == "2026-03-02T00:00:00Z")
        #expect(try next("@weekly", after: "2026-03-01T10:07:00Z") == "2026-03-08T00:00:00Z")
        #expect(try next("@monthly", after: "2026-03-01T10:07:00Z") == "2026-04-01T00:00:00Z")
        #expect(try next("@yearly", after: "2026-03-01T10:07:00Z") == "2027-01-01T00:00:00Z")
        #expect(try next("@ANNUALLY", after: "2026-03-01T10:07:00Z") == "2027-01-01T00:00:00Z")
        #expect(try CronSchedule(parsing: "@daily").description == "@daily")
    }

    // MARK: Fires in a window

    @Test func firesExcludeTheStartAndIncludeTheEnd() throws {
        let hourly = try CronSchedule(parsing: "0 * * * *")
        let (start, end) = (try date("2026-01-01T00:00:00Z"), try date("2026-01-02T00:00:00Z"))
        let fires = hourly.fires(after: start, upTo: end)
        #expect(fires.count == 24)
        #expect(iso(fires.first) == "2026-01-01T01:00:00Z")
        #expect(iso(fires.last) == "2026-01-02T00:00:00Z")
        #expect(fires == fires.sorted())
        #expect(hourly.fires(after: start, upTo: end, limit: 5).count == 5)
        #expect(
            hourly.fires(after: start.addingTimeInterval(30 * 60), upTo: start.addingTimeInterval(59 * 60 + 59)).isEmpty
        )
    }

    @Test func firesReachBeyondFiveYears() throws {
        let leapDays = try CronSchedule(parsing: "0 0 29 2 *").fires(
            after: date("2096-03-01T00:00:00Z"), upTo: date("2110-01-01T00:00:00Z"))
        #expect(leapDays.map { iso($0) } == ["2104-02-29T00:00:00Z", "2108-02-29T00:00:00Z"])
    }

    @Test func aYearOfMinutesStopsAtTheLimit() throws {
        let start = try date("2026-01-01T00:00:00Z")
        let fires = try CronSchedule(parsing: "* * * * *").fires(after: start, upTo: date("2027-01-01T00:00:00Z"))
        #expect(fires.count == 10_000)
        #expect(fires.last == start.addingTimeInterval(10_000 * 60))
    }
}
