using System.CommandLine;

namespace Platform.Host.Generate;

/// <summary>`platform generate` (placeholder until its owner lands it).</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var command = new Command("generate", "Not built yet.");
        command.SetAction(_ => 1);
        return command;
    }
}
