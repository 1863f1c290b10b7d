using System.CommandLine;
using System.Globalization;
using Platform.Engine.Checkpoints;
using Platform.Host.Running;
using Spectre.Console;

namespace Platform.Host.Checkpoints;

/// <summary>
/// <c>platform checkpoints &lt;dir&gt;</c>: lists the checkpoints in a folder, newest first — id, time, size,
/// status (complete / partial / corrupt, checksums verified) and source positions — and which one a run
/// would resume from.
/// </summary>
internal static class CheckpointsCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "The checkpoint folder (checkpoint.dir or --checkpoint-dir of platform run)." };
        var command = new Command("checkpoints", "List the checkpoints in a folder and verify their checksums.");
        command.Arguments.Add(dir);
        command.SetAction((ParseResult pr) => Run(pr.GetValue(dir) ?? "", AnsiConsole.Console));
        return command;
    }

    internal static int Run(string dir, IAnsiConsole console)
    {
        var store = new CheckpointStore(dir);
        if (!Directory.Exists(store.Directory))
        {
            console.MarkupLine($"[red]no such folder:[/] {Markup.Escape(store.Directory)}");
            return 1;
        }
        var list = store.List(verify: true);
        if (list.Count == 0)
        {
            console.MarkupLine($"no checkpoints in {Markup.Escape(store.Directory)}");
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded).Title($"checkpoints in [bold]{Markup.Escape(store.Directory)}[/]");
        table.AddColumn("id").AddColumn("completed (UTC)").AddColumn(new TableColumn("size").RightAligned())
            .AddColumn(new TableColumn("took").RightAligned()).AddColumn("status").AddColumn("source positions");
        var resume = list.FirstOrDefault(c => c.Status == CheckpointStatus.Complete);
        foreach (var c in list)
        {
            var m = c.Manifest;
            var status = c.Status switch
            {
                CheckpointStatus.Complete => c == resume ? "[green]complete (resume point)[/]" : "[green]complete[/]",
                CheckpointStatus.Partial => "[yellow]partial[/]",
                _ => "[red]corrupt[/]",
            };
            if (c.Problem is not null) status += "\n[grey]" + Markup.Escape(c.Problem) + "[/]";
            table.AddRow(
                c.Id.ToString(CultureInfo.InvariantCulture),
                m is null ? "-" : m.CreatedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                Format.Mebibytes(c.BytesOnDisk),
                m is null ? "-" : m.DurationMs.ToString("N0", CultureInfo.InvariantCulture) + " ms",
                status,
                m is null ? "-" : Markup.Escape($"{m.SourceName}: " + string.Join(", ", m.Positions.Select(Describe))));
        }
        console.Write(table);
        return 0;
    }

    /// <summary>
    /// An 8-byte position is shown as a number (file offsets, Kafka offsets). A text one is shown line by line
    /// without a leading format line such as <c>kinesis-positions/1</c>: Kinesis stores <c>shardId TAB sequenceNumber</c>
    /// per shard (<c>$END</c> for a closed shard read to its end), shown as <c>shardId: sequenceNumber</c>. Anything else is hex.
    /// </summary>
    internal static string Describe(byte[] position)
    {
        if (position.Length == 8) return System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(position).ToString("N0", CultureInfo.InvariantCulture);
        if (!position.All(b => b is >= 0x20 and < 0x7F or (byte)'\t' or (byte)'\n')) return Convert.ToHexString(position);
        var lines = System.Text.Encoding.ASCII.GetString(position).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var versioned = lines.Length > 0 && lines[0].Contains('/', StringComparison.Ordinal) && !lines[0].Contains('\t', StringComparison.Ordinal);
        if (versioned && lines.Length == 1) return "(nothing read yet)";
        return string.Join("; ", lines.Skip(versioned ? 1 : 0).Select(line => line.Replace("\t$END", ": read to its end (closed)", StringComparison.Ordinal)
            .Replace("\t", ": ", StringComparison.Ordinal)));
    }
}
