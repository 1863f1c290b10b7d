using System.CommandLine;
using Platform.Host.Benchmarks;
using Platform.Host.Cli;
using Platform.Host.Generate;
using Platform.Host.Running;

namespace Platform.Host;

/// <summary>The <c>platform</c> command.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Platform: a high-throughput stream-processing engine.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(Checkpoints.CheckpointsCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(Train.TrainCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(Nab.NabCommand.Create());
        root.Subcommands.Add(Dlq.DlqCommand.Create());
        return await root.Parse(args).InvokeAsync();
    }
}
