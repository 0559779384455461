import Testing
@testable import StrataText
