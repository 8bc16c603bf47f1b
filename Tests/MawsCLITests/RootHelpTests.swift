import Foundation
import Testing

@testable import maws

/// `maws --help` is printed from `RootHelp.layout` without building swift-argument-parser's help:
/// the two give the same bytes at every width, and the layout is the one swift-argument-parser's
/// help gives today.
@Suite struct RootHelpTests {
    @Test func theLayoutIsTheCommandsHelp() {
        let current = Self.layout(ofUnwrapped: RootHelp.composed(columns: 100_000))
        #expect(
            current == RootHelp.layout,
            "an option or subcommand's help changed: paste this as RootHelp.layout\n\(Self.literal(current))")
    }

    @Test func everyWidthRendersAsSwiftArgumentParserDoes() {
        for columns in RootHelp.minimumColumns...240 {
            let expected = RootHelp.composed(columns: columns)
            let rendered = RootHelp.layout.rendered(columns: columns)
            #expect(rendered == expected, "at \(columns) columns")
            if rendered != expected { return }
        }
    }

    /// The wide rendering read back into a layout: rows are "  LABEL", padded to the abstract's
    /// column, then the abstract; a label too long for its column has the abstract on the next
    /// line, indented to it.
    static func layout(ofUnwrapped text: String) -> RootHelp.Layout {
        let column = RootHelp.Layout.abstractColumn
        let overview = String(text.components(separatedBy: "\n\nUSAGE:")[0])
        func rows(after header: String) -> [RootHelp.Layout.Row] {
            let start = text.components(separatedBy: header + "\n")[1]
            var lines = start.components(separatedBy: "\n").prefix { !$0.isEmpty }[...]
            var rows: [RootHelp.Layout.Row] = []
            while let line = lines.popFirst() {
                let label = String(line.prefix(column).dropFirst(RootHelp.Layout.labelIndent)).trimmingSpaces()
                if line.count > column {
                    rows.append(.init(label: label, abstract: String(line.dropFirst(column))))
                } else if let next = lines.first, next.hasPrefix(String(repeating: " ", count: column)) {
                    lines.removeFirst()
                    rows.append(.init(label: label, abstract: String(next.dropFirst(column))))
                } else {
                    rows.append(.init(label: label, abstract: ""))
                }
            }
            return rows
        }
        return RootHelp.Layout(overview: overview, options: rows(after: RootHelp.optionsHeader), subcommands: rows(after: "SUBCOMMANDS:"))
    }

    /// `layout` as the Swift literal to paste into RootHelp.swift.
    static func literal(_ layout: RootHelp.Layout) -> String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        func rows(_ rows: [RootHelp.Layout.Row]) -> String {
            rows.map { "            .init(label: \(quoted($0.label)), abstract: \(quoted($0.abstract))),\n" }.joined()
        }
        let overview = layout.overview.components(separatedBy: "\n").map { $0.isEmpty ? "" : "            " + $0 }.joined(separator: "\n")
        return """
                static let layout = Layout(
                    overview: \"\"\"
            \(overview)
                        \"\"\",
                    options: [
            \(rows(layout.options))        ],
                    subcommands: [
            \(rows(layout.subcommands))        ]
                )
            """
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
