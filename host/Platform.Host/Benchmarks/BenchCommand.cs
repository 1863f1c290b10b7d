using System.CommandLine;

namespace Platform.Host.Benchmarks;

/// <summary>`platform bench` (placeholder until its owner lands it).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Not built yet.");
        command.SetAction(_ => 1);
        return command;
    }
}
