namespace Platform.Host.Benchmarks;

/// <summary>One engine on one workload: the row of the table and the object in the JSON.</summary>
public sealed record BenchResult
{
    /// <summary><c>platform</c>, <c>rx</c>, <c>tpl-dataflow</c>, <c>akka-streams</c>, <c>system-text-json</c>.</summary>
    public required string Engine { get; init; }
    /// <summary><c>parse</c>, <c>iot-anomaly</c>, <c>nexmark-q0</c> … <c>nexmark-q8</c>, <c>latency-50%</c>, ….</summary>
    public required string Workload { get; init; }
    /// <summary>Records (events) processed per second, wall clock.</summary>
    public double RecordsPerSecond { get; init; }
    /// <summary>Input megabytes (10^6 B) per second; null when the input is not bytes.</summary>
    public double? MegabytesPerSecond { get; init; }
    /// <summary>Managed bytes allocated per record (all threads).</summary>
    public double? BytesAllocatedPerRecord { get; init; }
    /// <summary>p99 end-to-end latency, ms (latency workloads only).</summary>
    public double? P99Ms { get; init; }
    /// <summary>Peak working set sampled during the run, MB (includes the in-memory input).</summary>
    public double PeakWorkingSetMb { get; init; }
    /// <summary>CPU time / wall time over the run.</summary>
    public double CoresUsed { get; init; }
    /// <summary>Records processed.</summary>
    public long Records { get; init; }
    /// <summary>Wall time.</summary>
    public TimeSpan Elapsed { get; init; }
    /// <summary>"ok" when the output equals Platform's, "reference" for Platform itself, else why not; null when not checked.</summary>
    public string? Verified { get; init; }
    /// <summary>Free text (windows, alerts, input size).</summary>
    public string? Note { get; init; }
}
