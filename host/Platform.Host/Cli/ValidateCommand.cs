using System.CommandLine;

namespace Platform.Host.Cli;

/// <summary>`platform validate` (placeholder until its owner lands it).</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var command = new Command("validate", "Not built yet.");
        command.SetAction(_ => 1);
        return command;
    }
}
