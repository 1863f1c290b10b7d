using Platform.Engine.Checkpoints;
using Platform.Engine.Contracts;
using Platform.Engine.Runtime;
using Platform.Engine.Tests.Runtime;

namespace Platform.Engine.Tests.Checkpoints;

public sealed class CheckpointRuntimeTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<string> Lines(int count, int keys, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => $"{rng.Next(keys)},{i * 10L},{rng.Next(1000) / 10.0}")];
    }

    private static SortedDictionary<long, (long Count, double Sum)> Expected(IEnumerable<string> lines)
    {
        var d = new SortedDictionary<long, (long, double)>();
        foreach (var l in lines)
        {
            var parts = l.Split(',');
            var key = long.Parse(parts[0]);
            var s = d.GetValueOrDefault(key);
            d[key] = (s.Item1 + 1, Math.Round(s.Item2 + double.Parse(parts[2]), 6));
        }
        return d;
    }

    private static SortedDictionary<long, (long Count, double Sum)> Totals(IEnumerable<Reading> output) =>
        new(output.ToDictionary(r => r.Key, r => (r.Time, Math.Round(r.Value, 6))));

    private CheckpointOptions Options(int retain = 20, long everyChunks = 50, List<string>? log = null) => new()
    {
        Directory = _dir.Path,
        Interval = TimeSpan.FromHours(1),
        Retain = retain,
        BarrierEveryChunks = everyChunks,
        Log = log is null ? null : line => { lock (log) log.Add(line); },
    };

    private static PipelineDefinition Build(IChunkSource source, CheckpointOptions checkpoint, int workers, CollectingSink<Reading> sink) =>
        Pipeline.Create("chk", new PipelineOptions { Workers = workers, BatchSize = 64, ChannelCapacity = 2, Checkpoint = checkpoint })
            .From(source)
            .Parse(new ReadingParser(), default(ReadingTime))
            .KeyBy(default(ReadingKey))
            .Process(() => new SnapshotCountingOperator(), "count")
            .To(sink);

    private static SortedDictionary<long, (long Count, double Sum)> StateOf(LoadedCheckpoint checkpoint)
    {
        var merged = new SortedDictionary<long, (long, double)>();
        for (var w = 0; w < checkpoint.Manifest.Workers; w++)
        {
            var op = new SnapshotCountingOperator();
            CheckpointCoordinator.RestoreWorker(checkpoint, w, op.Restore);
            foreach (var (k, v) in op.State) merged.Add(k, (v.Count, Math.Round(v.Sum, 6)));
        }
        return merged;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Checkpoint_EveryFiftyChunks_EachSnapshotHoldsExactlyThePreBarrierRecords(int workers)
    {
        var lines = Lines(4_990, 31, seed: workers);
        var sink = new CollectingSink<Reading>();
        var running = Build(new ResumableLinesSource(lines), Options(), workers, sink).Start();
        await running.Completion;

        var store = new CheckpointStore(_dir.Path);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), store.Ids());
        foreach (var id in store.Ids())
        {
            var checkpoint = store.Load(id)!;
            var position = ResumableLinesSource.Decode(checkpoint.Manifest.Positions[0]);
            Assert.Equal(id * 500, position);
            Assert.Equal(Expected(lines.Take((int)position)), StateOf(checkpoint));
        }
        Assert.Equal(Expected(lines), Totals(sink.Items));
        Assert.Equal(9, running.Stats.CheckpointsCompleted);
        Assert.Equal(9, running.Stats.LastCheckpointId);
        Assert.True(running.Stats.LastCheckpointBytes > 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Restore_NewestCheckpoint_ResumesFromItsPositionWithNoLossOrDuplicate(int workers)
    {
        var lines = Lines(4_990, 31, seed: 11);
        await Build(new ResumableLinesSource(lines), Options(retain: 3), workers, new CollectingSink<Reading>()).RunAsync();

        var source = new ResumableLinesSource(lines);
        var sink = new CollectingSink<Reading>();
        var running = Build(source, Options(retain: 3), workers, sink).Start();
        await running.Completion;

        Assert.Equal(4_500, source.StartedAt);
        Assert.Equal(9, running.Stats.RestoredCheckpointId);
        Assert.Equal(Expected(lines), Totals(sink.Items));
    }

    [Fact]
    public async Task GracefulStop_WithCheckpoints_TakesAFinalCheckpointAndFiresNoWindow()
    {
        var lines = Lines(4_990, 31, seed: 5);
        var sink = new CollectingSink<Reading>();
        using var stop = new CancellationTokenSource();
        var slow = new ResumableLinesSource(lines, delayPerChunk: TimeSpan.FromMilliseconds(2));
        var running = Build(slow, Options(everyChunks: 0), 2, sink).Start(stop.Token);
        // Stop once the source has read something (a fixed delay could end before the first read on a loaded machine).
        while (slow.PositionOf(0) == 0) await Task.Delay(10, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await running.Completion;

        Assert.Empty(sink.Items);
        Assert.Equal(1, running.Stats.CheckpointsCompleted);

        var rest = new ResumableLinesSource(lines);
        var sink2 = new CollectingSink<Reading>();
        await Build(rest, Options(everyChunks: 0), 2, sink2).RunAsync();
        Assert.True(rest.StartedAt > 0, "resumed mid-input");
        Assert.Equal(Expected(lines), Totals(sink2.Items));
    }

    [Fact]
    public async Task Checkpoint_WhileTheSourceWaitsForData_IsTakenOnTimeWithEverythingReadBefore()
    {
        var lines = Lines(1_000, 31, seed: 9);
        var source = new IdleLinesSource(lines, linesBeforeIdle: 600);
        var sink = new CollectingSink<Reading>();
        var running = Build(source, Options(everyChunks: 0) with { Interval = TimeSpan.FromMilliseconds(50) }, 2, sink).Start();
        await WaitUntilAsync(() => source.Waiting, running, "the source to run dry");
        var before = running.Stats.CheckpointsCompleted;
        await WaitUntilAsync(() => running.Stats.CheckpointsCompleted >= before + 2, running, "two checkpoints while the source waits");
        Assert.True(source.Waiting, "no chunk came: the checkpoints were taken while the source waited");

        var newest = new CheckpointStore(_dir.Path).LoadLatest(null)!;
        Assert.Equal(600, ResumableLinesSource.Decode(newest.Manifest.Positions[0]));
        Assert.Equal(Expected(lines.Take(600)), StateOf(newest));

        source.Release();
        await running.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Expected(lines), Totals(sink.Items));
    }

    /// <summary>Polls (the suite runs on a loaded machine: up to 60 s) until <paramref name="condition"/> holds.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, RunningPipeline running, string what)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            if (running.Completion.IsCompleted) await running.Completion; // surfaces a failure
            await Task.Delay(20);
        }
        Assert.True(condition(), "timed out waiting for " + what);
    }

    [Fact]
    public async Task Restore_NewestCheckpointCorrupt_UsesThePreviousOneAndSaysWhy()
    {
        var lines = Lines(4_990, 31, seed: 13);
        await Build(new ResumableLinesSource(lines), Options(retain: 3), 2, new CollectingSink<Reading>()).RunAsync();
        var file = Path.Combine(_dir.Path, "chk-9", "worker-1.bin");
        var bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
        bytes[^1] ^= 0x5A;
        await File.WriteAllBytesAsync(file, bytes, TestContext.Current.CancellationToken);

        var log = new List<string>();
        var source = new ResumableLinesSource(lines);
        var sink = new CollectingSink<Reading>();
        var running = Build(source, Options(retain: 3, log: log), 2, sink).Start();
        await running.Completion;

        Assert.Contains(log, l => l.Contains("checkpoint 9 skipped (corrupt)") && l.Contains(file) && l.Contains("checksum mismatch"));
        Assert.Contains(log, l => l.StartsWith("restored checkpoint 8", StringComparison.Ordinal));
        Assert.Equal(4_000, source.StartedAt);
        Assert.Equal(Expected(lines), Totals(sink.Items));
    }

    [Fact]
    public async Task Restore_NewestCheckpointPartial_IsSkipped()
    {
        var lines = Lines(1_990, 7, seed: 2);
        await Build(new ResumableLinesSource(lines), Options(retain: 3), 2, new CollectingSink<Reading>()).RunAsync();
        File.Delete(Path.Combine(_dir.Path, "chk-3", CheckpointStore.ManifestName));

        var log = new List<string>();
        var source = new ResumableLinesSource(lines);
        var sink = new CollectingSink<Reading>();
        await Build(source, Options(retain: 3, log: log), 2, sink).RunAsync();

        Assert.Contains(log, l => l.Contains("checkpoint 3 skipped (partial)"));
        Assert.Equal(1_000, source.StartedAt);
        Assert.Equal(Expected(lines), Totals(sink.Items));
    }

    [Fact]
    public async Task Restore_OtherWorkerCount_FailsNamingBothCounts()
    {
        var lines = Lines(1_990, 7, seed: 2);
        await Build(new ResumableLinesSource(lines), Options(), 2, new CollectingSink<Reading>()).RunAsync();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Build(new ResumableLinesSource(lines), Options(), 3, new CollectingSink<Reading>()).RunAsync());
        Assert.Contains("2 workers", e.Message);
        Assert.Contains("has 3", e.Message);
    }

    [Fact]
    public async Task Retention_RetainTwo_KeepsTheTwoNewest()
    {
        var lines = Lines(4_990, 31, seed: 1);
        await Build(new ResumableLinesSource(lines), Options(retain: 2), 2, new CollectingSink<Reading>()).RunAsync();
        Assert.Equal([8L, 9L], new CheckpointStore(_dir.Path).Ids());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Restore_ParticipantAddedSinceTheCheckpoint_RestoresOnlyIfItHoldsNoState(bool holdsNoState)
    {
        var lines = Lines(1_990, 7, seed: 3);
        await Build(new ResumableLinesSource(lines), Options(), 2, new CollectingSink<Reading>()).RunAsync();
        var added = new AddedParticipant(holdsNoState);
        var run = Build(new ResumableLinesSource(lines), Options() with { Participants = [added] }, 2, new CollectingSink<Reading>()).RunAsync();

        if (holdsNoState)
        {
            await run;
            Assert.False(added.Restored);
        }
        else
        {
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => run);
            Assert.Contains("participant-added.bin: missing from checkpoint", e.Message);
        }
    }

    private sealed class AddedParticipant(bool holdsNoState) : ICheckpointParticipant
    {
        public bool Restored { get; private set; }

        public string Name => "added";

        public bool HoldsNoState => holdsNoState;

        public void Snapshot(System.Buffers.IBufferWriter<byte> writer) => System.Buffers.BuffersExtensions.Write(writer, [(byte)1]);

        public void Restore(System.Buffers.ReadOnlySequence<byte> snapshot) => Restored = true;
    }
}
