/// The page the browser shows after the redirect reaches maws.
enum RedirectPage: Equatable {
    case success
    case failure(error: String, description: String?)
    case wrongState
    case notFound

    var html: String {
        switch self {
        case .success:
            return Self.page(title: "Signed in", message: "maws has your sign-in. You can close this tab and return to the terminal.")
        case .failure(let error, let description):
            return Self.page(
                title: "Sign-in failed",
                message:
                    "The identity provider answered: \(error)\(description.map { ": \($0)" } ?? ""). Return to the terminal for details.")
        case .wrongState:
            return Self.page(
                title: "Not this sign-in",
                message: "This response does not belong to the sign-in maws is waiting for. Start the sign-in again from the terminal.")
        case .notFound:
            return Self.page(title: "Not found", message: "maws only answers the sign-in redirect here.")
        }
    }

    private static func page(title: String, message: String) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>maws: \(escape(title))</title>
        <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}</style></head>
        <body><h1>\(escape(title))</h1><p>\(escape(message))</p></body></html>
        """
    }

    /// HTML-escapes text that may come from the request (the IdP's error description).
    ///
    /// Scalar by scalar, as the browser's tokenizer reads it: by Character, "<" followed by a
    /// combining mark is one grapheme that is not "<", and went out unescaped.
    static func escape(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;".unicodeScalars
            case "<": escaped += "&lt;".unicodeScalars
            case ">": escaped += "&gt;".unicodeScalars
            case "\"": escaped += "&quot;".unicodeScalars
            case "'": escaped += "&#39;".unicodeScalars
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }
}
