import Testing
@testable import StrataSearch
