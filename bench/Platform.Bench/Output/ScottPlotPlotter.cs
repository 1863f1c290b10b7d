using Platform.Host.Benchmarks;
using ScottPlot;

namespace Platform.Bench.Output;

/// <summary>Bar chart of records/s (millions) per engine, grouped by workload, one colour per engine.</summary>
public sealed class ScottPlotPlotter : IBenchPlotter
{
    /// <inheritdoc />
    public void Write(IReadOnlyList<BenchResult> results, string path)
    {
        ArgumentNullException.ThrowIfNull(results);
        var workloads = results.Select(r => r.Workload).Distinct().ToList();
        var engines = results.Select(r => r.Engine).Distinct().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var plot = new Plot();
        var bars = new List<Bar>();
        var ticks = new List<(double, string)>();
        for (var w = 0; w < workloads.Count; w++)
        {
            var group = w * (engines.Count + 1);
            for (var e = 0; e < engines.Count; e++)
            {
                var r = results.FirstOrDefault(x => x.Workload == workloads[w] && x.Engine == engines[e]);
                if (r is null) continue;
                bars.Add(new Bar { Position = group + e, Value = r.RecordsPerSecond / 1e6, FillColor = palette.GetColor(e) });
            }
            ticks.Add((group + (engines.Count - 1) / 2.0, workloads[w]));
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks([.. ticks.Select(t => t.Item1)], [.. ticks.Select(t => t.Item2)]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = workloads.Count > 6 ? 30 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = workloads.Count > 6 ? Alignment.MiddleLeft : Alignment.UpperCenter;
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("million records / s");
        plot.Title($"Platform bench ({Environment.ProcessorCount} cores)");
        for (var e = 0; e < engines.Count; e++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = engines[e], FillColor = palette.GetColor(e) });
        plot.ShowLegend(Alignment.UpperRight);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        plot.SavePng(path, Math.Clamp(200 + 45 * bars.Count, 800, 2400), 600);
    }
}
