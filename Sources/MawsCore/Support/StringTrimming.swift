extension StringProtocol {
    /// The text without spaces and tabs at either end, nor the line break at its end: how a line
    /// of a header, a prompt answer or a pasted URL is read. (INI files have their own, wider rules:
    /// `INISyntax`.)
    func trimmingLineWhitespace() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        // isNewline also covers "\r\n", which Swift counts as one Character.
        while let last = slice.last, last == " " || last == "\t" || last.isNewline { slice.removeLast() }
        return slice
    }

    /// The text without any of `characters` at either end (`"[::1]"` without `"[]"`).
    package func trimmingCharacters(in characters: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
