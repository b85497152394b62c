/// Text decoding with Python's semantics and error messages.
enum PythonText {
    /// `bytes.decode("utf-8")`, or the `UnicodeDecodeError` text Python would raise.
    static func decodeUTF8(_ bytes: ArraySlice<UInt8>) -> Result<String, DecodeFailure> {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let (length, secondRange): (Int, ClosedRange<UInt8>)
            switch lead {
            case 0xC2...0xDF: (length, secondRange) = (2, 0x80...0xBF)
            case 0xE0: (length, secondRange) = (3, 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (length, secondRange) = (3, 0x80...0xBF)
            case 0xED: (length, secondRange) = (3, 0x80...0x9F)
            case 0xF0: (length, secondRange) = (4, 0x90...0xBF)
            case 0xF1...0xF3: (length, secondRange) = (4, 0x80...0xBF)
            case 0xF4: (length, secondRange) = (4, 0x80...0x8F)
            default:
                return .failure(DecodeFailure(start: index - bytes.startIndex, length: 1, byte: lead, reason: "invalid start byte"))
            }
            // Length of the valid prefix of this sequence.
            var valid = 1
            while valid < length {
                let position = index + valid
                guard position < bytes.endIndex else {
                    return .failure(DecodeFailure(start: index - bytes.startIndex, length: valid, byte: lead, reason: "unexpected end of data"))
                }
                let range: ClosedRange<UInt8> = valid == 1 ? secondRange : 0x80...0xBF
                guard range.contains(bytes[position]) else {
                    return .failure(DecodeFailure(start: index - bytes.startIndex, length: valid, byte: lead, reason: "invalid continuation byte"))
                }
                valid += 1
            }
            index += length
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    struct DecodeFailure: Error {
        let start: Int
        let length: Int
        let byte: UInt8
        let reason: String

        var message: String {
            let what = length == 1
                ? "byte 0x" + hex(byte) + " in position \(start)"
                : "bytes in position \(start)-\(start + length - 1)"
            return "'utf-8' codec can't decode \(what): \(reason)"
        }
    }

    /// `bytes.decode("cp437")` (zip names without the UTF-8 flag).
    static func decodeCP437(_ bytes: ArraySlice<UInt8>) -> String {
        var out = String.UnicodeScalarView()
        for byte in bytes {
            let code = byte < 0x80 ? UInt32(byte) : UInt32(cp437High[Int(byte) - 0x80])
            out.append(Unicode.Scalar(code)!)
        }
        return String(out)
    }

    /// `repr(bytes)`, e.g. `b'pyproject.toml'`.
    static func bytesRepr(_ bytes: ArraySlice<UInt8>) -> String {
        let quote: UInt8 = bytes.contains(UInt8(ascii: "'")) && !bytes.contains(UInt8(ascii: "\"")) ? UInt8(ascii: "\"") : UInt8(ascii: "'")
        var out = "b" + String(UnicodeScalar(quote))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case quote: out += "\\" + String(UnicodeScalar(quote))
            case 0x20..<0x7F: out += String(UnicodeScalar(byte))
            default: out += "\\x" + hex(byte)
            }
        }
        return out + String(UnicodeScalar(quote))
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }

    private static let cp437High: [UInt16] = [
        0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
        0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
        0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
        0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
        0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
        0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
        0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
    ]
}
