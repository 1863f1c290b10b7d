namespace Platform.Host.Config;

// Enum members are written in YAML in kebab-case, case-insensitively: SideOutput ⇄ side-output.
// The window kind and late policy are the engine's own enums (Platform.Engine.Windows.WindowKind, LatePolicy).

/// <summary>The record format of a source's bytes (<c>format</c>).</summary>
internal enum RecordFormat
{
    /// <summary>NDJSON telemetry of seed 002 §3.</summary>
    TelemetryJson,
    /// <summary>NDJSON Segment messages or batch requests (seed 004 §3): customer events.</summary>
    SegmentJson,
}

/// <summary>How a sink treats existing output (<c>sinks[].mode</c>).</summary>
internal enum SinkWriteMode
{
    /// <summary>Drop and recreate the table, so a second run does not fail or double up.</summary>
    Replace,
    /// <summary>Append to the table, creating it when absent.</summary>
    Append,
    /// <summary>Insert or replace rows by key and window start, creating the table when absent: replays after recovery overwrite themselves.</summary>
    Upsert,
}

/// <summary>An aggregate function of <c>op: aggregate</c>.</summary>
internal enum AggregateKind
{
    /// <summary><c>count</c>.</summary>
    Count,
    /// <summary><c>sum</c>.</summary>
    Sum,
    /// <summary><c>min</c>.</summary>
    Min,
    /// <summary><c>max</c>.</summary>
    Max,
    /// <summary><c>mean</c>.</summary>
    Mean,
    /// <summary><c>variance</c> (population).</summary>
    Variance,
    /// <summary><c>pNN</c>, e.g. p50, p99, p99.9 (a quantile sketch).</summary>
    Percentile,
}
