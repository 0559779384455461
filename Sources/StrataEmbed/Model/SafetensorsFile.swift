import Foundation
import StrataCore

/// A safetensors file read whole: an 8-byte little-endian header length, a JSON header
/// (`name → {dtype, shape, data_offsets}`, plus an optional `__metadata__`), then the raw
/// little-endian tensor bytes. Only F32 tensors are returned as floats (what
/// all-MiniLM-L6-v2 ships); other types are listed but refused when asked for.
///
/// Every offset is checked against the file, so a truncated or damaged file is `dataLoss`
/// naming the tensor, never a crash.
public struct SafetensorsFile: Sendable {
    public struct TensorInfo: Sendable, Equatable {
        public var dtype: String
        public var shape: [Int]
        /// Byte range inside the data section.
        public var range: Range<Int>
    }

    public let tensors: [String: TensorInfo]
    private let data: Data
    private let dataStart: Int
    private let path: String

    public init(path: String) throws(StrataError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .notFound("\(path) cannot be read")
        }
        try self.init(data: data, path: path)
    }

    public init(data: Data, path: String) throws(StrataError) {
        self.data = data
        self.path = path
        guard data.count >= 8 else { throw .dataLoss("\(path): shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw .dataLoss("\(path): header length \(headerLength) runs past the end of the file (\(data.count) bytes)")
        }
        dataStart = 8 + Int(headerLength)
        let header: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<dataStart)) as? [String: Any] else {
                throw StrataError.dataLoss("\(path): the header is not a JSON object")
            }
            header = object
        } catch let error as StrataError {
            throw error
        } catch {
            throw .dataLoss("\(path): the header is not valid JSON (\(error))")
        }
        let available = data.count - dataStart
        var tensors: [String: TensorInfo] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2 else {
                throw .dataLoss("\(path): tensor \(name) has no dtype, shape or data_offsets")
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= available else {
                throw .dataLoss("\(path): tensor \(name) lies at \(offsets[0])..<\(offsets[1]), outside the \(available) data bytes")
            }
            guard shape.allSatisfy({ $0 >= 0 }), let width = Self.byteWidth(dtype),
                  shape.reduce(1, *) * width == offsets[1] - offsets[0] else {
                throw .dataLoss("\(path): tensor \(name) (\(dtype) \(shape)) does not fill its \(offsets[1] - offsets[0]) bytes")
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        self.tensors = tensors
    }

    static func byteWidth(_ dtype: String) -> Int? {
        switch dtype {
        case "F64", "I64", "U64": 8
        case "F32", "I32", "U32": 4
        case "F16", "BF16", "I16", "U16": 2
        case "I8", "U8", "BOOL": 1
        default: nil
        }
    }

    /// The F32 tensor `name`, checked to have `shape`.
    public func floats(_ name: String, shape: [Int]) throws(StrataError) -> [Float] {
        guard let info = tensors[name] else { throw .dataLoss("\(path): tensor \(name) is missing") }
        guard info.dtype == "F32" else { throw .dataLoss("\(path): tensor \(name) is \(info.dtype); F32 is expected") }
        guard info.shape == shape else { throw .dataLoss("\(path): tensor \(name) has shape \(info.shape); \(shape) is expected") }
        let count = info.range.count / 4
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                let base = raw.baseAddress! + dataStart + info.range.lowerBound
                for i in 0..<count {
                    buffer[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            }
            initialized = count
        }
    }
}
