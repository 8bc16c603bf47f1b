#if DEBUG
/// Reads the choices a fuzz input makes, byte by byte, as libFuzzer's FuzzedDataProvider does:
/// an input that runs out gives zeros and empty strings, so every input is a valid sequence of
/// choices and a small mutation changes one choice.
struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    var isEmpty: Bool { bytes.isEmpty }

    mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// A number in `0..<count`.
    mutating func choice(_ count: Int) -> Int {
        Int(byte()) % count
    }

    mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[choice(elements.count)]
    }

    mutating func flag() -> Bool {
        byte() & 1 == 1
    }

    /// A string of up to 255 bytes, its length first; invalid UTF-8 becomes U+FFFD.
    mutating func string() -> String {
        let count = min(Int(byte()), bytes.count)
        let text = String(decoding: bytes.prefix(count), as: UTF8.self)
        bytes = bytes.dropFirst(count)
        return text
    }
}

extension Array where Element == UInt8 {
    /// The bytes before the first NUL, and those after it: targets whose input is a text and a
    /// few choices about it take the text first, so that a seed can be a plain file.
    func splitAtFirstNUL() -> (text: ArraySlice<UInt8>, choices: FuzzInput) {
        guard let nul = firstIndex(of: 0) else { return (self[...], FuzzInput([])) }
        return (self[..<nul], FuzzInput(self[(nul + 1)...]))
    }
}
#endif
