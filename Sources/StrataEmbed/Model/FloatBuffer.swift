/// A fixed-size run of floats at a stable address, the one owner of its memory: the forward
/// pass hands raw pointers into these to BLAS and the C kernels.
///
/// Sendable because weight buffers are written once, before they are shared, and scratch
/// buffers belong to one thread at a time (`BertForwardPass` is not shared).
final class FloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        _ = UnsafeMutableBufferPointer(start: pointer, count: count).initialize(from: values)
    }

    deinit { pointer.deallocate() }
}
