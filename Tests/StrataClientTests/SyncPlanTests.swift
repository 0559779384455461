import StrataClient
import StrataCore
import StrataStore
import Testing

struct SyncPlanTests {
    @Test func planAddsChangesDeletesAndLeavesTheRest() {
        let plan = SyncPlan.make(
            local: ["a": "1", "b": "2", "c": "3", "new": "9"],
            remote: ["a": "1", "b": "old", "c": "", "gone": "7"])
        #expect(plan == SyncPlan(add: ["new"], change: ["b", "c"], delete: ["gone"], unchanged: 1))
        #expect(!plan.isEmpty)
        #expect(SyncPlan.make(local: ["a": "1"], remote: ["a": "1"]).isEmpty)
    }

    @Test func documentHashIsTheCoordinatorsContentHash() {
        for text in ["", "hello", "ünïcödé ✓\n", String(repeating: "long text ", count: 5000)] {
            #expect(DocumentHash.of(Array(text.utf8)) == ContentHash.of(text).description)
        }
        // The digits Python's xxhash.xxh3_128_hexdigest(b"hello") gives (the Python client's hash).
        #expect(DocumentHash.of(Array("hello".utf8)) == "b5e9c1ad071b3e7fc779cfaa5e523818")
    }
}
