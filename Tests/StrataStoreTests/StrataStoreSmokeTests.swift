import Testing
@testable import StrataStore
