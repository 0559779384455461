import Testing
@testable import StrataCluster
