namespace Platform.Connectors.Generator;

/// <summary>
/// What the seeded telemetry generator writes. Immutable; <see cref="Validate"/> checks it (the
/// generator calls it). The same options always produce the same bytes.
/// </summary>
public sealed record TelemetryGeneratorOptions
{
    /// <summary>Default number of lines (valid and malformed together).</summary>
    public const long DefaultEvents = 1_000_000;
    /// <summary>Default seed.</summary>
    public const long DefaultSeed = 42;
    /// <summary>Default number of distinct devices (dev-000000 … dev-099999).</summary>
    public const int DefaultDevices = 100_000;
    /// <summary>Largest device count accepted.</summary>
    public const int MaxDevices = 100_000_000;
    /// <summary>Default share of records with an x/y/z payload (the vector sensors').</summary>
    public const double DefaultVectorShare = 0.05;
    /// <summary>Default share of malformed lines.</summary>
    public const double DefaultMalformedShare = 0.001;
    /// <summary>Default share of valid records that start an anomaly (spike or level shift).</summary>
    public const double DefaultAnomalyShare = 0.0005;
    /// <summary>Default share of records whose timestamp is written as epoch milliseconds instead of ISO-8601.</summary>
    public const double DefaultEpochTimestampShare = 0.1;
    /// <summary>Default event-time step between consecutive lines: 10 µs, i.e. 100 k records per second of event time.</summary>
    public static readonly TimeSpan DefaultTimeStep = TimeSpan.FromTicks(100);
    /// <summary>Default event time of the first line: 2026-01-01T00:00:00Z (fixed, so runs are reproducible).</summary>
    public static readonly DateTimeOffset DefaultStartTime = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    /// <summary>Default backwards jitter of event time: none (records in order).</summary>
    public static readonly TimeSpan DefaultMaxOutOfOrder = TimeSpan.Zero;
    /// <summary>Default share of late records: none.</summary>
    public const double DefaultLateShare = 0;
    /// <summary>Default extra lateness of a late record beyond <see cref="MaxOutOfOrder"/>: up to 30 s.</summary>
    public static readonly TimeSpan DefaultMaxLateness = TimeSpan.FromSeconds(30);
    /// <summary>Default duration of a level shift (event time).</summary>
    public static readonly TimeSpan DefaultLevelShiftDuration = TimeSpan.FromSeconds(60);

    /// <summary>Lines to write (valid + malformed); 0 means unbounded (a source runs until cancelled).</summary>
    public long Events { get; init; } = DefaultEvents;

    /// <summary>Seed of the pseudo-random stream; same seed and options → same bytes.</summary>
    public long Seed { get; init; } = DefaultSeed;

    /// <summary>Distinct devices; each record picks one uniformly.</summary>
    public int Devices { get; init; } = DefaultDevices;

    /// <summary>Sensor types simulated (default temperature, humidity, pressure, vibration).</summary>
    public IReadOnlyList<SensorProfile> Sensors { get; init; } = SensorProfile.Defaults;

    /// <summary>Share of records from vector sensors (x/y/z payloads); the rest are spread evenly over the scalar sensors.</summary>
    public double VectorShare { get; init; } = DefaultVectorShare;

    /// <summary>Share of lines that are malformed (truncated, missing field, wrong type, garbage, bad UTF-8).</summary>
    public double MalformedShare { get; init; } = DefaultMalformedShare;

    /// <summary>Share of valid records that start an injected anomaly (half spikes, half level shifts); each is labelled.</summary>
    public double AnomalyShare { get; init; } = DefaultAnomalyShare;

    /// <summary>Share of records whose timestamp is a number (epoch ms) rather than an ISO-8601 string.</summary>
    public double EpochTimestampShare { get; init; } = DefaultEpochTimestampShare;

    /// <summary>Event time of the first line.</summary>
    public DateTimeOffset StartTime { get; init; } = DefaultStartTime;

    /// <summary>Event-time step between consecutive lines (100 ns resolution; timestamps are written in ms).</summary>
    public TimeSpan TimeStep { get; init; } = DefaultTimeStep;

    /// <summary>Each record's event time is moved back by a uniform amount in [0, this] (out-of-order data within the bound).</summary>
    public TimeSpan MaxOutOfOrder { get; init; } = DefaultMaxOutOfOrder;

    /// <summary>Share of records made late: moved back by more than <see cref="MaxOutOfOrder"/> (by up to <see cref="MaxLateness"/> more).</summary>
    public double LateShare { get; init; } = DefaultLateShare;

    /// <summary>How far beyond <see cref="MaxOutOfOrder"/> a late record may fall.</summary>
    public TimeSpan MaxLateness { get; init; } = DefaultMaxLateness;

    /// <summary>How long (event time) a level shift lasts for its device × sensor.</summary>
    public TimeSpan LevelShiftDuration { get; init; } = DefaultLevelShiftDuration;

    /// <summary>Records per second for a paced source; 0 = as fast as possible. <see cref="TelemetryGenerator.GenerateNdjson(TelemetryGeneratorOptions)"/> ignores it.</summary>
    public double Rate { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (Events < 0) throw new ArgumentException($"Events must be >= 0 (0 = unbounded), got {Events}.");
        if (Devices is < 1 or > MaxDevices) throw new ArgumentException($"Devices must be in [1, {MaxDevices}], got {Devices}.");
        if (Sensors is null || Sensors.Count == 0) throw new ArgumentException("At least one sensor profile is required.");
        if (Sensors.Count > 1024) throw new ArgumentException("At most 1024 sensor profiles are supported.");
        foreach (var s in Sensors) s.Validate();
        if (Sensors.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != Sensors.Count) throw new ArgumentException("Sensor names must be distinct.");
        CheckShare(VectorShare, nameof(VectorShare));
        CheckShare(MalformedShare, nameof(MalformedShare));
        CheckShare(AnomalyShare, nameof(AnomalyShare));
        CheckShare(EpochTimestampShare, nameof(EpochTimestampShare));
        CheckShare(LateShare, nameof(LateShare));
        var vectors = Sensors.Count(s => s.IsVector);
        if (VectorShare > 0 && vectors == 0) throw new ArgumentException("VectorShare > 0 needs a vector sensor profile.");
        if (VectorShare < 1 && vectors == Sensors.Count) throw new ArgumentException("VectorShare < 1 needs a scalar sensor profile.");
        if (TimeStep < TimeSpan.Zero || TimeStep > TimeSpan.FromHours(1)) throw new ArgumentException($"TimeStep must be in [0, 1 h], got {TimeStep}.");
        if (MaxOutOfOrder < TimeSpan.Zero || MaxOutOfOrder > TimeSpan.FromDays(1)) throw new ArgumentException($"MaxOutOfOrder must be in [0, 1 day], got {MaxOutOfOrder}.");
        if (MaxLateness <= TimeSpan.Zero || MaxLateness > TimeSpan.FromDays(1)) throw new ArgumentException($"MaxLateness must be in (0, 1 day], got {MaxLateness}.");
        if (LevelShiftDuration <= TimeSpan.Zero) throw new ArgumentException("LevelShiftDuration must be > 0.");
        if (StartTime.Year is < 1971 or > 9000) throw new ArgumentException($"StartTime must be between 1971 and 9000, got {StartTime:O}.");
        if (!(Rate >= 0) || double.IsInfinity(Rate)) throw new ArgumentException($"Rate must be >= 0 (0 = unpaced), got {Rate}.");
    }

    private static void CheckShare(double value, string name)
    {
        if (!(value is >= 0 and <= 1)) throw new ArgumentException($"{name} must be in [0, 1], got {value}.");
    }
}
