import Glibc

/// Opens a URL in the person's browser: `$BROWSER` if set; else, under WSL, the Windows browser
/// (`wslview`, else `cmd.exe /c start`); else `xdg-open` when there is a display. The browser is
/// started in its own session with its output discarded (stdout is the credentials channel) and
/// is never waited on.
package struct BrowserLauncher: Sendable {
    package var environment: Environment
    /// Whether this is Linux under Windows (WSL), where the browser is Windows's.
    package var underWSL: Bool

    package init(environment: Environment, underWSL: Bool? = nil) {
        self.environment = environment
        self.underWSL = underWSL ?? Self.isWSL(environment: environment, kernelRelease: Self.kernelRelease())
    }

    /// WSL sets `WSL_DISTRO_NAME` and `WSL_INTEROP` for its processes, and its kernels name
    /// Microsoft in their release (`5.15.153.1-microsoft-standard-WSL2`).
    package static func isWSL(environment: Environment, kernelRelease: String?) -> Bool {
        if environment["WSL_DISTRO_NAME"] != nil || environment["WSL_INTEROP"] != nil { return true }
        return kernelRelease?.lowercased().contains("microsoft") ?? false
    }

    static func kernelRelease() -> String? {
        let descriptor = Glibc.open("/proc/sys/kernel/osrelease", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let bytes = FileDescriptor.readToEnd(descriptor, chunkSize: 256).bytes
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// `url` as one argument of `cmd.exe /c start`: cmd.exe reads `& | < > ( ) ^` itself unless
    /// each is escaped with `^`.
    static func cmdEscaped(_ url: String) -> String {
        var escaped = ""
        for character in url {
            if "&|<>()^".contains(character) { escaped.append("^") }
            escaped.append(character)
        }
        return escaped
    }

    /// The command lines to try, in order, for `url`.
    func candidates(for url: String) -> [[String]] {
        if let browser = environment["BROWSER"] {
            // Like Python's webbrowser: a list of commands separated by ':'; "%s" marks the URL.
            return browser.split(separator: ":").compactMap { command in
                let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard !words.isEmpty else { return nil }
                if words.contains(where: { $0.contains("%s") }) {
                    return words.map { $0.replacingPlaceholder(with: url) }
                }
                return words + [url]
            }
        }
        if underWSL {
            // wslview (wslu) hands the URL to Windows's default browser; cmd.exe's `start` does
            // the same where wslu is not installed (the empty argument is the window title `start` takes first).
            return [["wslview", url], ["cmd.exe", "/c", "start", "", Self.cmdEscaped(url)]]
        }
        let hasDisplay = environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil
        return hasDisplay ? [["xdg-open", url]] : []
    }

    /// Starts the first candidate that can be executed; returns its pid, or nil when there is none.
    package func open(_ url: String) -> pid_t? {
        for command in candidates(for: url) {
            if let pid = spawnDetached(command) { return pid }
        }
        return nil
    }

    /// Opens `url`, which carries a secret, through a one-time loopback address (`OneTimeRedirect`)
    /// so that it never appears in an argument list, and waits at most `timeout` for the browser to
    /// ask for it. Returns false when there is no browser to start or it did not come in time.
    package func openPrivately(_ url: String, timeout: Duration) throws -> Bool {
        let server = try LoopbackHTTPServer(ports: [0])
        var redirect = try OneTimeRedirect(to: url)
        guard let process = open(redirect.url(port: server.port)) else { return false }
        defer { Self.reap(process) }
        let notFound = LoopbackHTTPServer.Response(status: "404 Not Found", contentType: "text/plain; charset=utf-8", body: [])
        do {
            return try server.serve(timeout: timeout) { request in
                if let answer = redirect.answer(request) { return (answer, true) }
                return (notFound, nil)
            }
        } catch .timedOut {
            return false
        }
    }

    private func spawnDetached(_ arguments: [String]) -> pid_t? {
        guard let executable = ExecutablePath.resolve(arguments[0], path: environment["PATH"]) else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Self.spawnNewSession)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = environment.variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        return status == 0 ? pid : nil
    }

    /// glibc's POSIX_SPAWN_SETSID (0x80), which Swift does not see without _GNU_SOURCE: the browser
    /// gets its own session, so a Ctrl-C aimed at maws does not close it.
    static let spawnNewSession: Int16 = 0x80

    /// Collects a finished browser process without blocking, so none lingers as a zombie.
    package static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }
}

extension String {
    fileprivate func replacingPlaceholder(with value: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: "%s") {
            result += rest[..<range.lowerBound] + value
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
