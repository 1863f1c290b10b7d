using System.Buffers;
using CsCheck;
using Platform.Operators.Anomaly;

namespace Platform.Operators.Tests.Anomaly;

public sealed class DetectorTests
{
    public static TheoryData<string> Names() => [.. Detect.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Score_LaterPointsChange_EarlierScoresUnchanged(string name)
    {
        var detectors = AnomalyDetectorNames.Parse(name);
        Gen.Select(Gen.Double[-1000, 1000].Array[120, 200], Gen.Int[1, 119], Gen.Double[-1e6, 1e6])
            .Sample((values, cut, replacement) =>
            {
                var a = Detect.Scores(detectors, values);
                var changed = (double[])values.Clone();
                for (var i = cut; i < changed.Length; i++) changed[i] = replacement + i;
                var b = Detect.Scores(detectors, changed);
                for (var i = 0; i < cut; i++) if (a[i] != b[i]) return false;
                return true;
            }, iter: 25);
    }

    [Theory]
    [InlineData("ensemble")]
    [InlineData("iforest")]
    public void Score_LongSeries_LaterPointsChange_EarlierScoresUnchanged(string name)
    {
        // Past the forest's 256-shingle buffer, the calibrators' first blocks and the refractory span, so every
        // stateful path (trees regrown, long-memory maxima, suppression) has run before the cut.
        var detectors = AnomalyDetectorNames.Parse(name);
        Gen.Select(Gen.Double[-1000, 1000].Array[450, 700], Gen.Int[300, 449], Gen.Double[-1e6, 1e6])
            .Sample((values, cut, replacement) =>
            {
                var a = Detect.Scores(detectors, values);
                var changed = (double[])values.Clone();
                for (var i = cut; i < changed.Length; i++) changed[i] = replacement - i;
                var b = Detect.Scores(detectors, changed);
                for (var i = 0; i < cut; i++) if (a[i] != b[i]) return false;
                return a.Take(cut).Any(s => s > 0); // the compared prefix was really scored
            }, iter: 8);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Score_AnySeries_InUnitInterval(string name)
    {
        var detectors = AnomalyDetectorNames.Parse(name);
        Gen.OneOf(Gen.Double[-1e9, 1e9], Gen.Const(0.0), Gen.Double[0, 1]).Array[50, 400]
            .Sample(values => Detect.Scores(detectors, values).All(s => s is >= 0 and <= 1), iter: 25);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Score_ObviousAnomaly_RanksAboveEveryNormalPoint(string name)
    {
        var values = Detect.Sine(600);
        int at;
        if (name == "cusum")
        {
            at = 480;
            for (var i = at; i < values.Length; i++) values[i] += 8; // level shift
        }
        else
        {
            at = 480;
            values[at] += 12; // spike
        }
        var scores = Detect.Scores(AnomalyDetectorNames.Parse(name), values);
        // Normal points after every detector has warmed up (the forest scores once its 256-shingle buffer is full).
        var normalMax = scores.Skip(350).Take(at - 350).Max();
        var anomaly = scores.Skip(at).Take(name == "cusum" ? 10 : 1).Max();
        Assert.True(anomaly > normalMax, $"{name}: anomaly {anomaly:F4} vs normal max {normalMax:F4}");
    }

    [Theory]
    [InlineData("ensemble")]
    [InlineData("iforest")]
    [InlineData("spectral")]
    public void Restore_AfterSnapshot_ContinuesIdentically(string name)
    {
        var values = Detect.Sine(500);
        var first = Detect.Operator(AnomalyDetectorNames.Parse(name), ordered: true);
        var output = new ListOutput();
        var head = values.Take(300).Select((v, i) => new ScalarReading { Key = i % 3, Time = i * Detect.Minute, Value = v }).ToArray();
        first.OnRecords(head, output);
        first.OnWatermark(250 * Detect.Minute, output); // 49 records still pending
        var buffer = new ArrayBufferWriter<byte>();
        first.Snapshot(buffer);

        var second = Detect.Operator(AnomalyDetectorNames.Parse(name), ordered: true);
        second.Restore(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        Assert.Equal(first.PendingCount, second.PendingCount);
        var tail = values.Skip(300).Select((v, i) => new ScalarReading { Key = i % 3, Time = (300 + i) * Detect.Minute, Value = v }).ToArray();
        var a = new ListOutput();
        var b = new ListOutput();
        first.OnRecords(tail, a);
        first.OnWatermark(long.MaxValue, a);
        second.OnRecords(tail, b);
        second.OnWatermark(long.MaxValue, b);
        Assert.Equal(249, a.Count);
        Assert.Equal(a.Items.ToArray(), b.Items.ToArray());
    }

    [Fact]
    public void Restore_WrongMagic_ThrowsInvalidDataException()
    {
        var op = Detect.Operator(AnomalyDetectors.All);
        Assert.Throws<InvalidDataException>(() => op.Restore(new ReadOnlySequence<byte>(new byte[16])));
    }

    [Fact]
    public void Restore_SnapshotOfOtherWindowSize_ThrowsInvalidDataException()
    {
        var first = new AnomalyDetectorOperator<ScalarReading, ScalarReadingKey, ScalarReadingTime, ScalarReadingValue>(new AnomalyDetectorOptions { RobustWindow = 64 });
        first.OnRecords(Detect.Sine(100).Select((v, i) => new ScalarReading { Key = 1, Time = i * Detect.Minute, Value = v }).ToArray(), new ListOutput());
        var buffer = new ArrayBufferWriter<byte>();
        first.Snapshot(buffer);
        var second = new AnomalyDetectorOperator<ScalarReading, ScalarReadingKey, ScalarReadingTime, ScalarReadingValue>(new AnomalyDetectorOptions { RobustWindow = 128 });
        Assert.Throws<InvalidDataException>(() => second.Restore(new ReadOnlySequence<byte>(buffer.WrittenMemory)));
    }

    [Fact]
    public void OnRecords_InterleavedKeys_EachKeyScoredAsIfAlone()
    {
        var a = Detect.Sine(300, seed: 1);
        var b = Detect.Sine(300, seed: 2).Select(v => v * 100).ToArray();
        b[200] = 1e6;
        var op = Detect.Operator(AnomalyDetectors.All);
        var output = new ListOutput();
        var mixed = new List<ScalarReading>();
        for (var i = 0; i < 300; i++)
        {
            mixed.Add(new ScalarReading { Key = 7, Time = i * Detect.Minute, Value = a[i] });
            mixed.Add(new ScalarReading { Key = 2, Time = i * Detect.Minute, Value = b[i] });
        }
        op.OnRecords(mixed.ToArray(), output);
        var alone = Detect.Scores(AnomalyDetectors.All, a);
        var keyA = output.Items.ToArray().Where(s => s.Key == 7).Select(s => s.Score).ToArray();
        Assert.Equal(alone, keyA);
        Assert.Equal(2, op.KeyCount);
    }

    [Fact]
    public void OnWatermark_OutOfOrderArrival_ScoresInEventTimeOrder()
    {
        var values = Detect.Sine(200);
        var inOrder = Detect.Scores(AnomalyDetectors.All, values);
        var op = Detect.Operator(AnomalyDetectors.All, ordered: true);
        var output = new ListOutput();
        var records = values.Select((v, i) => new ScalarReading { Key = 7, Time = i * Detect.Minute, Value = v }).ToArray();
        // Two "chunks" delivered in reverse order, as two parse workers may do.
        op.OnRecords(records.AsSpan(100), output);
        op.OnRecords(records.AsSpan(0, 100), output);
        Assert.Equal(0, output.Count);
        op.OnWatermark(long.MaxValue, output);
        Assert.Equal(records.Select(r => r.Time), output.Items.ToArray().Select(s => s.Timestamp));
        Assert.Equal(inOrder, output.Items.ToArray().Select(s => s.Score));
        Assert.Equal(0, op.LateRecords);
    }

    [Fact]
    public void OnRecords_BehindWatermark_ScoredAtOnceAndCountedLate()
    {
        var op = Detect.Operator(AnomalyDetectors.Ewma, ordered: true);
        var output = new ListOutput();
        op.OnWatermark(10 * Detect.Minute, output);
        op.OnRecords(new[] { new ScalarReading { Key = 1, Time = 5 * Detect.Minute, Value = 1 } }, output);
        Assert.Equal(1, output.Count);
        Assert.Equal(1, op.LateRecords);
    }

    [Fact]
    public void OnRecords_SteadyState_AllocatesNothingPerPoint()
    {
        var op = Detect.Operator(AnomalyDetectors.All, ordered: true);
        var output = new ListOutput();
        var values = Detect.Sine(6000);
        var batch = new ScalarReading[100];
        void Feed(int from)
        {
            for (var i = 0; i < batch.Length; i++) batch[i] = new ScalarReading { Key = i % 4, Time = (from + i) * Detect.Minute, Value = values[from + i] };
            op.OnRecords(batch, output);
            op.OnWatermark((from + batch.Length - 1) * Detect.Minute, output);
            output.Clear();
        }
        for (var from = 0; from < 3000; from += batch.Length) Feed(from); // warm-up: keys, heaps, JIT
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var from = 3000; from < 6000; from += batch.Length) Feed(from);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void OnRecords_SpikeAboveThreshold_IsAlertWithExpectedRangeExcludingIt()
    {
        var values = Detect.Sine(600);
        values[500] = 100;
        var op = Detect.Operator(AnomalyDetectors.RobustZ);
        var output = new ListOutput();
        op.OnRecords(values.Select((v, i) => new ScalarReading { Key = 1, Time = i * Detect.Minute, Value = v }).ToArray(), output);
        var spike = output.Items[500];
        Assert.True(spike.IsAlert);
        Assert.True(spike.ExpectedHigh < 100 && spike.ExpectedLow < spike.ExpectedHigh);
        Assert.Equal(AnomalyDetectors.RobustZ, spike.Fired);
        Assert.False(output.Items[499].IsAlert);
    }

    [Fact]
    public void Validate_EmptyDetectorSet_Throws()
    {
        Assert.Throws<ArgumentException>(() => new AnomalyDetectorOptions { Detectors = AnomalyDetectors.None }.Validate());
    }
}
