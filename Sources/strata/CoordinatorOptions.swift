import ArgumentParser
import Foundation
import StrataRPC

/// Where the coordinator is: `--coordinator`, else `STRATA_COORDINATOR`, else the address
/// `scripts/cluster-up.sh` and `scripts/demo.sh` use with no flags.
struct CoordinatorOptions: ParsableArguments {
    static let defaultAddress = "127.0.0.1:7400"

    @Option(help: "host:port of the coordinator (default: $STRATA_COORDINATOR or \(CoordinatorOptions.defaultAddress)).")
    var coordinator: String?

    @Option(help: "Seconds to wait for an answer.") var timeout: Double = 30

    var address: String {
        coordinator ?? ProcessInfo.processInfo.environment["STRATA_COORDINATOR"] ?? Self.defaultAddress
    }

    var callOptions: CallOptions { CallOptions(timeout: .milliseconds(Int(timeout * 1000))) }

    func channel() -> RPCChannel {
        RPCChannel(target: address, limits: MessageLimits(maxReceiveBytes: 64 << 20, maxSendBytes: 64 << 20))
    }
}
