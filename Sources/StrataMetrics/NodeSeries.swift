import StrataCore

/// The series every node exports from its own status report: identity, uptime, state, and
/// (on workers) every tier's counters and the persistent tier's file sizes.
///
/// Sampled from `NodeStatusReport` at scrape time instead of counting twice: the store already
/// keeps these numbers for the status RPC, so /metrics and `strata health` cannot disagree.
public enum NodeSeries {
    public static func samples(_ report: NodeStatusReport) -> [MetricSample] {
        var samples: [MetricSample] = [
            MetricSample("strata_node_info", .gauge, 1,
                         labels: [.init("role", report.role.rawValue), .init("node_id", report.nodeID), .init("version", report.version)],
                         help: "Always 1; the labels name the node's role, id and version."),
            MetricSample("strata_node_uptime_seconds", .gauge, report.uptimeSeconds,
                         help: "Seconds since the node process started."),
            MetricSample("strata_node_serving", .gauge, report.state == .serving ? 1 : 0,
                         help: "1 when the node reports SERVING (data recovered, ready), 0 while it starts or drains."),
        ]
        if report.role == .worker {
            samples += tierSamples(report.tiers)
            samples.append(MetricSample("strata_wal_bytes", .gauge, Double(report.walBytes),
                                        help: "Bytes in the persistent tier's write-ahead log files."))
            samples.append(MetricSample("strata_segment_bytes", .gauge, Double(report.segmentBytes),
                                        help: "Bytes in the persistent tier's segment files."))
            samples.append(MetricSample("strata_worker_slots", .gauge, Double(report.slots.count),
                                        help: "Slots this worker holds data for."))
            samples += vectorIndexSamples(report.vectorIndexes)
        }
        return samples
    }

    /// Per namespace with an IVF index: its phase, what its memory tier holds, and how list
    /// reads went (hits from memory, misses read from disk).
    public static func vectorIndexSamples(_ indexes: [VectorIndexReport]) -> [MetricSample] {
        var samples: [MetricSample] = []
        for index in indexes {
            let labels = [MetricSample.Label("namespace", index.namespace)]
            func gauge(_ name: String, _ value: Double, _ help: String) {
                samples.append(MetricSample(name, .gauge, value, labels: labels, help: help))
            }
            func counter(_ name: String, _ value: UInt64, _ help: String) {
                samples.append(MetricSample(name, .counter, Double(value), labels: labels, help: help))
            }
            gauge("strata_ivf_ready", index.phase == "ready" ? 1 : 0, "1 when the namespace's vector lists are served by its IVF index, 0 while it builds or after a failure (the exact scan serves).")
            gauge("strata_ivf_vectors", Double(index.vectors), "Vectors in the namespace's IVF index.")
            gauge("strata_ivf_lists", Double(index.counters.lists), "Lists of the IVF index (all on disk).")
            gauge("strata_ivf_resident_lists", Double(index.counters.residentLists), "IVF lists held in memory.")
            gauge("strata_ivf_resident_bytes", Double(index.counters.residentBytes), "Bytes of IVF lists held in memory.")
            gauge("strata_ivf_shard_vector_bytes", Double(index.shardVectorBytes), "Bytes of the namespace's vector rows the search shards hold in memory for the exact scan (0 once the ready IVF index serves them from its lists).")
            gauge("strata_ivf_budget_bytes", Double(index.counters.budgetBytes), "Memory budget of the IVF lists (worker.ivf_cache_bytes).")
            gauge("strata_ivf_hit_ratio", index.counters.hitRate, "IVF list reads answered from memory over all list reads.")
            counter("strata_ivf_hits_total", index.counters.hits, "IVF list reads answered from memory.")
            counter("strata_ivf_misses_total", index.counters.misses, "IVF list reads that went to the list's file on disk.")
            counter("strata_ivf_evictions_total", index.counters.evictions, "IVF lists dropped from memory to stay within the budget.")
            counter("strata_ivf_rebuilt_lists_total", index.counters.rebuiltLists, "IVF list files found invalid and rebuilt from the index.")
            counter("strata_ivf_failed_write_backs_total", index.counters.failedWriteBacks, "Write-backs of changed IVF lists that failed (the lists stay in memory and are written at the next).")
        }
        return samples
    }

    /// Per tier: gauges for what it holds and can hold, counters for what happened to it.
    /// Every series carries `tier` and `backend` (so the hot tier shows whether it runs on a
    /// GPU or is emulated in host memory).
    public static func tierSamples(_ tiers: [TierStats]) -> [MetricSample] {
        var samples: [MetricSample] = []
        for stats in tiers {
            let labels = [MetricSample.Label("tier", stats.tier.rawValue), MetricSample.Label("backend", stats.backend)]
            func gauge(_ name: String, _ value: Int, _ help: String) {
                samples.append(MetricSample(name, .gauge, Double(value), labels: labels, help: help))
            }
            func counter(_ name: String, _ value: UInt64, _ help: String) {
                samples.append(MetricSample(name, .counter, Double(value), labels: labels, help: help))
            }
            gauge("strata_tier_entries", stats.entries, "Chunks held by the tier.")
            gauge("strata_tier_tokens", stats.tokens, "Tokens held by the tier.")
            gauge("strata_tier_bytes", stats.bytesUsed, "Bytes used by the tier.")
            gauge("strata_tier_capacity_bytes", stats.capacityBytes, "Byte capacity of the tier (0: unbounded).")
            gauge("strata_tier_capacity_tokens", stats.capacityTokens, "Token capacity of the tier (0: unbounded).")
            counter("strata_tier_hits_total", stats.hits, "Reads the tier answered.")
            counter("strata_tier_misses_total", stats.misses, "Reads the tier could not answer (passed to the tier below).")
            counter("strata_tier_promotions_total", stats.promotions, "Chunks copied up into the tier after a hit below it.")
            counter("strata_tier_demotions_total", stats.demotions, "Chunks moved down out of the tier when it was full.")
            counter("strata_tier_evictions_total", stats.evictions, "Chunks dropped from the tier when it was full.")
            if stats.tier == .warm {
                gauge("strata_tier_reserved_bytes", stats.reservedBytes, "Shared memory the warm tier holds (header, page table, pages in use).")
                counter("strata_tier_reservation_failures_total", stats.reservationFailures,
                        "Chunks that bypassed the warm tier because its shared memory could not be reserved (full /dev/shm).")
            }
        }
        return samples
    }
}
