import Foundation
import StrataCore
import StrataWire

/// Renders one node's health and status as aligned "key  value" lines.
enum HealthTable {
    static func render(target: String, health: ServingStatus, report: NodeStatusReport) -> String {
        var rows: [(String, String)] = [
            ("node", target),
            ("health", health.description),
            ("role", report.role.rawValue),
            ("node id", report.nodeID),
            ("state", report.state.rawValue),
            ("version", report.version),
            ("uptime", formatDuration(report.uptimeSeconds)),
            ("requests", "\(report.requestsServed)"),
        ]
        if !report.zone.isEmpty { rows.append(("zone", report.zone)) }
        rows.append(("metrics", report.metricsAddress.isEmpty ? "disabled" : "http://\(report.metricsAddress)/metrics"))
        for tier in report.tiers {
            let use = tier.capacityBytes > 0 ? String(format: "%.1f%%", 100 * Double(tier.bytesUsed) / Double(tier.capacityBytes)) : "-"
            let lookups = tier.hits + tier.misses
            let hitRate = lookups > 0 ? String(format: "%.1f%%", 100 * Double(tier.hits) / Double(lookups)) : "-"
            var line = "\(tier.backend) \(tier.precision.rawValue) \(tier.eviction.rawValue): \(tier.entries) entries, \(tier.tokens) tokens, \(tier.bytesUsed) bytes (\(use) used), hit rate \(hitRate)"
            if tier.tier == .warm {
                line += ", \(tier.reservedBytes) bytes of shared memory held"
                if tier.reservationFailures > 0 { line += ", \(tier.reservationFailures) chunks bypassed it (shared memory could not be reserved)" }
            }
            rows.append(("tier \(tier.tier.rawValue)", line))
        }
        if report.role == .worker {
            rows.append(("wal bytes", "\(report.walBytes)"))
            rows.append(("segment bytes", "\(report.segmentBytes)"))
            rows.append(("slots", "\(report.slots.count)"))
        }
        if let controlPlane = report.controlPlane {
            rows.append(("control plane", controlPlane.summary))
            if controlPlane.stale { rows.append(("stale", "yes: queries are answered from the last known map")) }
        }
        for note in report.notes { rows.append(("note", note)) }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }

    static func formatDuration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let total = Int(seconds)
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        return "\(total / 3600) h \(total % 3600 / 60) min"
    }
}
