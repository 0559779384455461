import Testing
@testable import StrataCore

@Suite struct StrataErrorTests {
    @Test func descriptionNamesCodeAndMessage() {
        let error = StrataError.invalidArgument("vector has 3 dimensions, namespace expects 384")
        #expect(error.description == "invalid argument: vector has 3 dimensions, namespace expects 384")
        #expect(error.code == .invalidArgument)
    }
}
