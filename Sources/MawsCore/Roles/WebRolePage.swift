#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The pages of the role picker in the browser: the roles grouped by account, with a filter box
/// and keyboard navigation, and the page that says which role was assumed or what went wrong.
///
/// Everything the page needs is in it: no font, script or image from elsewhere. Its one script and
/// its one style sheet are allowed by their SHA-256 in the Content-Security-Policy, so no other
/// script can run even if something got past the escaping. Without script, the page still works:
/// each role is a submit button of one form.
enum WebRolePage {
    /// The picker for `menu`; choosing posts `token` and the role back to `action`.
    static func picker(_ menu: RoleMenu, token: String, action: String) -> String {
        var accounts = ""
        var currentAccount: String?
        for item in menu.items {
            if item.accountLabel != currentAccount {
                if currentAccount != nil { accounts += "</ul></section>\n" }
                accounts += "<section class=\"account\"><h2>\(escape(item.accountLabel))</h2><ul>\n"
                currentAccount = item.accountLabel
            }
            let search = "\(item.accountLabel) \(item.role.resource)".lowercased()
            accounts +=
                "<li><button type=\"submit\" class=\"role\" name=\"role\" value=\"\(escape(item.role.description))\" "
                + "data-search=\"\(escape(search))\">\(escape(item.role.resource))</button></li>\n"
        }
        if currentAccount != nil { accounts += "</ul></section>\n" }
        return document(
            title: "Choose a role",
            body: """
                <h1>Choose a role</h1>
                <form method="post" action="\(escape(action))">
                <input type="hidden" name="token" value="\(escape(token))">
                <p><input type="search" id="filter" placeholder="Filter: account or role" aria-label="Filter roles" autocomplete="off" autofocus></p>
                <p class="hint">Type to filter, arrow keys to move, Enter to choose.</p>
                \(accounts)<p id="none" hidden>No role matches.</p>
                <p><button type="submit" class="cancel" name="action" value="cancel">Cancel</button></p>
                </form>
                """)
    }

    /// The last page: `title` and `message` (text, escaped here).
    static func outcome(title: String, message: String) -> String {
        document(title: title, body: "<h1>\(escape(title))</h1>\n<p>\(escape(message))</p>")
    }

    /// Only this page's own style and script, and forms posted to this address.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src '\(hash(style))'; script-src '\(hash(script))'; form-action 'self'; "
        + "base-uri 'none'; frame-ancestors 'none'"

    private static func document(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>maws: \(escape(title))</title>
        <style>\(style)</style>
        </head><body><main>
        \(body)
        </main><script>\(script)</script></body></html>
        """
    }

    private static func escape(_ text: String) -> String {
        RedirectPage.escape(text)
    }

    /// `sha256-BASE64` of `text`, as CSP names an inline element's content.
    private static func hash(_ text: String) -> String {
        // libcrypto is loaded by the time a sign-in reaches the picker; without it the policy
        // allows no script and no style, and the page still works as a plain form.
        guard let digest = try? SHA256.hash(Array(text.utf8)) else { return "none" }
        return "sha256-" + Data(digest).base64EncodedString()
    }

    static let style = """
        :root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fff;--muted:#5f6368;--line:#d8d8de;--hover:#eef2ff;--accent:#3451b2}
        @media (prefers-color-scheme:dark){:root{--fg:#e8e8ee;--bg:#17171c;--muted:#a0a0ab;--line:#3a3a44;--hover:#262a3d;--accent:#9db1ff}}
        body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
        main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}
        h1{font-size:1.5rem;margin:0 0 1rem}h2{font-size:1rem;margin:1.25rem 0 .4rem;color:var(--muted);font-weight:600}
        ul{list-style:none;margin:0;padding:0;border:1px solid var(--line);border-radius:8px;overflow:hidden}
        li+li{border-top:1px solid var(--line)}
        button.role{display:block;width:100%;text-align:left;padding:.7rem .9rem;border:0;background:none;color:inherit;font:inherit;cursor:pointer;overflow-wrap:anywhere}
        button.role:hover,button.role:focus{background:var(--hover);outline:2px solid var(--accent);outline-offset:-2px}
        #filter{box-sizing:border-box;width:100%;padding:.6rem .8rem;font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:8px}
        #filter:focus{outline:2px solid var(--accent)}
        .hint,#none{color:var(--muted);font-size:.9rem}
        button.cancel{padding:.5rem 1rem;font:inherit;color:inherit;background:none;border:1px solid var(--line);border-radius:8px;cursor:pointer}
        [hidden]{display:none!important}
        """

    static let script = """
        (function () {
          var filter = document.getElementById("filter");
          if (!filter) return;
          var buttons = Array.prototype.slice.call(document.querySelectorAll("button.role"));
          function visible() { return buttons.filter(function (b) { return !b.parentNode.hidden; }); }
          function apply() {
            var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
            buttons.forEach(function (b) {
              var text = b.getAttribute("data-search");
              b.parentNode.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
            });
            Array.prototype.forEach.call(document.querySelectorAll("section.account"), function (s) {
              s.hidden = !s.querySelector("li:not([hidden])");
            });
            document.getElementById("none").hidden = visible().length > 0;
          }
          filter.addEventListener("input", apply);
          filter.addEventListener("keydown", function (e) {
            var shown = visible();
            if (e.key === "ArrowDown" && shown.length) { e.preventDefault(); shown[0].focus(); }
            else if (e.key === "Enter") { e.preventDefault(); if (shown.length) shown[0].click(); }
            else if (e.key === "Escape") { filter.value = ""; apply(); }
          });
          document.addEventListener("keydown", function (e) {
            if (e.target === filter) return;
            var shown = visible(), at = shown.indexOf(document.activeElement);
            if (at < 0) return;
            if (e.key === "ArrowDown") { e.preventDefault(); if (at + 1 < shown.length) shown[at + 1].focus(); }
            else if (e.key === "ArrowUp") { e.preventDefault(); if (at > 0) shown[at - 1].focus(); else filter.focus(); }
            else if (e.key === "Escape") { filter.focus(); }
          });
        })();
        """
}
