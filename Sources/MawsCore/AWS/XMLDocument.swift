/// A minimal XML reader for AWS Query API responses: elements, text and the predefined and
/// numeric entities. Attributes, namespaces prefixes, comments and processing instructions are
/// read past. Enough for STS and IAM answers, without pulling FoundationXML into start-up.
package struct XMLElement: Sendable, Equatable {
    /// The local name (any namespace prefix removed).
    package var name: String
    package var children: [XMLElement]
    package var text: String

    /// The first child named `name`.
    package func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// The element at the end of `path`, one child name per step.
    package func find(_ path: String...) -> XMLElement? {
        var element: XMLElement? = self
        for step in path { element = element?.child(step) }
        return element
    }

    package static func parse(_ text: String) throws(XMLError) -> XMLElement {
        var parser = XMLParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }
}

package struct XMLError: Error, Equatable, Sendable {
    package var offset: Int
    package var reason: String
}

private struct XMLParser {
    let bytes: [UInt8]
    var position = 0
    /// Elements open around the one being read. AWS answers nest a handful deep; the parser
    /// recurses per level, so a limit keeps a hostile answer from exhausting the stack.
    var depth = 0
    static let maximumDepth = 64

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(XMLError) -> XMLElement {
        try skipMisc()
        guard peek("<") else { throw fail("expected the root element") }
        let root = try parseElement()
        try skipMisc()
        guard position == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Skips whitespace, the XML declaration, comments, processing instructions and a DOCTYPE.
    mutating func skipMisc() throws(XMLError) {
        while true {
            while position < bytes.count, Self.isSpace(bytes[position]) { position += 1 }
            if peek("<?") {
                try skip(past: "?>")
            } else if peek("<!--") {
                try skip(past: "-->")
            } else if peek("<!") && !peek("<![CDATA[") {
                try skip(past: ">")
            } else {
                return
            }
        }
    }

    mutating func parseElement() throws(XMLError) -> XMLElement {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw fail("elements nest deeper than \(Self.maximumDepth) levels") }
        position += 1  // "<"
        let name = readName()
        guard !name.isEmpty else { throw fail("expected an element name") }
        // Attributes are not needed: skip to the end of the start tag, respecting quotes.
        var quote: UInt8?
        while position < bytes.count {
            let byte = bytes[position]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                break
            }
            position += 1
        }
        guard position < bytes.count else { throw fail("unterminated start tag <\(name)>") }
        let selfClosing = bytes[position - 1] == UInt8(ascii: "/")
        position += 1
        var element = XMLElement(name: Self.localName(name), children: [], text: "")
        if selfClosing { return element }

        var text: [UInt8] = []
        while true {
            guard position < bytes.count else { throw fail("element <\(name)> is not closed") }
            if bytes[position] != UInt8(ascii: "<") && bytes[position] != UInt8(ascii: "&") {
                // Plain text, taken up to the next markup at once: a session token is a thousand
                // characters, and looking for markup at each one was most of reading an answer.
                let start = position
                while position < bytes.count, bytes[position] != UInt8(ascii: "<"), bytes[position] != UInt8(ascii: "&") { position += 1 }
                text += bytes[start..<position]
                continue
            }
            if peek("</") {
                position += 2
                let closing = readName()
                guard closing == name else { throw fail("</\(closing)> closes <\(name)>") }
                while position < bytes.count, bytes[position] != UInt8(ascii: ">") { position += 1 }
                guard position < bytes.count else { throw fail("unterminated end tag") }
                position += 1
                element.text = String(decoding: text, as: UTF8.self)
                return element
            } else if peek("<![CDATA[") {
                position += 9
                let start = position
                try skip(past: "]]>")
                text += bytes[start..<(position - 3)]
            } else if peek("<!--") || peek("<?") {
                try skipMisc()
            } else if peek("<") {
                element.children.append(try parseElement())
            } else if bytes[position] == UInt8(ascii: "&") {
                text += try readEntity()
            } else {
                text.append(bytes[position])
                position += 1
            }
        }
    }

    mutating func readName() -> String {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if Self.isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") { break }
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    mutating func readEntity() throws(XMLError) -> [UInt8] {
        guard let end = bytes[position...].firstIndex(of: UInt8(ascii: ";")), end - position <= 10 else {
            throw fail("unterminated entity reference")
        }
        let name = String(decoding: bytes[(position + 1)..<end], as: UTF8.self)
        position = end + 1
        switch name {
        case "lt": return Array("<".utf8)
        case "gt": return Array(">".utf8)
        case "amp": return Array("&".utf8)
        case "quot": return Array("\"".utf8)
        case "apos": return Array("'".utf8)
        default:
            let value: UInt32?
            if name.hasPrefix("#x") {
                value = UInt32(name.dropFirst(2), radix: 16)
            } else if name.hasPrefix("#") {
                value = UInt32(name.dropFirst())
            } else {
                value = nil
            }
            guard let value, let scalar = Unicode.Scalar(value) else { throw fail("unknown entity &\(name);") }
            return Array(String(scalar).utf8)
        }
    }

    func peek(_ literal: String) -> Bool {
        let pattern = Array(literal.utf8)
        guard position + pattern.count <= bytes.count else { return false }
        return bytes[position..<(position + pattern.count)].elementsEqual(pattern)
    }

    mutating func skip(past literal: String) throws(XMLError) {
        while position < bytes.count {
            if peek(literal) {
                position += literal.utf8.count
                return
            }
            position += 1
        }
        throw fail("expected '\(literal)'")
    }

    /// XML's whitespace: tab, line feed, carriage return, space.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 9 || byte == 10 || byte == 13 || byte == 32
    }

    func fail(_ reason: String) -> XMLError {
        XMLError(offset: position, reason: reason)
    }

    static func localName(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }
}
