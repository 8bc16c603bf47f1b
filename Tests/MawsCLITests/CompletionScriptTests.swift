import ArgumentParser
import Testing

@testable import maws

@Suite struct CompletionScriptTests {
    @Test func theRequestIsReadInBothSpellings() {
        #expect(CompletionScript.requestedShell(["--generate-completion-script", "bash"]) == .bash)
        #expect(CompletionScript.requestedShell(["--generate-completion-script=fish"]) == .fish)
        #expect(CompletionScript.requestedShell(["--generate-completion-script", "tcsh"]) == nil)
        #expect(CompletionScript.requestedShell(["--generate-completion-script", "zsh", "-v"]) == nil)
        #expect(CompletionScript.requestedShell(["-r", "arn"]) == nil)
    }

    /// bash gets swift-argument-parser's script and the default-command wrapper registered last;
    /// zsh and fish get swift-argument-parser's script as it is.
    @Test func bashCompletesLoginsOptionsWithoutItsName() {
        let bash = CompletionScript.text(for: .bash)
        #expect(bash.hasPrefix(Maws.completionScript(for: .bash)))
        #expect(bash.hasSuffix("complete -o filenames -F _maws_default_command maws\n"))
        #expect(CompletionScript.text(for: .zsh) == Maws.completionScript(for: .zsh))
    }
}
