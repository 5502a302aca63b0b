#if canImport(CISAL)
import CISAL
import Foundation

/// gzip through Intel ISA-L's `isal_inflate`: each member's header is parsed and its CRC-32 and length
/// checked by ISA-L (`ISAL_GZIP`). Members follow one another as libarchive reads them: after a member, a
/// next one starts only at a gzip header; anything else ends the stream. A file that ends inside a member
/// is an error ("truncated"), never a hang.
final class ISALGzipDecoder: StreamDecoder {
    static let inputSize = 1 << 20

    private let fd: Int32
    private let label: String
    private let state: UnsafeMutablePointer<inflate_state>
    private let input: UnsafeMutablePointer<UInt8>
    private var inputEnded = false
    private var streamEnded = false
    private(set) var compressedBytes: Int64 = 0

    /// Reads `fd` from its current offset, which must be the start of the first member.
    init(fd: Int32, label: String) {
        self.fd = fd
        self.label = label
        state = .allocate(capacity: 1)
        input = .allocate(capacity: Self.inputSize)
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
        state.pointee.next_in = input
        state.pointee.avail_in = 0
    }

    deinit {
        state.deallocate()
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws(TarError) -> Int {
        if streamEnded || capacity == 0 { return 0 }
        state.pointee.next_out = buffer.assumingMemoryBound(to: UInt8.self)
        state.pointee.avail_out = UInt32(min(capacity, Int(UInt32.max)))
        let requested = state.pointee.avail_out
        while state.pointee.avail_out > 0 {
            if state.pointee.block_state == ISAL_BLOCK_FINISH {
                guard try nextMemberFollows() else {
                    streamEnded = true
                    break
                }
                isal_inflate_reset(state)  // keeps next_in, avail_in and crc_flag
            }
            if state.pointee.avail_in == 0 { try fill(atLeast: 1) }
            let before = Snapshot(state)
            let status = isal_inflate(state)
            guard status >= ISAL_DECOMP_OK else { throw failure(status) }
            // Given input (or the end of the file) and room for output, a call that changed nothing cannot
            // finish the member: at the end of the file the stream is cut short.
            if Snapshot(state) == before && state.pointee.block_state != ISAL_BLOCK_FINISH {
                let what = inputEnded && state.pointee.avail_in == 0 ? "truncated gzip stream" : "inflate made no progress"
                throw TarError("archive-read", "\(label): decompression failed: \(what)")
            }
        }
        return Int(requested - state.pointee.avail_out)
    }

    /// After a finished member: whether another one starts (a gzip header), as libarchive's gzip filter decides.
    private func nextMemberFollows() throws(TarError) -> Bool {
        try fill(atLeast: 10)
        let count = Int(state.pointee.avail_in)
        guard count >= 10, let next = state.pointee.next_in else { return false }
        return GzipInflater.isGzipHeader(ArraySlice(UnsafeBufferPointer(start: next, count: 10)))
    }

    /// Reads until at least `wanted` unconsumed bytes are buffered or the file ends; one read for `wanted` 1.
    private func fill(atLeast wanted: Int) throws(TarError) {
        var have = Int(state.pointee.avail_in)
        guard have < wanted, !inputEnded else { return }
        if have > 0, let next = state.pointee.next_in, next != input {
            input.update(from: next, count: have)  // the regions may overlap: update is a memmove
        }
        while have < wanted && !inputEnded {
            let n = Foundation.read(fd, input + have, Self.inputSize - have)
            if n < 0 {
                if errno == EINTR { continue }
                throw TarError.posix("archive-read", "\(label): read failed", errno: errno)
            }
            if n == 0 { inputEnded = true }
            have += n
            compressedBytes += Int64(n)
        }
        state.pointee.next_in = input
        state.pointee.avail_in = UInt32(have)
    }

    private func failure(_ status: Int32) -> TarError {
        let what: String
        switch status {
        case ISAL_INVALID_WRAPPER: what = "not a gzip header"
        case ISAL_UNSUPPORTED_METHOD: what = "gzip member is not deflate"
        case ISAL_INCORRECT_CHECKSUM: what = "gzip CRC-32 or length does not match the data"
        case ISAL_NEED_DICT: what = "stream needs a preset dictionary"
        default: what = "invalid deflate data"
        }
        return TarError("archive-read", "\(label): decompression failed: \(what) (isal_inflate \(status))")
    }

    /// The parts of the state a call moves when it makes any progress.
    private struct Snapshot: Equatable {
        var blockState: UInt32
        var availIn: UInt32
        var availOut: UInt32
        var readInLength: Int32
        var tmpInSize: Int16
        var tmpOutValid: Int32

        init(_ state: UnsafeMutablePointer<inflate_state>) {
            blockState = state.pointee.block_state.rawValue
            availIn = state.pointee.avail_in
            availOut = state.pointee.avail_out
            readInLength = state.pointee.read_in_length
            tmpInSize = state.pointee.tmp_in_size
            tmpOutValid = state.pointee.tmp_out_valid
        }
    }
}
#endif
