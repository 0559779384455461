import Foundation
import StrataStore

/// Renders the warm tiers found in /dev/shm (`WarmSegments.list()`) for
/// `strata-worker --list-warm-tiers`: a table for people, JSON for scripts.
enum WarmTierListing {
    static func table(_ segments: [WarmSegmentInfo]) -> String {
        guard !segments.isEmpty else { return "no Strata warm tiers in /dev/shm" }
        var rows = [["NAME", "ALLOCATED", "ATTACHED", "NODE", "DATA DIRECTORY", "STATE"]]
        for segment in segments {
            let state = segment.state.reason.isEmpty ? segment.state.label : "\(segment.state.label): \(segment.state.reason)"
            rows.append([
                segment.name, bytes(segment.allocatedBytes), segment.attached ? "yes" : "no",
                segment.owner.map { $0.node.isEmpty ? "-" : $0.node } ?? "-",
                segment.owner.map { $0.directory.isEmpty ? "-" : $0.directory } ?? "-", state,
            ])
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            (0..<5).map { row[$0].padding(toLength: widths[$0] + 2, withPad: " ", startingAt: 0) }.joined() + row[5]
        }
        let total = segments.reduce(0) { $0 + $1.allocatedBytes }
        let attached = segments.filter(\.attached).count
        lines.append("\(segments.count) warm tier(s), \(attached) attached, \(bytes(total)) of shared memory allocated in all")
        return lines.joined(separator: "\n")
    }

    /// One object per segment, in an array; sizes in bytes.
    static func json(_ segments: [WarmSegmentInfo]) -> String {
        let objects: [[String: Any]] = segments.map { segment in
            [
                "name": segment.name,
                "allocated_bytes": segment.allocatedBytes,
                "apparent_bytes": segment.apparentBytes,
                "attached": segment.attached,
                "node": segment.owner?.node ?? "",
                "data_directory": segment.owner?.directory ?? "",
                "state": segment.state.label,
                "reason": segment.state.reason,
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func bytes(_ count: Int) -> String {
        count == 0 ? "0 B" : ByteCountFormatter.string(fromByteCount: Int64(count), countStyle: .binary)
    }
}
