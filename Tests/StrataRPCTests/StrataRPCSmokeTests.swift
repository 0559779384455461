import Testing
@testable import StrataRPC
