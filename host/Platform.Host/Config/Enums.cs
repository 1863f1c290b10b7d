namespace Platform.Host.Config;

// Enum members are written in YAML in kebab-case, case-insensitively: SideOutput ⇄ side-output.

/// <summary>The record format of a source's bytes (<c>format</c>).</summary>
internal enum RecordFormat
{
    /// <summary>NDJSON telemetry of seed 002 §3.</summary>
    TelemetryJson,
}

/// <summary>What happens to a record that arrives after its window fired (<c>event-time.late-policy</c>).</summary>
internal enum LatePolicy
{
    /// <summary>Drop it and count it.</summary>
    Drop,
    /// <summary>Send it to the side output (the dead-letter file, reason "late").</summary>
    SideOutput,
    /// <summary>Update the fired window and emit the result again.</summary>
    Update,
}

/// <summary>The kind of window (<c>op: window</c>, <c>kind</c>).</summary>
internal enum WindowKind
{
    /// <summary>Fixed, non-overlapping windows of <c>size</c>.</summary>
    Tumbling,
    /// <summary>Windows of <c>size</c> starting every <c>slide</c>.</summary>
    Hopping,
    /// <summary>Per-key windows closed by a <c>gap</c> of inactivity.</summary>
    Session,
}

/// <summary>How a sink treats existing output (<c>sinks[].mode</c>).</summary>
internal enum SinkWriteMode
{
    /// <summary>Drop and recreate the table, so a second run does not fail or double up.</summary>
    Replace,
    /// <summary>Append to the table, creating it when absent.</summary>
    Append,
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
