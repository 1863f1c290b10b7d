namespace Platform.Engine.Runtime;

/// <summary>What a stage does, for display and for fusion decisions.</summary>
public enum StageKind
{
    /// <summary>Reads chunks of bytes.</summary>
    Source,
    /// <summary>Bytes to records; stateless, runs on every worker.</summary>
    Parse,
    /// <summary>A stateless record operator, fused into the parse stage.</summary>
    Stateless,
    /// <summary>Hash-partitions records by key over the workers.</summary>
    KeyBy,
    /// <summary>A stateful keyed operator (windows, detectors) on every worker.</summary>
    Keyed,
    /// <summary>Writes results.</summary>
    Sink,
}

/// <summary>One stage of a compiled pipeline.</summary>
/// <param name="Name">Name shown in summaries and on the dashboard.</param>
/// <param name="Kind">What the stage does.</param>
/// <param name="Parallelism">Instances that run it.</param>
/// <param name="FusedWithPrevious">True when it runs on the same thread as the stage before it, with no channel in between.</param>
public sealed record StageInfo(string Name, StageKind Kind, int Parallelism, bool FusedWithPrevious);

/// <summary>The compiled shape of a pipeline: its stages in order.</summary>
public sealed record PipelineGraph(string Name, IReadOnlyList<StageInfo> Stages)
{
    /// <summary>A one-line picture, e.g. <c>generator → parse ⇒ key-by → window(…) → duckdb</c> (⇒ marks a fused hop).</summary>
    public override string ToString() =>
        string.Concat(Stages.Select((s, i) => (i == 0 ? "" : s.FusedWithPrevious ? " ⇒ " : " → ") + s.Name));
}
