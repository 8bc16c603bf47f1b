/// The session name maws gives STS for a role session: what CloudTrail and `GetCallerIdentity`
/// show as the person.
package enum RoleSessionName {
    /// The `email` claim, else `sub`, reduced to what STS accepts (`[\w+=,.@-]{2,64}`): other
    /// characters become `-`, long names are cut.
    package static func make(email: String?, subject: String) -> String {
        let source = email.flatMap { $0.isEmpty ? nil : $0 } ?? subject
        var name = String(
            source.map { character -> Character in
                let allowed = character.isASCII && (character.isLetter || character.isNumber || "_+=,.@-".contains(character))
                return allowed ? character : "-"
            }.prefix(64))
        if name.count < 2 { name = ("maws-" + name).padding(toAtLeast: 2) }
        return name
    }
}

extension String {
    fileprivate func padding(toAtLeast length: Int) -> String {
        count >= length ? self : self + String(repeating: "-", count: length - count)
    }
}
