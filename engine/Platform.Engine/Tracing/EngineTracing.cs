using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Platform.Engine.Records;

namespace Platform.Engine.Tracing;

/// <summary>
/// The engine's spans, through the BCL's <see cref="ActivitySource"/> (no OpenTelemetry dependency in the
/// engine; the host subscribes with an OpenTelemetry tracer provider and an OTLP exporter). Every span is
/// started behind <see cref="Enabled"/>, so with no listener — tracing off, the default — a batch costs one
/// volatile read and nothing is allocated.
/// </summary>
/// <remarks>
/// Spans: <c>parse</c> (a chunk into a batch, per worker), <c>keyed</c> (a batch through the keyed operator),
/// <c>sink</c> (one sink call). Each carries the batch's record count and, for telemetry, the correlation id
/// of its first record as <see cref="CorrelationIdAttribute"/> (the ids of every record would cost a string each).
/// </remarks>
public static class EngineTracing
{
    /// <summary>The <see cref="ActivitySource"/> name to subscribe to.</summary>
    public const string SourceName = "Platform.Engine";

    /// <summary>The attribute holding a record's correlation id (a UUID).</summary>
    public const string CorrelationIdAttribute = "platform.correlation_id";

    /// <summary>The source of every engine span.</summary>
    public static ActivitySource Source { get; } = new(SourceName, "1.0.0");

    /// <summary>True when some listener samples engine spans (tracing is on).</summary>
    public static bool Enabled
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Source.HasListeners();
    }

    /// <summary>Starts a span named <paramref name="name"/> for a batch of a stage; null when nobody listens.</summary>
    public static Activity? StartBatch(string name, string pipeline, string stage, ActivityKind kind = ActivityKind.Internal)
    {
        if (!Source.HasListeners()) return null;
        var activity = Source.StartActivity(name, kind);
        if (activity is null) return null;
        activity.SetTag("platform.pipeline", pipeline);
        activity.SetTag("platform.stage", stage);
        return activity;
    }

    /// <summary>Adds the record count and the first record's correlation id (telemetry only) to <paramref name="activity"/>.</summary>
    public static void TagRecords<T>(Activity activity, ReadOnlySpan<T> records)
    {
        activity.SetTag("platform.records", records.Length);
        if (typeof(T) == typeof(Telemetry) && records.Length > 0)
        {
            ref readonly var first = ref Unsafe.As<T, Telemetry>(ref MemoryMarshal.GetReference(records));
            if (first.CorrelationId != UInt128.Zero) activity.SetTag(CorrelationIdAttribute, FormatUuid(first.CorrelationId));
        }
    }

    /// <summary>A correlation id as the canonical UUID whose digits spell it (the form the parser reads).</summary>
    public static string FormatUuid(UInt128 id)
    {
        var hex = id.ToString("x32", CultureInfo.InvariantCulture);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
