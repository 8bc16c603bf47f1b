import Glibc

/// A shared library opened with `dlopen` on first use.
///
/// maws keeps libcurl and libcrypto out of its link line: mapping them and their dependencies costs
/// milliseconds at every start, and the common run (cached credentials) needs neither.
package struct DynamicLibrary: @unchecked Sendable {
    // The handle is never closed: the library stays loaded for the life of the process.
    private let handle: UnsafeMutableRawPointer
    package let name: String

    /// Opens the first of `candidates` that loads.
    ///
    /// Binding is lazy: libcurl brings in some twenty libraries (SSH, LDAP, Kerberos, IDN...), and
    /// binding every function of each up front was a fifth of a sign-in's instructions. A function
    /// is bound the first time it is called; the ones maws calls are checked with `dlsym` here.
    package init(candidates: [String]) throws(DynamicLibraryError) {
        var reasons: [String] = []
        for candidate in candidates {
            if let handle = dlopen(candidate, RTLD_LAZY | RTLD_LOCAL) {
                self.handle = handle
                self.name = candidate
                return
            }
            reasons.append(String(cString: dlerror()))
        }
        throw .notFound(candidates: candidates, reason: reasons.last ?? "")
    }

    /// The symbol `name`, typed as the function pointer type `type`.
    package func function<T>(_ symbol: String, as type: T.Type) throws(DynamicLibraryError) -> T {
        unsafeBitCast(try address(symbol), to: type)
    }

    /// The symbol's raw address, for the variadic functions called through C trampolines.
    package func address(_ symbol: String) throws(DynamicLibraryError) -> UnsafeMutableRawPointer {
        guard let address = dlsym(handle, symbol) else {
            throw .missingSymbol(library: name, symbol: symbol)
        }
        return address
    }
}

/// A library's functions, looked up the first time they are needed and kept for the life of the
/// process; or, when the library does not load or lacks one of them, the reason, kept likewise, so
/// that every later use fails the same way without trying again.
///
/// The lookup runs when the value is made: keep it in a `static let`, which Swift initialises
/// once, on first use, under a lock.
package struct SharedLibrary<Functions: Sendable>: Sendable {
    private let loaded: Result<Functions, DynamicLibraryError>

    /// Opens the first of `candidates` that loads and looks `Functions` up in it.
    package init(candidates: [String], functions: (DynamicLibrary) throws(DynamicLibraryError) -> Functions) {
        loaded = Result { () throws(DynamicLibraryError) in try functions(DynamicLibrary(candidates: candidates)) }
    }

    /// More functions of the library that `base` opened, `library` being its handle.
    package init<Base>(
        in base: SharedLibrary<Base>, library: (Base) -> DynamicLibrary,
        functions: (DynamicLibrary) throws(DynamicLibraryError) -> Functions
    ) {
        loaded = Result { () throws(DynamicLibraryError) in try functions(library(base.loaded.get())) }
    }

    /// The functions, or `failure` made from the reason the library cannot be used.
    package func functions<Failure: Error>(or failure: (String) -> Failure) throws(Failure) -> Functions {
        switch loaded {
        case .success(let functions): return functions
        case .failure(let error): throw failure(error.description)
        }
    }
}

package enum DynamicLibraryError: Error, Sendable, CustomStringConvertible {
    case notFound(candidates: [String], reason: String)
    case missingSymbol(library: String, symbol: String)

    package var description: String {
        switch self {
        case .notFound(let candidates, let reason):
            return "cannot load \(candidates.first ?? "library") (\(reason)); install it (Debian: see README 'Requirements')"
        case .missingSymbol(let library, let symbol):
            return "\(library) has no symbol \(symbol); it is too old for maws"
        }
    }
}
