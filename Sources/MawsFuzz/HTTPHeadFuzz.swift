#if DEBUG
@testable import MawsCore

/// The loopback server's request reading (the head found in the bytes as they arrive, then parsed)
/// and the two things it answers: the sign-in redirect and the one-time browser address.
enum HTTPHeadFuzz {
    static let target = FuzzTarget(
        "http",
        "loopback request heads: found the same whether the bytes arrive at once or in "
            + "pieces; the request line parses to method and target without spaces; the redirect "
            + "route gives a code or error only with this sign-in's state; the failure page escapes "
            + "what the request says; a one-time address redirects once"
    ) { data in
        run(data)
    }

    static let state = "fuzz-state-0S6_WzA2Mj"
    /// Its path is random: the fuzzer reaches it through `checkOneTimeRedirect`, which asks for it.
    static let redirect = try! OneTimeRedirect(to: "https://idp.example.com/authorize?state=\(state)")

    static func run(_ data: [UInt8]) {
        let head = LoopbackHTTPServer.requestHead(data)
        if let end = firstTerminator(data) {
            require(head == String(decoding: data[..<end], as: UTF8.self), "requestHead is not the bytes before the first blank line")
        } else {
            require(head == nil, "requestHead found a head without a blank line")
        }
        // The server searches again as each piece arrives; it must find the same head.
        let piece = 1 + Int(data.last ?? 0) % 97
        require(arriving(data, inPiecesOf: piece) == head, "requestHead finds another head in pieces of \(piece)")

        let request = LoopbackHTTPServer.parse(head: head ?? String(decoding: data, as: UTF8.self))
        if !request.method.isEmpty {
            require(
                !request.method.contains(" ") && !request.target.contains(" ") && !request.target.contains(where: \.isNewline),
                "a method or target with a space or line break")
        }
        for name in request.headers.keys {
            require(name == name.lowercased(), "header name \(name) is not lowercased")
        }
        checkRoute(method: request.method, target: request.target)
        if let pasted = PastedRedirectInput.requestTarget(of: String(decoding: data, as: UTF8.self)) {
            checkRoute(method: "GET", target: pasted)
        }
        checkOneTimeRedirect(request)
    }

    static func firstTerminator(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        return (0...(data.count - 4)).first { data[$0] == 13 && data[$0 + 1] == 10 && data[$0 + 2] == 13 && data[$0 + 3] == 10 }
    }

    /// What `ConnectionTable.advance` does: append each piece, search from just before it.
    static func arriving(_ data: [UInt8], inPiecesOf size: Int) -> String? {
        var input: [UInt8] = []
        var offset = 0
        while offset < data.count {
            let searchFrom = input.count - 3
            input += data[offset..<min(offset + size, data.count)]
            offset += size
            if let head = LoopbackHTTPServer.requestHead(input, searchingFrom: searchFrom) { return head }
        }
        return nil
    }

    static func checkRoute(method: String, target: String) {
        let (status, page, result) = LoopbackListener.route(method: method, target: target, state: state)
        guard let result else {
            require(status != "200 OK", "200 without a result")
            return
        }
        require(status == "200 OK" && method == "GET", "a result with \(status) for \(method)")
        let query = target.firstIndex(of: "?").map { target[target.index(after: $0)...] } ?? ""
        let fields = FormEncoding.decode(query) ?? []
        require(fields.first { $0.0 == "state" }?.1 == state, "a result without this sign-in's state")
        switch result {
        case .code(let code):
            require(!code.isEmpty && page == .success, "an empty code, or a code without the success page")
        case .error:
            guard case .failure = page else { return require(false, "an error without the failure page") }
            // What the request said appears escaped: the page has only maws's own markup.
            let markup = page.html.unicodeScalars.filter { $0 == "<" }.count
            require(
                markup == RedirectPage.failure(error: "", description: nil).html.unicodeScalars.filter { $0 == "<" }.count,
                "the failure page has markup from the request")
        }
    }

    /// The one-time address answers the first GET with the redirect and everything after with a 404.
    static func checkOneTimeRedirect(_ request: LoopbackHTTPServer.Request) {
        var asked = request
        asked.target = redirect.path + request.target.drop { $0 != "?" }
        var once = redirect
        let first = once.answer(asked)
        require(first != nil, "the one-time address does not answer its own path")
        let second = once.answer(asked)
        require(second?.status == "404 Not Found", "the one-time address answered twice")
        require(first?.status != "303 See Other" || request.method == "GET", "the one-time address redirected a \(request.method)")
        var other = redirect
        require(other.answer(request) == nil || request.path == redirect.path, "the one-time address answers another path")
    }
}
#endif
