using System.Buffers;
using System.Buffers.Binary;
using CsCheck;
using Platform.Engine.Batching;
using Platform.Engine.Records;
using Platform.Engine.Windows;

namespace Platform.Engine.Tests.Windows;

public class WindowStatsOperatorTests
{
    private static WindowOperatorOptions Options(WindowSpec spec, LatePolicy policy = LatePolicy.Drop, long retentionMs = 0) =>
        new() { Spec = spec, LatePolicy = policy, UpdateRetention = TimeSpan.FromMilliseconds(retentionMs) };

    [Fact]
    public void OnWatermark_ReachesWindowEnd_EmitsOneRowPerKeyOrderedByEndThenKey()
    {
        var op = WindowTest.Create(Options(WindowSpec.Tumbling(10)));
        var output = new ListOutput<WindowResult>();
        op.OnRecords([new Rec(2, 1, 1), new Rec(1, 3, 5), new Rec(1, 12, 7), new Rec(2, 4, 3), new Rec(1, -1, 2)], output);
        Assert.Equal(4, op.OpenWindows);
        op.OnWatermark(-1, output);
        Assert.Empty(output.Items);
        op.OnWatermark(20, output);
        Assert.Equal([(-10L, 1L), (0, 1), (0, 2), (10, 1)], output.Items.Select(r => (r.WindowStart, r.Key)));
        var k2 = output.Items[2];
        Assert.Equal((2L, 4.0, 1.0, 3.0, 2.0, 1.0), (k2.Count, k2.Sum, k2.Min, k2.Max, k2.Mean, k2.Variance));
        Assert.Equal(0, op.OpenWindows);
        Assert.Equal(4, op.WindowsFired);
    }

    [Fact]
    public void OnRecords_LateWithDrop_CountsAndEmitsNothing()
    {
        var op = WindowTest.Create(Options(WindowSpec.Tumbling(10)));
        var output = new ListOutput<WindowResult>();
        op.OnWatermark(10, output);
        op.OnRecords([new Rec(1, 9, 1), new Rec(1, 10, 1)], output);
        Assert.Equal(1, op.LateDropped);
        Assert.Equal(1, op.OpenWindows);
    }

    [Fact]
    public void OnRecords_LateWithSideOutput_EmitsRecordToSideOutput()
    {
        var side = new ListOutput<Rec>();
        var op = WindowTest.Create(Options(WindowSpec.Session(5), LatePolicy.SideOutput), side);
        var output = new ListOutput<WindowResult>();
        op.OnWatermark(100, output);
        op.OnRecords([new Rec(1, 95, 1, id: 7), new Rec(1, 96, 1, id: 8)], output);
        Assert.Equal([7], side.Items.Select(r => r.Id));
        Assert.Equal(1, op.LateSideOutput);
    }

    [Fact]
    public void OnRecords_LateWithUpdateWithinRetention_EmitsRevisedRowAtOnce()
    {
        var op = WindowTest.Create(Options(WindowSpec.Tumbling(10), LatePolicy.Update, retentionMs: 50));
        var output = new ListOutput<WindowResult>();
        op.OnRecords([new Rec(1, 1, 2)], output);
        op.OnWatermark(10, output);
        op.OnRecords([new Rec(1, 5, 4)], output);
        Assert.Equal(2, output.Items.Count);
        Assert.False(output.Items[0].IsUpdate);
        Assert.True(output.Items[1].IsUpdate);
        Assert.Equal((2L, 6.0), (output.Items[1].Count, output.Items[1].Sum));
        Assert.Equal(1, op.LateUpdated);
        op.OnWatermark(60, output);
        Assert.Equal(0, op.RetainedWindows);
        op.OnRecords([new Rec(1, 5, 4)], output);
        Assert.Equal(1, op.LateDropped);
        Assert.Equal(2, output.Items.Count);
    }

    [Fact]
    public void OnRecords_OutOfOrderRecordBetweenSessions_MergesThemIntoOne()
    {
        var op = WindowTest.Create(Options(WindowSpec.Session(10)));
        var output = new ListOutput<WindowResult>();
        op.OnRecords([new Rec(1, 0, 1), new Rec(1, 25, 3)], output);
        Assert.Equal(2, op.OpenWindows);
        op.OnRecords([new Rec(1, 12, 2)], output);
        Assert.Equal(3, op.OpenWindows); // [0,10) [12,22) [25,35): no two overlap
        op.OnRecords([new Rec(1, 9, 5), new Rec(1, 20, 6)], output); // 9 bridges [0,10)+[12,22); 20 bridges that and [25,35)
        Assert.Equal(1, op.OpenWindows);
        op.OnWatermark(long.MaxValue, output);
        var r = Assert.Single(output.Items);
        Assert.Equal((0L, 35L, 5L, 17.0), (r.WindowStart, r.WindowEnd, r.Count, r.Sum));
    }

    [Fact]
    public void OnRecords_NonFiniteValueOrOutOfRangeTime_CountedAsInvalid()
    {
        var op = WindowTest.Create(Options(WindowSpec.Tumbling(10)));
        var output = new ListOutput<WindowResult>();
        op.OnRecords([new Rec(1, 1, double.NaN), new Rec(1, long.MaxValue, 1), new Rec(1, 1, double.PositiveInfinity), new Rec(1, 1, 1)], output);
        Assert.Equal(3, op.InvalidDropped);
        Assert.Equal(1, op.OpenWindows);
    }

    [Fact]
    public void Ctor_SideOutputPolicyWithoutSideOutput_ThrowsArgumentNullException() =>
        Assert.Throws<ArgumentNullException>(() => WindowTest.Create(Options(WindowSpec.Tumbling(10), LatePolicy.SideOutput)));

    [Fact]
    public void Ctor_DefaultSpec_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => WindowTest.Create(new WindowOperatorOptions { Spec = default }));

    [Fact]
    public void Snapshot_RestoredMidStreamIntoFreshOperator_ContinuesWithSameOutput() =>
        Gen.Select(
                Gen.OneOf(
                    WindowStatsOperatorPropertyTests.GenOptions(WindowStatsOperatorPropertyTests.GenTumbling),
                    WindowStatsOperatorPropertyTests.GenOptions(WindowStatsOperatorPropertyTests.GenHopping),
                    WindowStatsOperatorPropertyTests.GenOptions(WindowStatsOperatorPropertyTests.GenSession)),
                WindowStatsOperatorPropertyTests.GenStream,
                Gen.Double[0, 1])
            .Sample((options, steps, cutAt) =>
            {
                var (expected, expectedSide, whole) = WindowTest.Run(options, steps);

                var cut = (int)(cutAt * steps.Length);
                var (before, sideBefore, first) = WindowTest.Run(options, steps[..cut], endOfInput: false);
                var buffer = new ArrayBufferWriter<byte>();
                first.Snapshot(buffer);

                var side = new ListOutput<Rec>();
                var second = WindowTest.Create(options, side);
                second.Restore(new ReadOnlySequence<byte>(buffer.WrittenMemory));
                Assert.Equal(first.OpenWindows, second.OpenWindows);
                var after = new ListOutput<WindowResult>();
                foreach (var step in steps[cut..])
                {
                    if (step.IsWatermark) second.OnWatermark(step.Watermark, after);
                    else second.OnRecords(step.Records, after);
                }

                second.OnWatermark(long.MaxValue, after);
                var resumed = before.Concat(after.Items).ToList();
                Assert.Equal(expected.Count, resumed.Count);
                for (var i = 0; i < expected.Count; i++)
                    Assert.True(WindowTest.SameBits(expected[i], resumed[i]), $"row {i}: {WindowTest.Show(expected[i])} vs {WindowTest.Show(resumed[i])}");
                Assert.Equal(expectedSide, sideBefore.Concat(side.Items.Select(r => r.Id)));
                Assert.Equal((whole.LateDropped, whole.LateSideOutput, whole.LateUpdated, whole.WindowsFired, whole.UpdatesEmitted),
                    (second.LateDropped, second.LateSideOutput, second.LateUpdated, second.WindowsFired, second.UpdatesEmitted));
            }, iter: 300);

    [Fact]
    public void Restore_UnknownFormatVersion_ThrowsInvalidDataExceptionNamingBothVersions()
    {
        var op = WindowTest.Create(Options(WindowSpec.Tumbling(10)));
        var buffer = new ArrayBufferWriter<byte>();
        op.Snapshot(buffer);
        var bytes = buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), 99);
        var ex = Assert.Throws<InvalidDataException>(() => op.Restore(new ReadOnlySequence<byte>(bytes)));
        Assert.Contains("99", ex.Message, StringComparison.Ordinal);
        Assert.Contains("version 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_SnapshotOfOtherSpec_ThrowsInvalidDataException()
    {
        var buffer = new ArrayBufferWriter<byte>();
        WindowTest.Create(Options(WindowSpec.Tumbling(10))).Snapshot(buffer);
        var op = WindowTest.Create(Options(WindowSpec.Hopping(10, 5)));
        var ex = Assert.Throws<InvalidDataException>(() => op.Restore(new ReadOnlySequence<byte>(buffer.WrittenMemory)));
        Assert.Contains("tumbling(10 ms)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_TruncatedSnapshot_ThrowsInvalidDataException()
    {
        var op = WindowTest.Create(Options(WindowSpec.Tumbling(10)));
        op.OnRecords([new Rec(1, 1, 1)], new ListOutput<WindowResult>());
        var buffer = new ArrayBufferWriter<byte>();
        op.Snapshot(buffer);
        Assert.Throws<InvalidDataException>(() => op.Restore(new ReadOnlySequence<byte>(buffer.WrittenMemory[..^3])));
    }

    private sealed class CountingOutput : IBatchOutput<WindowResult>
    {
        public long Count;
        public double Checksum;

        public void Emit(in WindowResult record)
        {
            Count++;
            Checksum += record.P99 + record.Mean;
        }
    }

    public static TheoryData<int> SteadyStateKinds => [0, 1, 2, 3];

    [Theory]
    [MemberData(nameof(SteadyStateKinds))]
    public void OnRecordsAndOnWatermark_SteadyState_AllocateNothing(int kind)
    {
        var options = kind switch
        {
            0 => Options(WindowSpec.Tumbling(1000)),
            1 => Options(WindowSpec.Hopping(1000, 250)),
            2 => Options(WindowSpec.Session(300)),
            _ => Options(WindowSpec.Tumbling(1000), LatePolicy.Update, retentionMs: 2000),
        };
        var op = WindowTest.Create(options);
        var output = new CountingOutput();
        var rng = new Random(42);
        const int keys = 2000;
        var batch = new Rec[4096];
        long now = 0;

        void Round()
        {
            for (var i = 0; i < batch.Length; i++)
            {
                // Mostly in order, some out of order, a few late (behind the watermark).
                var t = now + rng.Next(-1500, 500);
                batch[i] = new Rec(rng.Next(keys), t, 20 + rng.NextDouble() * 5);
            }

            op.OnRecords(batch, output);
            now += 500;
            op.OnWatermark(now - 600, output);
        }

        for (var i = 0; i < 200; i++) Round(); // warm up: state reaches its peak, JIT settles
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++) Round();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(output.Count > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void StateBytes_ManyKeysFewDistinctValues_StaysSmallPerWindow()
    {
        var op = WindowTest.Create(Options(WindowSpec.Tumbling(10_000)));
        var output = new ListOutput<WindowResult>();
        var rng = new Random(1);
        const int keys = 100_000;
        var batch = new Rec[keys];
        for (var round = 0; round < 10; round++)
        {
            for (var k = 0; k < keys; k++) batch[k] = new Rec(k, round * 1000 + rng.Next(1000), 20 + rng.NextDouble());
            op.OnRecords(batch, output);
        }

        Assert.Equal(keys, op.OpenWindows);
        var perWindow = (double)op.StateBytes / keys;
        Assert.True(perWindow <= 400, $"{perWindow:F0} bytes per key × window");
    }
}
