using System.Buffers;
using CsCheck;
using Platform.Operators.Anomaly;
using Platform.Operators.Anomaly.Detectors;

namespace Platform.Operators.Tests.Anomaly;

public sealed class ContextDetectorTests
{
    // Short learning and quiet spans so small series exercise every path (the NAB defaults are 400 and 1000).
    private static readonly AnomalyDetectorOptions Options = new()
    {
        Detectors = AnomalyDetectors.All | AnomalyDetectors.Context,
        OrderByWatermark = false,
        WarmUp = 16,
        SeasonalPeriod = TimeSpan.FromHours(1),
        SeasonalSlots = 12,
        ContextLearn = 60,
        ContextQuiet = 120,
        ContextRest = 30,
    };

    private static ContextDetector Detector(int capacity = 4096) => new(bits: 3, rest: 30, quiet: 120, learn: 60, headroom: 0.5, growth: 1, capacity);

    private static double[] Scores(AnomalyDetectorOptions options, IReadOnlyList<double> values)
    {
        var op = new AnomalyDetectorOperator<ScalarReading, ScalarReadingKey, ScalarReadingTime, ScalarReadingValue>(options);
        var output = new ListOutput();
        op.OnRecords(values.Select((v, i) => new ScalarReading { Key = 3, Time = i * Detect.Minute, Value = v }).ToArray(), output);
        return [.. output.Items.ToArray().Select(s => s.Score)];
    }

    [Fact]
    public void Score_LaterPointsChange_EarlierScoresUnchanged()
    {
        Gen.Select(Gen.Double[-1000, 1000].Array[300, 500], Gen.Int[130, 299], Gen.Double[-1e6, 1e6])
            .Sample((values, cut, replacement) =>
            {
                var a = Scores(Options, values);
                var changed = (double[])values.Clone();
                for (var i = cut; i < changed.Length; i++) changed[i] = replacement + i;
                var b = Scores(Options, changed);
                for (var i = 0; i < cut; i++) if (a[i] != b[i]) return false;
                return true;
            }, iter: 10);
    }

    [Fact]
    public void Score_AnySeries_InUnitInterval()
    {
        Gen.OneOf(Gen.Double[-1e9, 1e9], Gen.Const(0.0), Gen.Double[0, 1]).Array[50, 400]
            .Sample(values => Scores(Options with { Detectors = AnomalyDetectors.Context }, values).All(s => s is >= 0 and <= 1), iter: 25);
    }

    [Fact]
    public void Update_RepeatedPattern_LearnsItAndReportsANewShapeOnce()
    {
        var d = Detector();
        var pattern = new double[] { 0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1 };
        var scores = new List<double>();
        for (var i = 0; i < 600; i++) scores.Add(d.Update(pattern[i % pattern.Length]));
        // Learned: after the quiet span the known cycle raises nothing.
        Assert.All(scores.Skip(300), s => Assert.True(s < ContextDetector.BaseLevel, $"known cycle scored {s}"));
        // A shape never seen inside the range (a flat run at a middle level) is reported, then the rest period holds.
        var after = new List<double>();
        for (var i = 0; i < 12; i++) after.Add(d.Update(i < 6 ? 3 : 0));
        var report = after.FindIndex(s => s >= ContextDetector.BaseLevel);
        Assert.True(report >= 0, $"new shape max {after.Max()}");
        Assert.All(after.Skip(report + 1), s => Assert.Equal(0, s));
    }

    [Fact]
    public void Update_ManyRandomPoints_ContextsStayWithinCapacity()
    {
        var d = Detector(capacity: 256);
        var rng = new Random(5);
        var max = 0;
        for (var i = 0; i < 5000; i++)
        {
            var s = d.Update(rng.NextDouble() * 100);
            Assert.InRange(s, 0, 1);
            max = Math.Max(max, d.ContextCount);
        }
        Assert.InRange(max, 1, 256);
    }

    [Fact]
    public void Restore_AfterSnapshot_ContinuesIdentically()
    {
        var values = Detect.Sine(700);
        values[650] += 10;
        var options = Options with { ContextCapacity = 256 }; // forgets several times before the snapshot
        var first = new AnomalyDetectorOperator<ScalarReading, ScalarReadingKey, ScalarReadingTime, ScalarReadingValue>(options);
        var output = new ListOutput();
        first.OnRecords(values.Take(400).Select((v, i) => new ScalarReading { Key = i % 2, Time = i * Detect.Minute, Value = v }).ToArray(), output);
        var buffer = new ArrayBufferWriter<byte>();
        first.Snapshot(buffer);
        var second = new AnomalyDetectorOperator<ScalarReading, ScalarReadingKey, ScalarReadingTime, ScalarReadingValue>(options);
        second.Restore(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        var tail = values.Skip(400).Select((v, i) => new ScalarReading { Key = i % 2, Time = (400 + i) * Detect.Minute, Value = v }).ToArray();
        var a = new ListOutput();
        var b = new ListOutput();
        first.OnRecords(tail, a);
        second.OnRecords(tail, b);
        Assert.Equal(300, a.Count);
        Assert.Equal(a.Items.ToArray(), b.Items.ToArray());
        Assert.Contains(a.Items.ToArray(), s => s.Score > 0);
    }

    [Fact]
    public void Validate_BadContextSettings_Throw()
    {
        Assert.Throws<ArgumentException>(() => new AnomalyDetectorOptions { ContextBits = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new AnomalyDetectorOptions { ContextCapacity = 8 }.Validate());
        Assert.Throws<ArgumentException>(() => new AnomalyDetectorOptions { ContextScale = 0 }.Validate());
    }
}
