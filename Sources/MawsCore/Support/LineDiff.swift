/// A line diff for `--dry-run`: `--- a` / `+++ b` headers, then every line of the longest common
/// subsequence as context (` `), removed lines (`-`) and added ones (`+`). The files maws edits are
/// small, so the quadratic table is cheap.
package enum LineDiff {
    package static func unified(_ old: String, _ new: String, name: String) -> String {
        let a = splitLines(old)
        let b = splitLines(new)
        guard a != b else { return "" }
        // lengths[i][j]: the longest common subsequence of a[i...] and b[j...].
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var text = "--- \(name)\n+++ \(name)\n"
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                text += " " + a[i] + "\n"
                (i, j) = (i + 1, j + 1)
            } else if j < b.count, i == a.count || lengths[i][j + 1] >= lengths[i + 1][j] {
                text += "+" + b[j] + "\n"
                j += 1
            } else {
                text += "-" + a[i] + "\n"
                i += 1
            }
        }
        return text
    }

    private static func splitLines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
