import CStrataSupport
import StrataCore

/// A list as one file: `SearchIndexSnapshotFrame` (CRC32C over header and payload) naming the
/// list number (as its slot), the list's generation (as its sequence) and the digest of the
/// centroids it was cut by; then the ids, the tombstone count and the `VectorStorage` arrays.
///
/// Files are replaced whole with `AtomicFile` (temp, fsync, rename, fsync the directory), so a
/// crash leaves the old or the new list. A file that is missing, torn, flipped, of another
/// generation or of other centroids reads as nil: the owner rebuilds that list.
extension IVFList {
    static func fileName(list: Int) -> String { "ivf-list-\(list).part" }

    func encoded(list: Int, generation: UInt64, centroidDigest: UInt64) -> [UInt8] {
        var writer = SnapshotWriter(capacity: byteCount + 256)
        writer.array(ids)
        writer.int(deadCount)
        vectors.encode(into: &writer)
        return SearchIndexSnapshotFrame(slot: UInt32(list), sequence: generation, digest: centroidDigest).framing(writer.bytes)
    }

    /// The list in `bytes` when they are an intact file of exactly this list, generation and
    /// centroid set and parse as a list of `dimension`/`metric`; nil otherwise.
    static func decoded(_ bytes: [UInt8], list: Int, generation: UInt64, centroidDigest: UInt64,
                        dimension: Int, metric: VectorMetric) -> IVFList? {
        let frame = SearchIndexSnapshotFrame(slot: UInt32(list), sequence: generation, digest: centroidDigest)
        guard let payload = frame.payload(of: bytes) else { return nil }
        return payload.withUnsafeBytes { raw -> IVFList? in
            var reader = SnapshotReader(raw, context: "ivf list \(list)")
            do throws(StrataError) {
                var result = IVFList(dimension: dimension, metric: metric)
                result.ids = try reader.array()
                result.deadCount = try reader.int()
                result.vectors = try VectorStorage(decoding: &reader, dimension: dimension, metric: metric, resident: true)
                try reader.require(reader.isAtEnd && result.ids.count == result.vectors.rowCount
                                   && result.deadCount == result.vectors.present.filter { !$0 }.count, "ids disagree with rows")
                return result
            } catch {
                return nil
            }
        }
    }

    func write(list: Int, generation: UInt64, centroidDigest: UInt64, in directory: String, fs: any StoreFileSystem) throws(StrataError) {
        try AtomicFile.write(encoded(list: list, generation: generation, centroidDigest: centroidDigest),
                             to: Self.fileName(list: list), in: directory, fs: fs)
    }

    /// The list's file, or nil when it is missing, unreadable or invalid (see `decoded`).
    static func read(list: Int, generation: UInt64, centroidDigest: UInt64, dimension: Int, metric: VectorMetric,
                     in directory: String, fs: any StoreFileSystem) -> IVFList? {
        do throws(StrataError) {
            let file = try fs.open(StorePath.join(directory, fileName(list: list)), create: false)
            defer { file.close() }
            return decoded(try file.readAll(), list: list, generation: generation, centroidDigest: centroidDigest,
                           dimension: dimension, metric: metric)
        } catch {
            return nil
        }
    }
}

extension IVFCentroids {
    /// XXH3 of the centroid values: names the partitioning a list file was cut by.
    var digest: UInt64 {
        values.withUnsafeBytes { raw in
            var high: UInt64 = 0
            var low: UInt64 = 0
            strata_xxh3_128(raw.baseAddress, raw.count, &high, &low)
            return low ^ high
        }
    }
}

extension IVFList {
    /// The list's file whatever its generation, with that generation: what a restart reuses
    /// when its rows are the ones the store gives (nil: missing or invalid, as `read`).
    static func readAnyGeneration(list: Int, centroidDigest: UInt64, dimension: Int, metric: VectorMetric,
                                  in directory: String, fs: any StoreFileSystem) -> (list: IVFList, generation: UInt64)? {
        do throws(StrataError) {
            let file = try fs.open(StorePath.join(directory, fileName(list: list)), create: false)
            defer { file.close() }
            let bytes = try file.readAll()
            guard let (frame, _, _) = SearchIndexSnapshotFrame.header(of: bytes[...]),
                  let decoded = decoded(bytes, list: list, generation: frame.sequence, centroidDigest: centroidDigest,
                                        dimension: dimension, metric: metric) else { return nil }
            return (decoded, frame.sequence)
        } catch {
            return nil
        }
    }
}
