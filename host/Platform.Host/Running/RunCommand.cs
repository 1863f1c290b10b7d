using System.CommandLine;

namespace Platform.Host.Running;

/// <summary>`platform run` (placeholder until its owner lands it).</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Not built yet.");
        command.SetAction(_ => 1);
        return command;
    }
}
