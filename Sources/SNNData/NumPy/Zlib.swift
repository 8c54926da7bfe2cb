internal import CZlib
import Foundation

/// Raw DEFLATE streams (RFC 1951, as in ZIP entries) and CRC-32 through the system zlib.
enum Zlib {
    /// A zlib failure, with zlib's message where it gives one.
    struct Failure: Error {
        /// What went wrong.
        var message: String
    }

    /// The CRC-32 (ZIP's checksum) of `data`, continuing from `initial`.
    static func crc32(_ data: Data, initial: UInt32 = 0) -> UInt32 {
        data.withUnsafeBytes { raw -> UInt32 in
            guard let base = raw.bindMemory(to: Bytef.self).baseAddress else { return initial }
            var crc = uLong(initial)
            var offset = 0
            while offset < raw.count {
                let n = min(raw.count - offset, 1 << 30)
                crc = CZlib.crc32(crc, base + offset, uInt(n))
                offset += n
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    /// Inflates the raw DEFLATE stream `input`; the result may not exceed `limit` bytes, and the stream must
    /// end within `input`. Memory grows with the output actually produced, never with a declared size.
    static func inflate(_ input: Data, limit: Int) -> Result<Data, Failure> {
        var stream = z_stream()
        guard snn_inflate_init_raw(&stream) == Z_OK else { return .failure(Failure(message: "cannot initialize zlib")) }
        defer { inflateEnd(&stream) }
        let chunkSize = 1 << 16
        let chunk = UnsafeMutablePointer<Bytef>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        var output = Data()
        output.reserveCapacity(min(limit, 1 << 24))
        return input.withUnsafeBytes { raw -> Result<Data, Failure> in
            let base = raw.bindMemory(to: Bytef.self).baseAddress
            var consumed = 0
            while true {
                if stream.avail_in == 0, consumed < raw.count, let base {
                    let n = min(raw.count - consumed, 1 << 30)
                    stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
                    stream.avail_in = uInt(n)
                    consumed += n
                }
                stream.next_out = chunk
                stream.avail_out = uInt(chunkSize)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                let produced = chunkSize - Int(stream.avail_out)
                if produced > 0 {
                    guard output.count + produced <= limit else {
                        return .failure(Failure(message: "inflates to more than the declared \(limit) bytes"))
                    }
                    output.append(chunk, count: produced)
                }
                switch status {
                case Z_STREAM_END:
                    return .success(output)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0 && consumed == raw.count:
                    return .failure(Failure(message: "truncated DEFLATE stream (ends after \(output.count) bytes)"))
                case Z_BUF_ERROR:
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    return .failure(Failure(message: "corrupt DEFLATE stream: \(message)"))
                }
            }
        }
    }

    /// Deflates `input` into a raw DEFLATE stream at compression `level` (0–9).
    static func deflate(_ input: Data, level: Int32 = 6) -> Result<Data, Failure> {
        var stream = z_stream()
        guard snn_deflate_init_raw(&stream, level) == Z_OK else { return .failure(Failure(message: "cannot initialize zlib")) }
        defer { deflateEnd(&stream) }
        let chunkSize = 1 << 16
        let chunk = UnsafeMutablePointer<Bytef>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        var output = Data()
        return input.withUnsafeBytes { raw -> Result<Data, Failure> in
            let base = raw.bindMemory(to: Bytef.self).baseAddress
            var consumed = 0
            while true {
                if stream.avail_in == 0, consumed < raw.count, let base {
                    let n = min(raw.count - consumed, 1 << 30)
                    stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
                    stream.avail_in = uInt(n)
                    consumed += n
                }
                let flush = consumed == raw.count ? Z_FINISH : Z_NO_FLUSH
                stream.next_out = chunk
                stream.avail_out = uInt(chunkSize)
                let status = CZlib.deflate(&stream, flush)
                output.append(chunk, count: chunkSize - Int(stream.avail_out))
                if status == Z_STREAM_END { return .success(output) }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    return .failure(Failure(message: "zlib deflate error \(status)"))
                }
            }
        }
    }
}
