using Platform.Connectors.Aws.Kinesis;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Batching;
using Platform.Engine.Checkpoints;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Symbols;
using Platform.Formats;
using Platform.Sinks.Kinesis;

namespace Platform.Aws.Tests.Kinesis;

/// <summary>
/// The Kinesis source inside the engine with checkpoints on: its sequence numbers go into the
/// checkpoint manifest (<see cref="ICheckpointableSource"/>), and a new run resumes after them
/// (AFTER_SEQUENCE_NUMBER). Telemetry goes in through the Kinesis sink and comes out of
/// <c>TelemetryNdjsonParser</c>; each record's value is its number.
/// </summary>
public sealed class KinesisCheckpointTests : IDisposable
{
    private const int Devices = 13;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Keeps each record's value.</summary>
    private sealed class ValueSink : ISink<Telemetry>
    {
        private readonly List<long> _values = [];

        public string Name => "values";
        public int Count { get { lock (_values) return _values.Count; } }
        public List<long> Values { get { lock (_values) return [.. _values]; } }

        public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask WriteAsync(Batch<Telemetry> batch, CancellationToken cancellationToken)
        {
            lock (_values)
            {
                for (var i = 0; i < batch.Count; i++) _values.Add((long)batch.Items[i].Value);
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static async Task WriteTelemetryAsync(string stream, int from, int count, CancellationToken ct)
    {
        var symbols = new SymbolTable();
        var sensor = symbols.Intern("temperature");
        var pool = new BatchPool<Telemetry>(256);
        await using var sink = new KinesisSinkOptions { StreamName = stream, Client = KinesisLocal.Client() }
            .CreateSink<Telemetry, TelemetryJsonEncoder>(new TelemetryJsonEncoder(symbols), new CountingDeadLetterSink());
        for (var start = from; start < from + count; start += 200)
        {
            var batch = pool.Rent();
            for (var i = start; i < Math.Min(from + count, start + 200); i++)
            {
                batch.Add(new Telemetry { Device = symbols.Intern("dev-" + (i % Devices)), Sensor = sensor, Timestamp = 1_700_000_000_000 + i * 10L, Value = i });
            }
            await sink.WriteAsync(batch, ct);
            batch.Dispose();
        }
        await sink.FlushAsync(ct);
    }

    private RunningPipeline Start(IChunkSource source, ValueSink sink, TimeSpan interval, CancellationToken stop) =>
        Pipeline.Create("kinesis-resume", new PipelineOptions
            {
                Workers = 2,
                BatchSize = 128,
                Checkpoint = new CheckpointOptions { Directory = _dir.Path, Interval = interval, Retain = 3 },
            })
            .From(source, source.Name)
            .Parse(new TelemetryNdjsonParser(new SymbolTable()))
            .To(sink)
            .Start(stop);

    private static async Task WaitForAsync(Func<bool> condition, string what, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition())
        {
            if (cts.IsCancellationRequested) Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            await Task.Delay(50, CancellationToken.None);
        }
    }

    // Small reads, so records arrive as many chunks and barriers fall between them (the engine injects a
    // barrier only between two chunks of the source).
    private static KinesisSourceOptions SourceOptions(string stream) => KinesisRoundTripTests.SourceOptions(stream) with { Partitions = 4, RecordsPerCall = 50 };

    [Fact]
    public async Task GracefulStop_ThenRestart_ResumesAfterCheckpointedSequenceNumbersExactlyOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = KinesisClient.Create(KinesisLocal.Client());
        var stream = await KinesisLocal.CreateStreamAsync(admin, 3, ct);
        await WriteTelemetryAsync(stream, 0, 600, ct);

        var first = new ValueSink();
        using (var stop = new CancellationTokenSource())
        {
            await using var source = SourceOptions(stream).CreateSource();
            var running = Start(source, first, TimeSpan.FromMilliseconds(300), stop.Token);
            await WaitForAsync(() => first.Count >= 600 || running.Completion.IsCompleted, "600 records in the first run", TimeSpan.FromSeconds(240));
            await stop.CancelAsync();
            await running.Completion;
            Assert.True(running.Stats.CheckpointsCompleted >= 1);
        }
        var checkpoint = new CheckpointStore(_dir.Path).List().Where(c => c.Status == CheckpointStatus.Complete).MaxBy(c => c.Id)!;
        var saved = checkpoint.Manifest!.Positions.SelectMany((p, i) => KinesisPositionCodec.Decode(p, i)).ToList();
        Assert.Equal(3, saved.Count);
        Assert.All(saved, s => Assert.False(string.IsNullOrEmpty(s.SequenceNumber)));

        await WriteTelemetryAsync(stream, 600, 400, ct);
        var second = new ValueSink();
        using (var stop = new CancellationTokenSource())
        {
            await using var source = SourceOptions(stream).CreateSource();
            var running = Start(source, second, TimeSpan.FromMilliseconds(300), stop.Token);
            // A record read twice would come first (resuming too early), so it would be among these 400.
            await WaitForAsync(() => second.Count >= 400 || running.Completion.IsCompleted, "400 records in the second run", TimeSpan.FromSeconds(240));
            await stop.CancelAsync();
            await running.Completion;
            Assert.Equal(checkpoint.Id, running.Stats.RestoredCheckpointId);
        }

        Assert.Equal(Enumerable.Range(0, 600).Select(i => (long)i), first.Values.Order());
        Assert.Equal(Enumerable.Range(600, 400).Select(i => (long)i), second.Values.Order());
        await admin.DeleteStreamAsync(stream, ct);
    }

    /// <summary>
    /// The Kinesis source as the engine sees it, noting which record values it has handed over each time the
    /// engine saves positions for a checkpoint (checkpoint n of a fresh folder is the n-th save).
    /// </summary>
    private sealed class HandOverLog(KinesisSource inner) : IChunkSource, ICheckpointableSource
    {
        private readonly HashSet<long> _handed = [];
        public readonly List<HashSet<long>> AtCheckpoint = [];

        public string Name => inner.Name;
        public int Partitions => inner.Partitions;

        public async ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
        {
            var chunk = await inner.ReadAsync(cancellationToken);
            if (chunk is not null)
            {
                var text = System.Text.Encoding.UTF8.GetString(chunk.Span);
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, "\"value\":([0-9]+)"))
                {
                    lock (_handed) _handed.Add(long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            return chunk;
        }

        public long PositionOf(int partition) => inner.PositionOf(partition);

        public byte[] SavePosition(int partition)
        {
            if (partition == 0)
            {
                lock (_handed) lock (AtCheckpoint) AtCheckpoint.Add([.. _handed]);
            }
            return inner.SavePosition(partition);
        }

        public void Seek(IReadOnlyList<byte[]> positions) => inner.Seek(positions);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    [Fact]
    public async Task Abort_ThenRestart_ResumesExactlyAfterTheRestoredCheckpointsPositions()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = KinesisClient.Create(KinesisLocal.Client());
        var stream = await KinesisLocal.CreateStreamAsync(admin, 2, ct);
        const int n = 1000; // read at ≤ 500 records/s (2 shards × 5 calls/s × 50), so checkpoints fall mid-stream
        await WriteTelemetryAsync(stream, 0, n, ct);

        var crashed = new ValueSink();
        HandOverLog first;
        using (var stop = new CancellationTokenSource())
        await using (first = new HandOverLog(SourceOptions(stream).CreateSource()))
        {
            var running = Start(first, crashed, TimeSpan.FromMilliseconds(200), stop.Token);
            await WaitForAsync(() => running.Stats.CheckpointsCompleted >= 2 || crashed.Count >= n || running.Completion.IsCompleted,
                "two checkpoints in the first run", TimeSpan.FromSeconds(240));
            running.Abort(); // a crash: no final checkpoint
            await stop.CancelAsync(); // the engine's source task waits in ReadAsync(stop), which only this token ends
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.Completion);
        }

        var resumed = new ValueSink();
        HashSet<long> covered;
        using (var stop = new CancellationTokenSource())
        {
            await using var source = SourceOptions(stream).CreateSource();
            var running = Start(source, resumed, TimeSpan.FromMilliseconds(200), stop.Token);
            var restored = running.Stats.RestoredCheckpointId;
            await WaitForAsync(() => (restored = running.Stats.RestoredCheckpointId) > 0 || running.Completion.IsCompleted, "the restore", TimeSpan.FromSeconds(30));
            lock (first.AtCheckpoint) covered = first.AtCheckpoint[(int)restored - 1];
            // Generous: kinesis-local serves every test of the run from one thread.
            await WaitForAsync(() => covered.Count + resumed.Count >= n || running.Completion.IsCompleted,
                $"the records after checkpoint {restored} ({covered.Count} covered by it, {resumed.Count} read since)", TimeSpan.FromSeconds(240));
            await stop.CancelAsync();
            await running.Completion;
        }

        // Exactly once from the source's side: what the restored checkpoint covered is not read again, the rest is, once.
        Assert.DoesNotContain(resumed.Values, covered.Contains);
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), covered.Concat(resumed.Values).Order());
        // The sink saw some of the replayed records before the crash: at-least-once output, as ICheckpointAwareSink says.
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), crashed.Values.Union(resumed.Values).Order());
        await admin.DeleteStreamAsync(stream, ct);
    }

    [Fact]
    public async Task SavePositionThenSeek_NewSource_ResumesWithoutLossOrDuplicates()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = KinesisClient.Create(KinesisLocal.Client());
        var stream = await KinesisLocal.CreateStreamAsync(admin, 2, ct);
        var dlq = new CountingDeadLetterSink();
        await using var sink = new KinesisSinkOptions { StreamName = stream, Client = KinesisLocal.Client() }.CreateSink<KinesisEntry, KinesisEntryEncoder>(default, dlq);
        await KinesisRoundTripTests.WriteAsync(sink, 0, 600, ct);
        await sink.FlushAsync(ct);
        byte[][] saved;
        List<(string Key, int N)> first;
        await using (var source = KinesisRoundTripTests.SourceOptions(stream).CreateSource())
        {
            first = await KinesisRoundTripTests.ReadAsync(source, 600, TimeSpan.FromSeconds(240));
            saved = [.. Enumerable.Range(0, source.Partitions).Select(source.SavePosition)];
        }
        Assert.Equal(2, saved.Sum(p => KinesisPositionCodec.Decode(p, 0).Count));
        await KinesisRoundTripTests.WriteAsync(sink, 600, 400, ct);
        await sink.FlushAsync(ct);
        await using var resumed = KinesisRoundTripTests.SourceOptions(stream).CreateSource();
        ((ICheckpointableSource)resumed).Seek(saved);
        var second = await KinesisRoundTripTests.ReadAsync(resumed, 400, TimeSpan.FromSeconds(240));
        KinesisRoundTripTests.AssertExactlyOnceInKeyOrder([.. first, .. second], 1000);
        await admin.DeleteStreamAsync(stream, ct);
    }

    [Fact]
    public async Task GetShardIterator_AtAndAfterSequenceNumber_StartAtAndJustAfterThatRecord()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = KinesisClient.Create(KinesisLocal.Client());
        var stream = await KinesisLocal.CreateStreamAsync(admin, 1, ct);
        await using (var sink = new KinesisSinkOptions { StreamName = stream, Client = KinesisLocal.Client() }.CreateSink<KinesisEntry, KinesisEntryEncoder>(default, new CountingDeadLetterSink()))
        {
            await KinesisRoundTripTests.WriteAsync(sink, 0, 10, ct);
            await sink.FlushAsync(ct);
        }
        var shard = Assert.Single(await admin.ListShardsAsync(stream, ct)).ShardId;
        var firstFour = await ReadLinesAsync(admin, stream, shard, ShardIteratorType.TrimHorizon, null, 4, ct);
        var fourth = firstFour.LastSequenceNumber!;
        var firstFive = await ReadLinesAsync(admin, stream, shard, ShardIteratorType.TrimHorizon, null, 5, ct);

        var at = await ReadLinesAsync(admin, stream, shard, ShardIteratorType.AtSequenceNumber, fourth, 1, ct);
        var after = await ReadLinesAsync(admin, stream, shard, ShardIteratorType.AfterSequenceNumber, fourth, 1, ct);

        Assert.Equal(4, firstFour.Lines.Length);
        Assert.Equal(firstFour.Lines[3], Assert.Single(at.Lines));
        Assert.Equal(firstFive.Lines[4], Assert.Single(after.Lines));
        Assert.Equal(fourth, at.LastSequenceNumber);
        await admin.DeleteStreamAsync(stream, ct);
    }

    private static async Task<(string[] Lines, string? LastSequenceNumber)> ReadLinesAsync(
        KinesisClient client, string stream, string shard, ShardIteratorType type, string? sequenceNumber, int limit, CancellationToken ct)
    {
        var result = await client.GetRecordsAsync(await client.GetShardIteratorAsync(stream, shard, type, sequenceNumber, ct), limit, ct);
        using var chunk = result.Chunk;
        string[] lines = chunk is null ? [] : System.Text.Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (lines, result.LastSequenceNumber);
    }
}
