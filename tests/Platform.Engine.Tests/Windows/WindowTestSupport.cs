using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Windows;

namespace Platform.Engine.Tests.Windows;

/// <summary>A test record: key, event time, value, and an id to follow it to the side output.</summary>
internal struct Rec
{
    public long Key;
    public long Time;
    public double Value;
    public int Id;

    public Rec(long key, long time, double value, int id = 0)
    {
        Key = key;
        Time = time;
        Value = value;
        Id = id;
    }
}

internal struct RecKey : IKeySelector<Rec>
{
    public readonly long KeyOf(in Rec record) => record.Key;
}

internal struct RecTime : IEventTimeSelector<Rec>
{
    public readonly long TimeOf(in Rec record) => record.Time;
}

internal struct RecValue : IValueSelector<Rec>
{
    public readonly double ValueOf(in Rec record) => record.Value;
}

internal sealed class ListOutput<T> : IBatchOutput<T>
{
    public List<T> Items { get; } = [];

    public void Emit(in T record) => Items.Add(record);
}

/// <summary>One step of a test stream: a batch of records or a watermark.</summary>
internal readonly record struct StreamStep(Rec[]? Records, long Watermark)
{
    public bool IsWatermark => Records is null;

    public override string ToString() =>
        IsWatermark ? $"W={Watermark}" : "[" + string.Join(" ", Records!.Select(r => $"k{r.Key}@{r.Time}={r.Value}")) + "]";
}

internal static class WindowTest
{
    public static WindowStatsOperator<Rec, RecKey, RecTime, RecValue> Create(WindowOperatorOptions options, IBatchOutput<Rec>? side = null) =>
        new(options, side);

    /// <summary>Runs the operator over <paramref name="steps"/> (then the end-of-input watermark), collecting results and side output.</summary>
    public static (List<WindowResult> Results, List<int> Side, WindowStatsOperator<Rec, RecKey, RecTime, RecValue> Op) Run(
        WindowOperatorOptions options, IReadOnlyList<StreamStep> steps, bool endOfInput = true)
    {
        var side = new ListOutput<Rec>();
        var op = Create(options, side);
        var output = new ListOutput<WindowResult>();
        foreach (var step in steps)
        {
            if (step.IsWatermark) op.OnWatermark(step.Watermark, output);
            else op.OnRecords(step.Records, output);
        }

        if (endOfInput) op.OnWatermark(long.MaxValue, output);
        return (output.Items, side.Items.Select(r => r.Id).ToList(), op);
    }

    public static string Show(WindowResult r) =>
        $"k{r.Key}[{r.WindowStart},{r.WindowEnd}) n={r.Count} sum={r.Sum} min={r.Min} max={r.Max} mean={r.Mean} var={r.Variance} p50={r.P50} p95={r.P95} p99={r.P99} upd={r.IsUpdate}";

    /// <summary>Field-by-field, bit-exact equality (for snapshot round trips).</summary>
    public static bool SameBits(in WindowResult a, in WindowResult b) =>
        a.Key == b.Key && a.WindowStart == b.WindowStart && a.WindowEnd == b.WindowEnd && a.Count == b.Count &&
        a.Sum.Equals(b.Sum) && a.Min.Equals(b.Min) && a.Max.Equals(b.Max) && a.Mean.Equals(b.Mean) &&
        a.Variance.Equals(b.Variance) && a.P50.Equals(b.P50) && a.P95.Equals(b.P95) && a.P99.Equals(b.P99) &&
        a.IsUpdate == b.IsUpdate;
}
