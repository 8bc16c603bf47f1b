#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Cryptographically secure random bytes from OpenSSL's RNG.
package enum SecureRandom {
    package static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        let library = try LibCrypto.shared()
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { library.randBytes($0.baseAddress, Int32(count)) }
        guard status == 1 else { throw .randomFailed }
        return bytes
    }

    /// `byteCount` random bytes as unpadded base64url: 32 bytes give 43 characters.
    package static func token(byteCount: Int = 32) throws(CryptoError) -> String {
        Base64URL.encode(try bytes(byteCount))
    }
}
