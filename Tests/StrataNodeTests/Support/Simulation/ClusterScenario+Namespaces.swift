import StrataRPC
import StrataWire

/// Namespaces come and go: created (new names, or names dropped before), written to like
/// "sim", and dropped -- a drop writes one sequence to every slot, most of which hold nothing
/// of the namespace, which is what a slot copy must carry too (issue 12, item 1).
extension ClusterScenario {
    func createNamespace() async {
        namespacesCreated += 1
        let dropped = (1..<namespacesCreated).map { "ns-\($0)" }.filter { models[$0] == nil }
        let name = !dropped.isEmpty && chance(0.5) ? dropped[draw(dropped.count)] : "ns-\(namespacesCreated)"
        do {
            _ = try await cluster.createNamespace(CreateNamespaceRequest(name: name, tokenizer: .estimate))
            if models[name] == nil { models[name] = ReferenceModel() }
            namespaceCounters.created += 1
            note("create namespace \(name)")
        } catch {
            note("create namespace \(name): failed (\(error))")
        }
    }

    func dropNamespace() async {
        let extras = models.keys.filter { $0 != Self.namespace }.sorted()
        guard !extras.isEmpty else { return await createNamespace() }
        await drop(extras[draw(extras.count)])
    }

    /// Drops `name`. A failed drop may have reached some slots: every acknowledged document of
    /// the namespace becomes "maybe deleted", and the heal drops it again.
    @discardableResult
    func drop(_ name: String) async -> Bool {
        do {
            _ = try await cluster.dropNamespace(name)
        } catch let error as RPCError where error.code == .notFound && uncertainDrops.contains(name) {
            // An earlier attempt went through; only its answer was lost.
        } catch {
            uncertainDrops.insert(name)
            let acknowledged = models[name]?.ids(.acknowledged) ?? []
            models[name]?.deleted(acknowledged, acknowledged: false)
            singleCopiesPossible = true
            namespaceCounters.dropsFailed += 1
            note("drop namespace \(name): failed (\(error))")
            return false
        }
        uncertainDrops.remove(name)
        models[name] = nil
        namespaceCounters.dropped += 1
        await noteQuorum()
        note("drop namespace \(name): acknowledged")
        return true
    }
}
