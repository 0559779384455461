import Foundation
import StrataFuzzSupport

/// Seeds: a tier that held a few chunks, undamaged and lightly damaged; an empty valid
/// header; a zeroed segment.
enum WarmFuzzSeeds {
    static func write(to directory: String) throws {
        func chunks(_ texts: [String]) -> [UInt8] {
            [UInt8(texts.count)] + texts.flatMap { FuzzInput.encodePart(Array($0.utf8)) + [3] }
        }
        let texts = ["def parse(text): return json.loads(text)", "# Replication\nEvery slot has R replicas.", String(repeating: "x", count: 2000)]
        let seeds: [String: [UInt8]] = [
            "used-intact": [2] + chunks(texts),
            "used-damaged-slot": [2] + chunks(texts) + [0x01, 0x00, 0x20, 0x40],
            "used-damaged-header": [2] + chunks(texts) + [0x00, 0x00, 0x10, 0x01],
            "valid-header-empty": [1],
            "raw-zeros": [0] + [UInt8](repeating: 0, count: 256),
        ]
        for (name, bytes) in seeds { try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name)) }
    }
}
