import StrataCore

/// The centroids as one file beside their lists: `SearchIndexSnapshotFrame` (CRC32C over
/// header and payload) with the dimension as its sequence and the centroids' digest, then the
/// metric and the FP32 values. Written whole with `AtomicFile`; a restart that reads them back
/// skips training and keeps every list file whose rows still match the store.
extension IVFCentroids {
    static let fileName = "ivf-centroids.part"
    /// The frame's slot field for a centroid file (list files use their list number).
    private static let frameSlot = UInt32.max

    func write(metric: VectorMetric, in directory: String, fs: any StoreFileSystem) throws(StrataError) {
        var writer = SnapshotWriter(capacity: values.count * 4 + 64)
        writer.string(metric.rawValue)
        writer.array(values)
        let frame = SearchIndexSnapshotFrame(slot: Self.frameSlot, sequence: UInt64(dimension), digest: digest)
        try AtomicFile.write(frame.framing(writer.bytes), to: Self.fileName, in: directory, fs: fs)
    }

    /// The centroids of `directory` when their file is intact, of `dimension` and `metric`, and
    /// its digest matches its values; nil otherwise (the caller trains new ones).
    static func read(dimension: Int, metric: VectorMetric, in directory: String, fs: any StoreFileSystem) -> IVFCentroids? {
        do throws(StrataError) {
            let file = try fs.open(StorePath.join(directory, fileName), create: false)
            defer { file.close() }
            let bytes = try file.readAll()
            guard let (frame, _, _) = SearchIndexSnapshotFrame.header(of: bytes[...]), frame.slot == frameSlot,
                  frame.sequence == UInt64(dimension), let payload = frame.payload(of: bytes) else { return nil }
            let payloadBytes = Array(payload)
            var values: [Float]?
            var failure: StrataError?
            payloadBytes.withUnsafeBytes { raw in
                var reader = SnapshotReader(raw, context: "ivf centroids")
                do throws(StrataError) {
                    guard try reader.string() == metric.rawValue else { return }
                    let read: [Float] = try reader.array()
                    if reader.isAtEnd { values = read }
                } catch {
                    failure = error
                }
            }
            guard failure == nil, let values else { return nil }
            let centroids = try IVFCentroids(values: values, dimension: dimension)
            return centroids.digest == frame.digest ? centroids : nil
        } catch {
            return nil
        }
    }
}
