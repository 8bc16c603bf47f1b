/// The session durations maws asks STS for, longest first.
package enum DurationLadder {
    /// When STS says the requested duration exceeds the role's MaxSessionDuration: the requested
    /// value, then each standard step below it.
    package static func steps(startingAt requested: Int) -> [Int] {
        [requested] + [43200, 28800, 14400, 7200, 3600, 900].filter { $0 < requested }
    }
}
