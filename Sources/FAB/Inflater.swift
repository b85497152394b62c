import CZlib

/// Raw-deflate decompression (zip method 8) through zlib, with an output cap.
enum Inflater {
    /// Inflates `input` (at most `declaredCompressedSize` bytes were meant to be there),
    /// producing at most `outputLimit` bytes, as Python's `ZipExtFile` does: it stops at
    /// the end of the stream or at the declared size, and a short stream is caught by the
    /// caller's CRC check. Corrupt data gives zlib's message in Python's wording.
    static func inflate(_ input: ArraySlice<UInt8>, declaredCompressedSize: Int, outputLimit: Int) throws(FABError) -> [UInt8] {
        var stream = z_stream()
        let initResult = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initResult == Z_OK else { throw .corruptZip("Error \(initResult) while preparing to decompress data") }
        defer { inflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: min(outputLimit, max(input.count * 4, 64 * 1024)))
        var produced = 0
        var input = Array(input)
        var streamEnded = false
        let failure: FABError? = input.withUnsafeMutableBufferPointer { inBuffer -> FABError? in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            while produced < outputLimit {
                if produced == output.count {
                    output += [UInt8](repeating: 0, count: min(outputLimit - produced, max(output.count, 64 * 1024)))
                }
                let room = output.count - produced
                let result: Int32 = output.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                produced += room - Int(stream.avail_out)
                switch result {
                case Z_STREAM_END:
                    streamEnded = true
                    return nil
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: input exhausted before the stream ended.
                    return nil
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "unknown error"
                    return .corruptZip("Error \(result) while decompressing data: \(message)")
                }
            }
            return nil
        }
        if let failure { throw failure }
        // Input physically missing (file cut short) before the stream finished: Python's
        // reader hits EOF and raises a bare EOFError.
        if !streamEnded, produced < outputLimit, input.count < declaredCompressedSize { throw .corruptZip("") }
        return Array(output.prefix(produced))
    }
}
