namespace Platform.Host.Config;

/// <summary>Where records come from (<c>source</c>). One subtype per <c>type</c>.</summary>
internal abstract record SourceConfig
{
    /// <summary>The YAML <c>type</c>: generator, file.</summary>
    public abstract string Type { get; }

    /// <summary>Records per second (<c>rate</c>, ≥ 0); 0 = as fast as possible.</summary>
    public abstract double Rate { get; init; }
}

/// <summary>The deterministic telemetry generator (<c>type: generator</c>).</summary>
/// <param name="Events">Records to generate (<c>events</c>, ≥ 0; 0 = unbounded).</param>
/// <param name="Seed">Random seed (<c>seed</c>).</param>
/// <param name="Devices">Distinct devices (<c>devices</c>, 1..100,000,000).</param>
/// <param name="Sensors">Sensor types (<c>sensors</c>, a non-empty list of distinct names of the generator's profiles: temperature, humidity, pressure, vibration).</param>
/// <param name="VectorShare">Share of x/y/z payloads (<c>vector-share</c>, 0..1).</param>
/// <param name="MalformedShare">Share of malformed lines (<c>malformed-share</c>, 0..1).</param>
/// <param name="AnomalyShare">Share of injected anomalies (<c>anomaly-share</c>, 0..1).</param>
/// <param name="OutOfOrder">Maximum disorder of event times (<c>out-of-order</c>, a duration ≥ 0).</param>
/// <param name="LateShare">Share of records made late on purpose (<c>late-share</c>, 0..1, default 0).</param>
/// <param name="MaxLateness">How far beyond <paramref name="OutOfOrder"/> a late record may lag (<c>max-lateness</c>, default 30s).</param>
/// <param name="Rate">Records per second (<c>rate</c>, ≥ 0; 0 = as fast as possible).</param>
internal sealed record GeneratorSourceConfig(
    long Events,
    long Seed,
    int Devices,
    EquatableList<string> Sensors,
    double VectorShare,
    double MalformedShare,
    double AnomalyShare,
    TimeSpan OutOfOrder,
    double LateShare,
    TimeSpan MaxLateness,
    double Rate) : SourceConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "generator";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <inheritdoc/>
    public override double Rate { get; init; } = Rate;

    /// <summary>All defaults.</summary>
    public static GeneratorSourceConfig Default { get; } = new(
        ConfigDefaults.GeneratorEvents,
        ConfigDefaults.GeneratorSeed,
        ConfigDefaults.GeneratorDevices,
        new EquatableList<string>(ConfigDefaults.GeneratorSensors),
        ConfigDefaults.GeneratorVectorShare,
        ConfigDefaults.GeneratorMalformedShare,
        ConfigDefaults.GeneratorAnomalyShare,
        ConfigDefaults.GeneratorOutOfOrder,
        ConfigDefaults.GeneratorLateShare,
        ConfigDefaults.GeneratorMaxLateness,
        ConfigDefaults.SourceRate);
}

/// <summary>An NDJSON file replayed at full speed or at a rate (<c>type: file</c>).</summary>
/// <param name="Path">As written (<c>path</c>, required; the file must exist).</param>
/// <param name="FullPath">Resolved against the folder of the YAML file.</param>
/// <param name="Rate">Records per second (<c>rate</c>, ≥ 0; 0 = as fast as possible).</param>
/// <param name="ChunkSize">Bytes per read chunk (<c>chunk-size</c>; defaults to <c>runtime.chunk-size</c>).</param>
internal sealed record FileSourceConfig(string Path, string FullPath, double Rate, long ChunkSize) : SourceConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "file";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <inheritdoc/>
    public override double Rate { get; init; } = Rate;
}
