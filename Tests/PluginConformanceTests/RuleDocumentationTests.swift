import AloftTestSupport
import Foundation
import PluginConformance
import Testing

/// Every rule a failure can name has its anchor in docs/plugin-abi.md.
@Suite(.timeLimit(.minutes(5))) struct RuleDocumentationTests {
    @Test
    func everyRuleHasItsAnchorInThePluginABIDoc() throws {
        let doc = try String(
            contentsOfFile: Fixtures.repoRoot.appendingPathComponent("docs/plugin-abi.md").path, encoding: .utf8)
        for rule in ConformanceRule.all {
            #expect(
                doc.contains("<a id=\"rule-\(rule.id)\"></a>**\(rule.id)**"),
                "docs/plugin-abi.md has no anchor rule-\(rule.id)")
            #expect(rule.reference == "docs/plugin-abi.md#rule-\(rule.id)")
        }
        #expect(Set(ConformanceRule.all.map(\.id)).count == ConformanceRule.all.count)
    }
}
