/// How maws names and sizes the sessions it asks STS for.
public enum RoleSession {
    /// The session name: the `email` claim, else `sub`, reduced to what STS accepts
    /// (`[\w+=,.@-]{2,64}`): other characters become `-`, long names are cut.
    public static func name(email: String?, subject: String) -> String {
        let source = email.flatMap { $0.isEmpty ? nil : $0 } ?? subject
        var name = String(source.map { character -> Character in
            let allowed = character.isASCII && (character.isLetter || character.isNumber || "_+=,.@-".contains(character))
            return allowed ? character : "-"
        }.prefix(64))
        if name.count < 2 { name = ("maws-" + name).padding(toAtLeast: 2) }
        return name
    }

    /// The durations tried when STS says the requested one exceeds the role's MaxSessionDuration:
    /// the configured value, then each standard step below it.
    public static func durationLadder(startingAt requested: Int) -> [Int] {
        [requested] + [43200, 28800, 14400, 7200, 3600, 900].filter { $0 < requested }
    }
}

private extension String {
    func padding(toAtLeast length: Int) -> String {
        count >= length ? self : self + String(repeating: "-", count: length - count)
    }
}
