using System.Diagnostics;
using Platform.Engine.Runtime;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Platform.Host.Running;

/// <summary>
/// The run's live view: records/s, watermark, dead letters, queues — redrawn in place on a
/// terminal, one plain line every few seconds when output is redirected (CI, logs).
/// </summary>
internal sealed class LiveSummary(IAnsiConsole console, string pipeline, string graph)
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PlainRefresh = TimeSpan.FromSeconds(2);

    /// <summary>Shows the view until <paramref name="completion"/> ends.</summary>
    public async Task ShowAsync(PipelineStats stats, Task completion)
    {
        var rate = new RateMeter(stats);
        if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
        {
            await console.Live(Render(stats, rate.Sample())).AutoClear(false).StartAsync(async ctx =>
            {
                while (await Task.WhenAny(completion, Task.Delay(Refresh)) != completion)
                {
                    ctx.UpdateTarget(Render(stats, rate.Sample()));
                }
                ctx.UpdateTarget(Render(stats, rate.Sample()));
            });
            return;
        }
        console.MarkupLine($"[bold]{Markup.Escape(pipeline)}[/]: {Markup.Escape(graph)}");
        while (await Task.WhenAny(completion, Task.Delay(PlainRefresh)) != completion)
        {
            var s = rate.Sample();
            console.WriteLine(FormattableString.Invariant(
                $"{s.Elapsed:hh\\:mm\\:ss}  in {stats.Records,12:N0}  {s.RecordsPerSecond,12:N0} rec/s  dlq {stats.Rejected:N0}  out {stats.Output:N0}  late {stats.Late:N0}  watermark {Format.Watermark(stats.CurrentWatermark)}"));
        }
    }

    private IRenderable Render(PipelineStats stats, RateSample s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(pipeline)}[/]  {Markup.Escape(graph)}");
        table.AddColumn("elapsed").AddColumn(new TableColumn("records in").RightAligned()).AddColumn(new TableColumn("records/s").RightAligned())
            .AddColumn(new TableColumn("MB/s").RightAligned()).AddColumn(new TableColumn("dead letters").RightAligned())
            .AddColumn(new TableColumn("out").RightAligned()).AddColumn(new TableColumn("late").RightAligned())
            .AddColumn("watermark").AddColumn(new TableColumn("queues (chunks/sink)").RightAligned());
        table.AddRow(
            s.Elapsed.ToString(@"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture),
            stats.Records.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            s.RecordsPerSecond.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            s.MegabytesPerSecond.ToString("N1", System.Globalization.CultureInfo.InvariantCulture),
            stats.Rejected == 0 ? "0" : $"[yellow]{stats.Rejected:N0}[/]",
            stats.Output.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            stats.Late.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            Format.Watermark(stats.CurrentWatermark),
            $"{stats.ChunkQueueDepth}/{stats.SinkQueueDepth}");
        return table;
    }

    /// <summary>Records/s and MB/s over the last sampling interval.</summary>
    private sealed class RateMeter(PipelineStats stats)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _lastRecords, _lastBytes;
        private TimeSpan _lastTime;

        public RateSample Sample()
        {
            var now = _clock.Elapsed;
            var records = stats.Records;
            var bytes = stats.Bytes;
            var dt = (now - _lastTime).TotalSeconds;
            var sample = new RateSample(now,
                dt > 0 ? (records - _lastRecords) / dt : 0,
                dt > 0 ? (bytes - _lastBytes) / dt / 1e6 : 0);
            (_lastRecords, _lastBytes, _lastTime) = (records, bytes, now);
            return sample;
        }
    }

    private readonly record struct RateSample(TimeSpan Elapsed, double RecordsPerSecond, double MegabytesPerSecond);
}
