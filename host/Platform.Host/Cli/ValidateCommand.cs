using System.CommandLine;
using Platform.Host.Config;

namespace Platform.Host.Cli;

/// <summary>
/// <c>platform validate &lt;pipeline.yaml&gt;</c>: runs every check the loader has, prints each error
/// as <c>file:line:col: error: message</c> with a hint line, exits 2 when the file is invalid or
/// missing and 0 with a one-line summary when it is valid.
/// </summary>
internal static class ValidateCommand
{
    /// <summary>Exit code of a valid file.</summary>
    public const int ExitValid = 0;

    /// <summary>Exit code of an invalid or missing file.</summary>
    public const int ExitInvalid = 2;

    public static Command Create()
    {
        var file = new Argument<string>("pipeline") { Description = "The pipeline YAML file." };
        var command = new Command("validate", "Check a pipeline YAML file and report every error with its line, column and a hint.");
        command.Arguments.Add(file);
        command.SetAction((ParseResult parseResult, CancellationToken _) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            return Task.FromResult(Run(parseResult.GetValue(file) ?? "", output));
        });
        return command;
    }

    /// <summary>Validates one file, writing the report to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(string path, TextWriter output)
    {
        var result = PipelineConfigLoader.Load(path);
        if (result.Config is { } config)
        {
            output.WriteLine($"valid: {config.Name} — {config.Describe()}");
            return ExitValid;
        }
        foreach (var error in result.Errors)
        {
            output.WriteLine(error.ToString());
            if (error.Hint is not null)
            {
                output.WriteLine($"    hint: {error.Hint}");
            }
        }
        var count = result.Errors.Count;
        output.WriteLine($"{count} error{(count == 1 ? "" : "s")} in {path}");
        return ExitInvalid;
    }
}
