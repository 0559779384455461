/// Vector precisions used by the tiers and the vector index.
public enum VectorPrecision: String, Sendable, Codable, CaseIterable {
    case float32 = "fp32"
    case float16 = "fp16"
    case int8 = "int8"

    /// Bytes one component takes at this precision (the INT8 scale is accounted separately).
    public var bytesPerComponent: Int {
        switch self {
        case .float32: 4
        case .float16: 2
        case .int8: 1
        }
    }
}

/// A vector quantized to INT8 symmetrically with one scale per vector:
/// `original[i] ≈ Float(values[i]) * scale`, with `scale = max|x| / 127`.
///
/// Symmetric (no zero point) keeps the dot product a pure integer product followed by one
/// multiplication by `scaleA * scaleB`, which is what makes the INT8 scan fast.
public struct Int8Vector: Hashable, Sendable {
    public var scale: Float
    public var values: [Int8]

    public init(scale: Float, values: [Int8]) {
        self.scale = scale
        self.values = values
    }

    /// Quantizes `vector`. A zero vector gets scale 0 and all-zero values.
    public init(quantizing vector: [Float]) {
        var maxMagnitude: Float = 0
        for x in vector { maxMagnitude = max(maxMagnitude, abs(x)) }
        guard maxMagnitude > 0, maxMagnitude.isFinite else {
            self.init(scale: 0, values: [Int8](repeating: 0, count: vector.count))
            return
        }
        let scale = maxMagnitude / 127
        let inverse = 1 / scale
        let values = vector.map { x -> Int8 in
            Int8(clamping: Int((x * inverse).rounded(.toNearestOrEven)))
        }
        self.init(scale: scale, values: values)
    }

    /// The reconstructed float vector.
    public func dequantized() -> [Float] {
        values.map { Float($0) * scale }
    }
}

/// FP16 conversion helpers (Swift's `Float16`, hardware F16C on x86-64).
public enum Float16Codec {
    public static func encode(_ vector: [Float]) -> [Float16] { vector.map { Float16($0) } }
    public static func decode(_ vector: [Float16]) -> [Float] { vector.map { Float($0) } }
}

/// Validation shared by every path that accepts a vector from outside.
public enum VectorValidation {
    /// The largest magnitude a component may have: vectors are kept at FP16, whose largest
    /// finite value this is; a larger finite value would be stored as infinity.
    public static let largestComponent = Float(Float16.greatestFiniteMagnitude)

    /// Throws `invalidArgument` naming `field` when the dimension is wrong or a component is
    /// NaN, infinite or beyond ±65504 (FP16's range). The coordinator checks this before it
    /// writes anything, and every worker checks it again, with the same rule.
    public static func validate(_ vector: [Float], dimension: Int, field: String) throws(StrataError) {
        guard vector.count == dimension else {
            throw .invalidArgument("\(field) has \(vector.count) dimensions, expected \(dimension)")
        }
        if let index = vector.firstIndex(where: { !$0.isFinite }) {
            throw .invalidArgument("\(field)[\(index)] is \(vector[index]); vectors must be finite")
        }
        if let index = vector.firstIndex(where: { abs($0) > largestComponent }) {
            throw .invalidArgument("\(field)[\(index)] is \(vector[index]); components must lie within ±65504 (vectors are kept at FP16)")
        }
    }

    /// Also refuses a vector whose components are all zero (cosine similarity has no direction to compare).
    public static func validateQuery(_ vector: [Float], dimension: Int, field: String) throws(StrataError) {
        try validate(vector, dimension: dimension, field: field)
        guard vector.contains(where: { $0 != 0 }) else {
            throw .invalidArgument("\(field) is all zeros; a query vector needs a direction")
        }
    }
}
