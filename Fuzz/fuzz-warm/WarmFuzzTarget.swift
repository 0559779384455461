import Foundation
import StrataCore
import StrataFuzzSupport
@_spi(Fuzzing) import StrataStore

/// The warm tier's validation of what it finds in shared memory at a restart
/// (`WarmRecovery`: header, page table, every slot's lengths and checksum), on a real POSIX
/// shared-memory object. The first byte picks the shape (`WarmTierFuzzing.Shape`):
///
/// | selector % 3 | segment |
/// |---|---|
/// | 0 | the input as header, page table and pages |
/// | 1 | a valid header, then the input as page table and pages |
/// | 2 | a tier closed after holding chunks made from the input, then (offset, xor) damage from the input |
///
/// What must hold: no crash, no sanitizer report; at most as many entries kept as could fit
/// (damage loses entries, it never invents any beyond what the tier can hold).
let warmSegmentName = "/strata-fuzz-warm-\(getpid())"

func warmTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    let shape: WarmTierFuzzing.Shape
    var bytes: [UInt8] = []
    switch input.byte() % 3 {
    case 0:
        shape = .raw
        bytes = input.rest()
    case 1:
        shape = .validHeader
        bytes = input.rest()
    default:
        var chunks: [(text: String, tokens: Int)] = []
        for _ in 0..<Int(input.byte() % 8) {
            let text = String(decoding: input.part(), as: UTF8.self)
            chunks.append((text, Int(input.byte()) + 1))
        }
        var damage: [(offset: Int, xor: UInt8)] = []
        while !input.isAtEnd {
            let offset = input.take(3).reduce(0) { $0 << 8 | Int($1) }
            damage.append((offset, input.byte() | 1))
        }
        shape = .damagedAfterUse(chunks: chunks, damage: damage)
    }
    do {
        let kept = try WarmTierFuzzing.attach(shape, bytes: bytes, name: warmSegmentName)
        fuzzCheck(kept <= WarmTierFuzzing.settings.capacityBytes / 48, "more entries kept (\(kept)) than slots could exist")
    } catch {
        fatalError("shared memory could not be opened: \(error)")
    }
    return 0
}
