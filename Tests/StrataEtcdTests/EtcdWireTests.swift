import CStrataProto
import StrataEtcd
import StrataRPC
import Testing

/// The Swift values against protobuf-c's own reading of the bytes: every field lands in its
/// proto field, and bad answers are refused naming the field.
@Suite struct EtcdWireTests {
    private func unpackTxn(_ bytes: [UInt8]) -> UnsafeMutablePointer<Etcdserverpb__TxnRequest> {
        bytes.withUnsafeBufferPointer { etcdserverpb__txn_request__unpack(nil, $0.count, $0.baseAddress)! }
    }

    private func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        Array(UnsafeBufferPointer(start: data.data, count: data.len))
    }

    @Test func txnCarriesEveryCompareTargetInItsOneofField() throws {
        let request = EtcdTxnRequest(
            compare: [
                EtcdCompare(key: [1], .equal, .version(3)),
                EtcdCompare(key: [2], .greater, .createRevision(17)),
                EtcdCompare(key: [3], .less, .modRevision(42), rangeEnd: [4]),
                EtcdCompare(key: [5], .notEqual, .value([9, 9])),
                EtcdCompare(key: [6], .equal, .lease(0x7f)),
            ],
            success: [.put(EtcdPutRequest(key: [7], value: [8], lease: 99))],
            failure: [.range(EtcdRangeRequest(key: [1], rangeEnd: [2], limit: 5, sortOrder: .ascend, sortTarget: .create)),
                      .deleteRange(EtcdDeleteRangeRequest(key: [3], prevKV: true)),
                      .txn(EtcdTxnRequest(success: [.put(EtcdPutRequest(key: [10], value: []))]))])
        let message = unpackTxn(request.serializedBytes())
        defer { etcdserverpb__txn_request__free_unpacked(message, nil) }
        let txn = message.pointee
        #expect(txn.n_compare == 5)
        let compares = (0..<5).map { txn.compare[$0]!.pointee }
        #expect(compares[0].target == ETCDSERVERPB__COMPARE__COMPARE_TARGET__VERSION)
        #expect(compares[0].target_union_case == ETCDSERVERPB__COMPARE__TARGET_UNION_VERSION && compares[0].version == 3)
        #expect(compares[1].result == ETCDSERVERPB__COMPARE__COMPARE_RESULT__GREATER)
        #expect(compares[1].target == ETCDSERVERPB__COMPARE__COMPARE_TARGET__CREATE && compares[1].create_revision == 17)
        #expect(compares[2].target == ETCDSERVERPB__COMPARE__COMPARE_TARGET__MOD && compares[2].mod_revision == 42)
        #expect(bytes(compares[2].range_end) == [4])
        #expect(compares[3].target == ETCDSERVERPB__COMPARE__COMPARE_TARGET__VALUE && bytes(compares[3].value) == [9, 9])
        #expect(compares[4].target == ETCDSERVERPB__COMPARE__COMPARE_TARGET__LEASE && compares[4].lease == 0x7f)
        #expect(txn.n_success == 1)
        let put = txn.success[0]!.pointee
        #expect(put.request_case == ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_PUT)
        #expect(bytes(put.request_put.pointee.key) == [7] && put.request_put.pointee.lease == 99)
        #expect(txn.n_failure == 3)
        let range = txn.failure[0]!.pointee.request_range.pointee
        #expect(range.limit == 5 && range.sort_order == ETCDSERVERPB__RANGE_REQUEST__SORT_ORDER__ASCEND)
        #expect(range.sort_target == ETCDSERVERPB__RANGE_REQUEST__SORT_TARGET__CREATE && bytes(range.range_end) == [2])
        #expect(txn.failure[1]!.pointee.request_delete_range.pointee.prev_kv != 0)
        #expect(txn.failure[2]!.pointee.request_case == ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_TXN)
        #expect(txn.failure[2]!.pointee.request_txn.pointee.n_success == 1)
    }

    @Test func watchRequestsSetTheirUnionCase() throws {
        let create = EtcdWatchRequest.create(.prefix(Array("/strata/".utf8), startRevision: 12)).serializedBytes()
        let message = create.withUnsafeBufferPointer { etcdserverpb__watch_request__unpack(nil, $0.count, $0.baseAddress)! }
        defer { etcdserverpb__watch_request__free_unpacked(message, nil) }
        #expect(message.pointee.request_union_case == ETCDSERVERPB__WATCH_REQUEST__REQUEST_UNION_CREATE_REQUEST)
        #expect(bytes(message.pointee.create_request.pointee.range_end) == Array("/strata0".utf8))
        #expect(message.pointee.create_request.pointee.start_revision == 12)
        for (request, expected) in [(EtcdWatchRequest.cancel(watchID: 4), ETCDSERVERPB__WATCH_REQUEST__REQUEST_UNION_CANCEL_REQUEST),
                                    (.progress, ETCDSERVERPB__WATCH_REQUEST__REQUEST_UNION_PROGRESS_REQUEST)] {
            let encoded = request.serializedBytes()
            let decoded = encoded.withUnsafeBufferPointer { etcdserverpb__watch_request__unpack(nil, $0.count, $0.baseAddress)! }
            #expect(decoded.pointee.request_union_case == expected)
            etcdserverpb__watch_request__free_unpacked(decoded, nil)
        }
    }

    @Test func responsesDecodeEveryField() throws {
        // Protobuf written out by hand: a TxnResponse with a header, succeeded, and one
        // range answer holding one key-value.
        let header: [UInt8] = [0x0a, 0x04, 0x10, 0x03, 0x18, 0x09]  // member_id 3, revision 9
        let kv: [UInt8] = [0x0a, 0x01, 0x6b, 0x10, 0x05, 0x18, 0x06, 0x20, 0x02, 0x2a, 0x01, 0x76, 0x30, 0x4d]
        let range: [UInt8] = header + [0x12, UInt8(kv.count)] + kv + [0x20, 0x01]
        let op: [UInt8] = [0x0a, UInt8(range.count)] + range
        let txn: [UInt8] = header + [0x10, 0x01] + [0x1a, UInt8(op.count)] + op
        let response = try EtcdTxnResponse(serializedBytes: txn)
        #expect(response.succeeded)
        #expect(response.header == EtcdResponseHeader(memberID: 3, revision: 9))
        #expect(response.responses == [.range(EtcdRangeResponse(
            header: EtcdResponseHeader(memberID: 3, revision: 9),
            kvs: [EtcdKeyValue(key: Array("k".utf8), value: Array("v".utf8), createRevision: 5, modRevision: 6, version: 2, lease: 77)],
            count: 1))])
    }

    @Test func badAnswersAreRefusedNamingTheField() {
        // TxnResponse { responses: [ResponseOp {}] }: field 3, length 0 -> no response set.
        let unset = #expect(throws: RPCError.self) { try EtcdTxnResponse(serializedBytes: [0x1a, 0x00]) }
        #expect(unset?.message == "responses[0].response is not set")
        // WatchResponse { events: [Event { type: 7 }] }: field 11, an event with an unknown type.
        let unknownType = #expect(throws: RPCError.self) { try EtcdWatchResponse(serializedBytes: [0x5a, 0x02, 0x08, 0x07]) }
        #expect(unknownType?.message == "events[0].type has unknown value 7")
        // An event without its key-value.
        let missingKV = #expect(throws: RPCError.self) { try EtcdWatchResponse(serializedBytes: [0x5a, 0x02, 0x08, 0x01]) }
        #expect(missingKV?.message == "events[0].kv is missing")
        let malformed = #expect(throws: RPCError.self) { try EtcdRangeResponse(serializedBytes: [0x12, 0x05, 0x01]) }
        #expect(malformed?.code == .invalidArgument)
        #expect(malformed?.message.contains("etcdserverpb.RangeResponse") == true)
    }

    @Test func prefixEndIsTheNextKeyAfterEveryKeyWithThePrefix() {
        #expect(EtcdKeyRange.prefixEnd(Array("/strata/".utf8)) == Array("/strata0".utf8))
        #expect(EtcdKeyRange.prefixEnd([0x61, 0xff]) == [0x62])
        #expect(EtcdKeyRange.prefixEnd([0xff, 0xff]) == [0])
        #expect(EtcdKeyRange.prefixEnd([]) == [0])
    }

    @Test func endpointsAreCheckedAndNamed() throws {
        let settings = try EtcdClientSettings(endpoints: ["http://10.0.0.1:2379", " 10.0.0.2:2379 ", "etcd-2.etcd:2379/"])
        #expect(settings.endpoints == ["10.0.0.1:2379", "10.0.0.2:2379", "etcd-2.etcd:2379"])
        #expect(throws: Error.self) { try EtcdClientSettings(endpoints: []) }
        let tls = #expect(throws: (any Error).self) { try EtcdClientSettings(endpoints: ["10.0.0.1:2379", "https://e:2379"]) }
        #expect("\(tls!)".contains("endpoints[1]"))  // https:// without TLS settings
        let noPort = #expect(throws: (any Error).self) { try EtcdClientSettings(endpoints: ["etcd"]) }
        #expect("\(noPort!)".contains("endpoints[0]: etcd is not host:port"))
    }
}
