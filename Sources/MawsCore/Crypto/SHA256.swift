#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// SHA-256 and HMAC-SHA-256 through OpenSSL.
package enum SHA256 {
    package static func hash(_ data: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        let library = try LibCrypto.shared()
        var output = [UInt8](repeating: 0, count: 32)
        let input = Array(data)
        let status = input.withUnsafeBytes { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                library.digest(inputBuffer.baseAddress, inputBuffer.count, outputBuffer.baseAddress, nil, library.sha256(), nil)
            }
        }
        guard status == 1 else { throw .digestFailed }
        return output
    }

    package static func hmac(key: some Collection<UInt8>, message: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        let library = try LibCrypto.shared()
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        let result = keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBufferPointer { messageBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    library.hmac(
                        library.sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count),
                        messageBuffer.baseAddress, messageBuffer.count, outputBuffer.baseAddress, &length)
                }
            }
        }
        guard result != nil, length == 32 else { throw .digestFailed }
        return output
    }
}
