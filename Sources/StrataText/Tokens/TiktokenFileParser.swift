import StrataCore

/// Parses the `.tiktoken` vocabulary format: one token per line, `base64(bytes) SP rank`.
///
/// Pure: it takes the file's bytes and names the file only in error messages.
enum TiktokenFileParser {
    static func parse(_ data: [UInt8], fileName: String) throws -> TokenList {
        var list = TokenList()
        list.bytes.reserveCapacity(data.count)
        var decoded: [UInt8] = []
        var lineNumber = 0
        var i = 0
        while i < data.count {
            lineNumber += 1
            var end = i
            while end < data.count, data[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > i, data[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            defer { i = end + 1 }
            if lineEnd == i { continue }
            guard let space = data[i..<lineEnd].firstIndex(of: 0x20) else {
                throw StrataError.invalidArgument("vocabulary file \(fileName): line \(lineNumber) has no space between token and rank")
            }
            decoded.removeAll(keepingCapacity: true)
            guard Base64.decode(data[i..<space], into: &decoded) else {
                throw StrataError.invalidArgument("vocabulary file \(fileName): line \(lineNumber) has an invalid base64 token")
            }
            var rank = 0
            var digits = 0
            for b in data[(space + 1)..<lineEnd] {
                guard b >= 0x30, b <= 0x39 else {
                    throw StrataError.invalidArgument("vocabulary file \(fileName): line \(lineNumber) has an invalid rank")
                }
                rank = rank * 10 + Int(b - 0x30)
                digits += 1
                if digits > 9 { throw StrataError.invalidArgument("vocabulary file \(fileName): line \(lineNumber) has a rank out of range") }
            }
            guard digits > 0, !decoded.isEmpty else {
                throw StrataError.invalidArgument("vocabulary file \(fileName): line \(lineNumber) has an empty token or rank")
            }
            list.append(decoded[...], rank: rank)
        }
        guard !list.ranks.isEmpty else {
            throw StrataError.invalidArgument("vocabulary file \(fileName) holds no tokens")
        }
        return list
    }
}

/// Standard base64 (RFC 4648, with padding) decoding of a slice, without Foundation.
enum Base64 {
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(value) }
        return table
    }()

    /// Appends the decoded bytes to `out`; false when the input is not valid base64.
    static func decode(_ input: ArraySlice<UInt8>, into out: inout [UInt8]) -> Bool {
        var slice = input
        while slice.last == 0x3D { slice = slice.dropLast() }
        guard input.count % 4 == 0, input.count - slice.count <= 2 else { return false }
        var accumulator: UInt32 = 0
        var bits = 0
        for symbol in slice {
            let value = values[Int(symbol)]
            if value == 0xFF { return false }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return true
    }
}
