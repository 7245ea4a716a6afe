import AloftKubernetes
import Testing

/// Object names and label values made from Aloft's ids follow Kubernetes' rules.
@Suite struct KubeNamesTests {
    @Test func aValidIdIsKeptAndAnInvalidOneIsMadeValidWithAHash() {
        #expect(KubeNames.objectName("ex-20261201-a-0-abc") == "ex-20261201-a-0-abc")
        let long = KubeNames.objectName("Ex_" + String(repeating: "x", count: 80))
        #expect(long.count <= 63)
        #expect(KubeNames.isLabel(long))
        #expect(long.hasPrefix("ex-xxx"))
        #expect(KubeNames.objectName("Ex_" + String(repeating: "x", count: 80) + "y") != long)
        #expect(KubeNames.isLabel(KubeNames.objectName("9lives")))
        #expect(KubeNames.isLabel(KubeNames.objectName("--")))
    }

    @Test func labelValuesAreCutAndCleaned() {
        #expect(KubeNames.labelValue("my project/1") == "my_project_1")
        #expect(KubeNames.labelValue(String(repeating: "a", count: 70)).count == 63)
        #expect(KubeNames.labelValue("_a_") == "a")
    }
}
