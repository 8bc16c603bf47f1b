import Glibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// ISO 8601 timestamps as AWS writes them: `2026-11-21T05:00:00Z`, with or without fractional
/// seconds. Done with the C library's calendar functions, which cost nothing at start-up, rather than
/// Foundation's format styles, which do (this runs on the cached-credentials path).
package enum ISO8601 {
    package static func parse(_ text: String) -> Date? {
        let bytes = Array(text.trimmingLineWhitespace().utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes[index] >= 48 && bytes[index] <= 57 else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index == bytes.count - 1, bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month - 1)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        let seconds = timegm(&fields)
        guard fields.tm_mday == Int32(day) else { return nil }  // timegm normalised an impossible date
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Whole seconds, UTC, `Z`: the form AWS tools read everywhere. A time outside the years
    /// 0000 to 9999 is written as the nearest end of that range.
    package static func format(_ date: Date) -> String {
        // Clamped before the conversion to time_t, which traps past Int64 (an ID token's `exp`
        // is whatever number the IdP signed, and the cache keeps it): 1e20 is a valid JSON
        // number and Date, and the warm path prints it.
        let exact = date.timeIntervalSince1970.rounded(.down)
        var seconds = time_t(exact.isNaN ? earliest : min(max(exact, earliest), latest))
        var fields = tm()
        gmtime_r(&seconds, &fields)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        // The year takes four digits, as ISO 8601 and `parse` want: a year before 1000 (which
        // `parse` accepts, and an ID token's or a cache entry's time can be) would otherwise come
        // out as "16-01-15T...", which nothing reads back.
        return "\(padded(fields.tm_year + 1900, 4))-\(padded(fields.tm_mon + 1, 2))-\(padded(fields.tm_mday, 2))T"
            + "\(padded(fields.tm_hour, 2)):\(padded(fields.tm_min, 2)):\(padded(fields.tm_sec, 2))Z"
    }

    /// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the ends of what four-digit years write.
    static let earliest: Double = -62_167_219_200
    static let latest: Double = 253_402_300_799
}
