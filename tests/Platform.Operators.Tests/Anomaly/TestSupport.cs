using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Operators.Anomaly;

namespace Platform.Operators.Tests.Anomaly;

/// <summary>Collects emitted scores; can be cleared without freeing its storage.</summary>
internal sealed class ListOutput : IBatchOutput<AnomalyScore>
{
    private AnomalyScore[] _items = new AnomalyScore[1024];

    public int Count { get; private set; }

    public ReadOnlySpan<AnomalyScore> Items => _items.AsSpan(0, Count);

    public void Emit(in AnomalyScore record)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = record;
    }

    public void Clear() => Count = 0;
}

internal static class Detect
{
    public const long Minute = 60_000;

    /// <summary>The detectors every detector test runs: each alone and the ensemble (the context detector has its own tests).</summary>
    public static readonly string[] Names = [.. AnomalyDetectorNames.All.Where(d => (d.Detectors & AnomalyDetectors.Context) == 0).Select(d => d.Name)];

    public static AnomalyDetectorOperator<ScalarReading, ScalarReadingKey, ScalarReadingTime, ScalarReadingValue> Operator(AnomalyDetectors detectors, bool ordered = false, int warmUp = 16) =>
        new(new AnomalyDetectorOptions { Detectors = detectors, OrderByWatermark = ordered, WarmUp = warmUp, SeasonalPeriod = TimeSpan.FromHours(1), SeasonalSlots = 12 });

    /// <summary>Scores one key's values (1-minute spacing) in order; returns the scores.</summary>
    public static double[] Scores(AnomalyDetectors detectors, IReadOnlyList<double> values)
    {
        var op = Operator(detectors);
        var output = new ListOutput();
        var batch = new ScalarReading[values.Count];
        for (var i = 0; i < values.Count; i++) batch[i] = new ScalarReading { Key = 7, Time = i * Minute, Value = values[i] };
        op.OnRecords(batch, output);
        return [.. output.Items.ToArray().Select(s => s.Score)];
    }

    /// <summary>A noisy hourly sine (period 60 points), deterministic.</summary>
    public static double[] Sine(int n, int seed = 1)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(i => 10 + 3 * Math.Sin(2 * Math.PI * i / 60) + 0.2 * (rng.NextDouble() - 0.5))];
    }
}
