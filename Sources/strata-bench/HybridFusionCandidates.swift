import Foundation
import StrataSearch

/// The fusions `strata-bench embed --quality` compares: each component alone, fixed-weight
/// reciprocal rank fusion, min-max convex combination, and adaptive rules that weigh the
/// components per query by how confident each list is.
struct HybridFusionCandidates: Sendable {
    let label: String
    /// Lexical list, vector list, and the query's largest possible BM25 score (see `BM25Parameters.scoreBound`).
    let fuse: @Sendable ([RankedCandidate], [RankedCandidate], Double) -> [String]

    static func rrf(_ wl: Double, _ wv: Double, k: Double) -> HybridFusionCandidates {
        HybridFusionCandidates(label: "rrf \(wl) : \(wv), k \(Int(k))") { lexical, vector, _ in
            weightedRRF(lexical, vector, wl, wv, k: k)
        }
    }

    static func weightedRRF(_ lexical: [RankedCandidate], _ vector: [RankedCandidate], _ wl: Double, _ wv: Double, k: Double) -> [String] {
        let scores = ReciprocalRankFusion.scores(lexical: lexical.map(\.key), vector: vector.map(\.key), lexicalWeight: wl, vectorWeight: wv, k: k)
        return scores.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
    }

    /// Top score over the second: how far the best stands out.
    static func margin(_ list: [RankedCandidate]) -> Double {
        guard list.count >= 2, list[1].score > 0 else { return list.isEmpty ? 1 : 10 }
        return list[0].score / list[1].score
    }

    /// Standard score of the top entry among the first ten.
    static func zTop(_ list: [RankedCandidate]) -> Double {
        let top = list.prefix(10).map(\.score)
        guard top.count >= 3 else { return 0 }
        let mean = top.reduce(0, +) / Double(top.count)
        let variance = top.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(top.count)
        return variance > 0 ? (top[0] - mean) / variance.squareRoot() : 0
    }

    static let all: [HybridFusionCandidates] = {
        var all: [HybridFusionCandidates] = [
            HybridFusionCandidates(label: "lexical (BM25)") { lexical, _, _ in lexical.map(\.key) },
            HybridFusionCandidates(label: "vector (MiniLM)") { _, vector, _ in vector.map(\.key) },
            HybridFusionCandidates(label: "**default: adaptive**") { lexical, vector, bound in
                AdaptiveFusion.default.fuse(lexical: lexical, vector: vector, lexicalBound: bound).map(\.key)
            },
            rrf(1, 1, k: 60), rrf(1, 1, k: 5), rrf(0.3, 0.7, k: 60), rrf(0.7, 0.3, k: 60), rrf(0.9, 0.1, k: 60),
            rrf(0.3, 0.7, k: 5), rrf(0.9, 0.1, k: 5),
        ]
        for coverage in [0.32, 0.35, 0.38] {
            all.append(HybridFusionCandidates(label: "pin BM25 top 2 if top/bound ≥ \(coverage), else rrf 0.3 k5") { lexical, vector, bound in
                let fused = weightedRRF(lexical, vector, 0.3, 0.7, k: 5)
                guard let top = lexical.first, bound > 0, top.score / bound >= coverage else { return fused }
                let pinned = lexical.prefix(2).map(\.key)
                return pinned + fused.filter { !pinned.contains($0) }
            })
            all.append(HybridFusionCandidates(label: "rrf 0.9 k5 if top/bound ≥ \(coverage), else rrf 0.3 k5") { lexical, vector, bound in
                guard let top = lexical.first, bound > 0, top.score / bound >= coverage else { return weightedRRF(lexical, vector, 0.3, 0.7, k: 5) }
                return weightedRRF(lexical, vector, 0.9, 0.1, k: 5)
            })
            all.append(HybridFusionCandidates(label: "pin if top/bound ≥ \(coverage) or (≥ 0.3 and margin ≥ 1.2), else rrf 0.3 k5") { lexical, vector, bound in
                let fused = weightedRRF(lexical, vector, 0.3, 0.7, k: 5)
                guard let top = lexical.first, bound > 0 else { return fused }
                let c = top.score / bound
                guard c >= coverage || (c >= 0.3 && margin(lexical) >= 1.2) else { return fused }
                return [top.key] + fused.filter { $0 != top.key }
            })
        }
        for coverage in [0.3, 0.35, 0.4] {
            for wl in [0.3] {
                all.append(HybridFusionCandidates(label: "pin BM25 top if top/bound ≥ \(coverage), else rrf \(wl) k5") { lexical, vector, bound in
                    let fused = weightedRRF(lexical, vector, wl, 1 - wl, k: 5)
                    guard let top = lexical.first, bound > 0, top.score / bound >= coverage else { return fused }
                    return [top.key] + fused.filter { $0 != top.key }
                })
                all.append(HybridFusionCandidates(label: "BM25 order if top/bound ≥ \(coverage), else rrf \(wl) k5") { lexical, vector, bound in
                    guard let top = lexical.first, bound > 0, top.score / bound >= coverage else {
                        return weightedRRF(lexical, vector, wl, 1 - wl, k: 5)
                    }
                    let keys = lexical.map(\.key)
                    return keys + vector.map(\.key).filter { !keys.contains($0) }
                })
            }
        }
        for threshold in [1.1, 1.3] {
            for (high, low) in [(0.9, 0.3), (0.95, 0.2)] {
                all.append(HybridFusionCandidates(label: "margin ≥ \(threshold) ? \(high) : \(low)") { lexical, vector, _ in
                    let wl = margin(lexical) >= threshold ? high : low
                    return weightedRRF(lexical, vector, wl, 1 - wl, k: 60)
                })
            }
        }
        for power in [1.0, 2.0] {
            all.append(HybridFusionCandidates(label: "z-weight p\(Int(power))") { lexical, vector, _ in
                let zl = pow(max(zTop(lexical), 0.01), power)
                let zv = pow(max(zTop(vector), 0.01), power)
                return weightedRRF(lexical, vector, zl / (zl + zv), zv / (zl + zv), k: 60)
            })
        }
        return all
    }()
}

