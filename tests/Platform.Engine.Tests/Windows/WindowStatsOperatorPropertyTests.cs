using CsCheck;
using Platform.Engine.Records;
using Platform.Engine.Windows;

namespace Platform.Engine.Tests.Windows;

/// <summary>The operator against <see cref="ReferenceWindows"/> on random out-of-order streams with random watermarks.</summary>
public class WindowStatsOperatorPropertyTests
{
    private const double Accuracy = 0.01;

    /// <summary>
    /// Random streams: a start time (negative times included), then steps — watermark advances (0 … 699 ms),
    /// batch boundaries, and records of 4 keys at the current progress −2500 … +1500 ms (so many are out of order
    /// and some late), values multiples of 1/16 in [−250, 250] (sums are exact in any order).
    /// </summary>
    internal static readonly Gen<StreamStep[]> GenStream =
        Gen.Select(
                Gen.Int[-20_000, 20_000],
                Gen.Select(Gen.Int[0, 9], Gen.Int[0, 3], Gen.Int[-2500, 1500], Gen.Int[-4000, 4000]).Array[0, 250])
            .Select(x => ToSteps(x.Item1, x.Item2));

    internal static StreamStep[] ToSteps(int origin, (int Kind, int Key, int Offset, int Value)[] ops)
    {
        var steps = new List<StreamStep>();
        var batch = new List<Rec>();
        long progress = origin;
        var id = 0;
        foreach (var (kind, key, offset, value) in ops)
        {
            switch (kind)
            {
                case 0:
                    Flush();
                    progress += (offset + 2500) % 700;
                    steps.Add(new StreamStep(null, progress));
                    break;
                case 1:
                    Flush();
                    break;
                default:
                    batch.Add(new Rec(key, progress + offset, value / 16.0, ++id));
                    break;
            }
        }

        Flush();
        return [.. steps];

        void Flush()
        {
            if (batch.Count == 0) return;
            steps.Add(new StreamStep([.. batch], 0));
            batch.Clear();
        }
    }

    internal static readonly Gen<WindowSpec> GenTumbling = Gen.Int[1, 3000].Select(s => WindowSpec.Tumbling(s));

    internal static readonly Gen<WindowSpec> GenHopping =
        Gen.Select(Gen.Int[1, 3000], Gen.Int[1, 8]).Select(x => WindowSpec.Hopping(x.Item1, Math.Max(1, x.Item1 / x.Item2)));

    internal static readonly Gen<WindowSpec> GenSession = Gen.Int[1, 2000].Select(g => WindowSpec.Session(g));

    internal static Gen<WindowOperatorOptions> GenOptions(Gen<WindowSpec> spec) =>
        Gen.Select(spec, Gen.Int[0, 2], Gen.Int[0, 4000]).Select(x => new WindowOperatorOptions
        {
            Spec = x.Item1,
            LatePolicy = (LatePolicy)x.Item2,
            UpdateRetention = TimeSpan.FromMilliseconds(x.Item3),
            SketchRelativeAccuracy = Accuracy,
        });

    [Fact]
    public void OnRecords_TumblingRandomStreams_MatchesReference()
    {
        var seen = CheckAgainstReference(GenTumbling);
        Assert.All(seen[..4], c => Assert.True(c > 0, $"coverage {string.Join(",", seen)}"));
    }

    [Fact]
    public void OnRecords_HoppingRandomStreams_MatchesReference()
    {
        var seen = CheckAgainstReference(GenHopping);
        Assert.All(seen[..4], c => Assert.True(c > 0, $"coverage {string.Join(",", seen)}"));
    }

    [Fact]
    public void OnRecords_SessionRandomStreams_MatchesReference()
    {
        var seen = CheckAgainstReference(GenSession);
        Assert.All(seen, c => Assert.True(c > 0, $"coverage {string.Join(",", seen)}"));
    }

    /// <summary>Checks the property; returns how often the interesting cases came up (dropped, side output, updated, updates emitted, bridges, re-fired), so a test can prove it exercised them.</summary>
    private static long[] CheckAgainstReference(Gen<WindowSpec> spec)
    {
        var seen = new long[6];
        Gen.Select(GenOptions(spec), GenStream).Sample((options, steps) =>
        {
            var (results, side, op) = WindowTest.Run(options, steps);
            var reference = new ReferenceWindows(options.Spec, options.LatePolicy, options.UpdateRetentionMs);
            foreach (var step in steps)
            {
                if (step.IsWatermark) reference.OnWatermark(step.Watermark);
                else foreach (var r in step.Records!) reference.OnRecord(r);
            }

            reference.OnWatermark(long.MaxValue);
            AssertSameResults(reference.Output, results);
            Assert.Equal(reference.Side, side);
            Assert.Equal(reference.LateDropped, op.LateDropped);
            Assert.Equal(reference.LateSideOutput, op.LateSideOutput);
            Assert.Equal(reference.LateUpdated, op.LateUpdated);
            Assert.Equal(reference.WindowsFired, op.WindowsFired);
            Assert.Equal(0, op.OpenWindows);
            Assert.Equal(0, op.RetainedWindows);
            Interlocked.Add(ref seen[0], op.LateDropped);
            Interlocked.Add(ref seen[1], op.LateSideOutput);
            Interlocked.Add(ref seen[2], op.LateUpdated);
            Interlocked.Add(ref seen[3], op.UpdatesEmitted);
            Interlocked.Add(ref seen[4], reference.Bridges);
            Interlocked.Add(ref seen[5], reference.RefiredUpdates);
        }, iter: 400, print: x => $"{x.Item1.Spec} {x.Item1.LatePolicy} retention={x.Item1.UpdateRetentionMs}\n  " + string.Join("\n  ", x.Item2));
        return seen;
    }

    internal static void AssertSameResults(List<ExactRow> expected, List<WindowResult> actual)
    {
        if (expected.Count != actual.Count)
        {
            Assert.Fail($"expected {expected.Count} rows, got {actual.Count}\nexpected:\n  {string.Join("\n  ", expected)}\nactual:\n  {string.Join("\n  ", actual.Select(WindowTest.Show))}");
        }

        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            var where = $"row {i}: expected {e}, got {WindowTest.Show(a)}";
            Assert.True(e.Key == a.Key && e.Start == a.WindowStart && e.End == a.WindowEnd && e.IsUpdate == a.IsUpdate, where);
            var v = e.Values;
            Assert.True(v.Length == a.Count, where);
            var sorted = v.Order().ToArray();
            Assert.True(v.Sum() == a.Sum && sorted[0] == a.Min && sorted[^1] == a.Max, where);
            var mean = v.Sum() / v.Length;
            var variance = v.Sum(x => (x - mean) * (x - mean)) / v.Length;
            var scale = Math.Max(1, sorted.Max(Math.Abs));
            Assert.True(Math.Abs(a.Mean - mean) <= 1e-9 * scale, where + $" mean {mean}");
            Assert.True(Math.Abs(a.Variance - variance) <= 1e-9 * Math.Max(1, variance) + 1e-12 * scale * scale, where + $" variance {variance}");
            AssertQuantile(sorted, 0.5, a.P50, where);
            AssertQuantile(sorted, 0.95, a.P95, where);
            AssertQuantile(sorted, 0.99, a.P99, where);
        }
    }

    internal static void AssertQuantile(double[] sorted, double q, double estimate, string where)
    {
        var exact = ReferenceWindows.NearestRank(sorted, q);
        Assert.True(Math.Abs(estimate - exact) <= Accuracy * Math.Abs(exact) * (1 + 1e-9), $"{where}: p{q * 100} exact {exact}, sketch {estimate}");
    }
}
