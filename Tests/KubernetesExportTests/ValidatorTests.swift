import Foundation
import Testing

/// The validator the export tests rely on must be able to fail.
@Suite("kubernetes-validate")
struct ValidatorTests {
    @Test func rejectsUnknownFieldsAndAcceptsAValidPod() throws {
        try KubeValidate.require()
        let scratch = try TempDirectory()
        defer { scratch.remove() }
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n"
        try scratch.write("good.yaml", pod)
        try scratch.write("bad.yaml", pod + "    restartPolicyy: Never\n")
        #expect(try KubeValidate.validate(files: [scratch.path + "/good.yaml"]).status == 0)
        #expect(try KubeValidate.validate(files: [scratch.path + "/bad.yaml"]).status != 0)
    }
}
