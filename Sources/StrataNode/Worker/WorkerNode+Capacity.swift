import Foundation
import StrataCore
import StrataWire

extension WorkerNode {
    /// What this worker tells the coordinator it can hold: each memory tier's configured
    /// bytes, the bytes free on the data directory's file system (0 when unknown), and the
    /// placement weight from `worker.weight`. Placement reads only the weight: deriving it
    /// from free space would move data whenever a disk fills.
    static func capacity(config: StrataConfig, dataDirectory: String) -> Capacity {
        let free = (try? FileManager.default.attributesOfFileSystem(forPath: dataDirectory))?[.systemFreeSize] as? NSNumber
        return Capacity(hotBytes: UInt64(config.tiers.hot.capacityBytes), warmBytes: UInt64(config.tiers.warm.capacityBytes),
                        coldBytes: UInt64(config.tiers.cold.capacityBytes), diskFreeBytes: free?.uint64Value ?? 0,
                        weight: config.worker.weight)
    }
}
