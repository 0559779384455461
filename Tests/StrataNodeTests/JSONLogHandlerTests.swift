import Foundation
import Logging
import Testing

@testable import StrataNode

@Suite("JSONLogHandler")
struct JSONLogHandlerTests {
    @Test("metadata keeps its shape: strings, lists and nested objects")
    func metadataShape() throws {
        let metadata: Logger.Metadata = [
            "slot": "12",
            "peers": .array(["a", "b"]),
            "copy": .dictionary(["from": "w1", "writes": .stringConvertible(40)]),
        ]
        let object = metadata.mapValues(JSONLogHandler.json)
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        #expect(String(decoding: data, as: UTF8.self) == #"{"copy":{"from":"w1","writes":"40"},"peers":["a","b"],"slot":"12"}"#)
    }
}
