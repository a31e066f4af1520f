import AftEngine
import FoundationEssentials
import Glibc

/// The entry point of the `aft` executable.
public enum AftMain {
    public static let version = "0.1.0"

    /// Runs one command line and returns the process exit status.
    public static func run(arguments: [[UInt8]], environment: [String: String]) -> Int32 {
        // A closed pipe must show up as EPIPE on write, which OutputStream turns into a quiet exit.
        signal(SIGPIPE, SIG_IGN)
        let output = OutputStream(descriptor: 1)
        let errors = OutputStream(descriptor: 2)
        defer {
            output.flush()
            errors.flush()
        }
        do throws(AftError) {
            let parser = ArgumentParser(commands: CommandTable.all, globalOptions: GlobalOptions.specs)
            let invocation = try parser.parse(arguments.map(Argument.init(bytes:)))
            if invocation.flag("version") {
                output.line("aft \(version)")
                return 0
            }
            if invocation.flag("help") {
                output.write(invocation.command.map { HelpText.command($0.spec) } ?? HelpText.overview())
                return 0
            }
            // Without a command aft opens the shell, which reads standard input when it is not a terminal.
            let command = invocation.command ?? ShellCommand.self
            let options = try GlobalOptions(invocation, environment: environment)
            let context = Context(options: options, environment: environment, output: output, errors: errors)
            try command.run(invocation, context: context)
            return context.exitStatus
        } catch {
            output.flush()
            report(error, to: errors, environment: environment)
            return error.kind.exitCode
        }
    }

    static func report(_ error: AftError, to errors: OutputStream, environment: [String: String]) {
        let useColor = errors.isTerminal && environment["NO_COLOR"] == nil
        let label = useColor ? "\u{1B}[1;31merror:\u{1B}[0m" : "error:"
        errors.line("\(label) \(error.message)")
    }
}
