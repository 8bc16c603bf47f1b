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
    package init(candidates: [String]) throws(DynamicLibraryError) {
        var reasons: [String] = []
        for candidate in candidates {
            if let handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) {
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
        guard let address = dlsym(handle, symbol) else {
            throw .missingSymbol(library: name, symbol: symbol)
        }
        return unsafeBitCast(address, to: type)
    }

    /// The symbol's raw address, for the variadic functions called through C trampolines.
    package func address(_ symbol: String) throws(DynamicLibraryError) -> UnsafeMutableRawPointer {
        guard let address = dlsym(handle, symbol) else {
            throw .missingSymbol(library: name, symbol: symbol)
        }
        return address
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
