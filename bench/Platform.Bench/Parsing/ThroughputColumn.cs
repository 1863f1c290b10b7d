using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Platform.Bench.Parsing;

/// <summary>A summary column derived from the mean time (and allocations) of one pass over the case's <see cref="TelemetryWorkload"/>.</summary>
public sealed class ThroughputColumn(ThroughputColumn.Kind kind) : IColumn
{
    /// <summary>Which figure the column shows.</summary>
    public enum Kind
    {
        /// <summary>Input megabytes (10^6 bytes) per second.</summary>
        MegabytesPerSecond,
        /// <summary>Lines per second, in millions.</summary>
        MillionRecordsPerSecond,
        /// <summary>Bytes allocated per line.</summary>
        AllocatedPerRecord,
    }

    public string Id => "Throughput." + kind;

    public string ColumnName => kind switch
    {
        Kind.MegabytesPerSecond => "MB/s",
        Kind.MillionRecordsPerSecond => "M rec/s",
        _ => "B/record",
    };

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => (int)kind;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => kind switch
    {
        Kind.MegabytesPerSecond => "Input MB (10^6 B) parsed per second, one thread",
        Kind.MillionRecordsPerSecond => "Lines parsed per second, millions, one thread",
        _ => "Managed bytes allocated per line",
    };

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats) return "-";
        var workload = TelemetryWorkload.Named(benchmarkCase.Parameters[nameof(TelemetryParseBenchmarks.Mix)] as string ?? TelemetryWorkload.StandardName);
        var seconds = stats.Mean / 1e9;
        return kind switch
        {
            Kind.MegabytesPerSecond => (workload.Bytes.Length / 1e6 / seconds).ToString("N0", CultureInfo.InvariantCulture),
            Kind.MillionRecordsPerSecond => (workload.Lines / 1e6 / seconds).ToString("N2", CultureInfo.InvariantCulture),
            _ => report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase) is { } bytes
                ? (bytes / (double)workload.Lines).ToString("N2", CultureInfo.InvariantCulture)
                : "-",
        };
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
