import Testing
@testable import Diagnostics

@Suite struct ModuleErrorTests {
    enum First: ErrorDomain {}
    enum Second: ErrorDomain {}

    @Test func errorsOfDifferentDomainsAreDifferentTypes() {
        let error: any Error = ModuleError<First>("c", "m", category: .usage)
        #expect(error is ModuleError<First>)
        #expect(!(error is ModuleError<Second>))
        #expect((error as? ModuleError<First>)?.category == .usage)
        #expect(ModuleError<Second>("c", "m").category == .runtime)
    }
}
