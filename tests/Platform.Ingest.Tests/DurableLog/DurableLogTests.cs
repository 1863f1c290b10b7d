using System.Text;
using Platform.Connectors.DurableLog;
using Platform.Engine.DeadLetters;
using Log = Platform.Connectors.DurableLog.DurableLog;

namespace Platform.Ingest.Tests.DurableLog;

public sealed class DurableLogTests
{
    private static byte[] Line(int i) => Encoding.UTF8.GetBytes($"{{\"deviceId\":\"d{i}\",\"n\":{i}}}\n");

    private static async Task<List<string>> ReadAllAsync(Log log, LogPosition? from = null)
    {
        var lines = new List<string>();
        await using var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false, From = from, ChunkBytes = 4096 });
        while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } chunk)
        {
            using (chunk) lines.AddRange(Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        return lines;
    }

    [Fact]
    public async Task Append_ConcurrentWriters_AllCommittedInGroupsAndReplayedAcrossSegments()
    {
        using var dir = new TempDir();
        await using (var log = Log.Open(new DurableLogOptions { Directory = dir.Path, SegmentBytes = 16 * 1024 }))
        {
            var tasks = Enumerable.Range(0, 2000).Select(i => Task.Run(() => log.AppendAsync(Line(i)))).ToArray();
            var results = await Task.WhenAll(tasks);
            Assert.All(results, r => Assert.Equal(AppendStatus.Committed, r));
            Assert.True(log.GroupsCommitted < 2000, $"group commit: {log.GroupsCommitted} groups for 2000 records");
            Assert.Equal(2000, (await ReadAllAsync(log)).Count);
        }
        Assert.True(Directory.GetFiles(dir.Path, "*.seg").Length > 3);
        await using var reopened = Log.Open(new DurableLogOptions { Directory = dir.Path, SegmentBytes = 16 * 1024 });
        Assert.True(reopened.Recovery.IsClean);
        Assert.Equal(2000, reopened.Recovery.Records);
        var lines = await ReadAllAsync(reopened);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"d{i}").Order(), lines.Select(l => l.Split('"')[3]).Order());
    }

    [Fact]
    public async Task Reader_ResumesFromExportedPosition()
    {
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, SegmentBytes = 8 * 1024, Fsync = FsyncPolicy.Never });
        for (var i = 0; i < 300; i++) await log.AppendAsync(Line(i));
        byte[] saved;
        var firstPart = new List<string>();
        await using (var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false, ChunkBytes = 2048 }))
        {
            for (var c = 0; c < 3; c++)
            {
                using var chunk = (await reader.ReadAsync(TestContext.Current.CancellationToken))!;
                firstPart.AddRange(Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
            saved = reader.Position.ToBytes();
            Assert.Equal(reader.Position, LogPosition.Unpack(reader.PositionOf(0)));
        }
        var rest = await ReadAllAsync(log, LogPosition.Read(saved));
        Assert.Equal(300, firstPart.Count + rest.Count);
        Assert.Empty(firstPart.Intersect(rest));
    }

    [Fact]
    public async Task Reader_Follow_SeesRecordsCommittedLater()
    {
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, Fsync = FsyncPolicy.Interval });
        await using var reader = log.OpenReader();
        var read = reader.ReadAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.False(read.IsCompleted);
        Assert.Equal(AppendStatus.Committed, await log.AppendAsync(Line(1)));
        using var chunk = (await read.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken))!;
        Assert.Contains("\"d1\"", Encoding.UTF8.GetString(chunk.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reader_WaitToRead_PendsAtTheTail_CompletesOnCommit_MovesNoPosition()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, Fsync = FsyncPolicy.Interval });
        await using var reader = log.OpenReader();
        var before = reader.SavePosition(0);
        var wait = reader.WaitToReadAsync(ct).AsTask();
        await Task.Delay(200, ct);
        Assert.False(wait.IsCompleted);

        Assert.Equal(AppendStatus.Committed, await log.AppendAsync(Line(7)));
        await wait.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(before, reader.SavePosition(0)); // waiting read nothing
        using (var chunk = (await reader.ReadAsync(ct))!)
        {
            Assert.Contains("\"d7\"", Encoding.UTF8.GetString(chunk.Span), StringComparison.Ordinal);
        }
        Assert.False(reader.WaitToReadAsync(ct).IsCompleted); // at the tail again

        await using var replay = log.OpenReader(new DurableLogReaderOptions { Follow = false, From = LogPosition.Read(reader.SavePosition(0)) });
        Assert.True(replay.WaitToReadAsync(ct).IsCompletedSuccessfully); // a replay ends instead of waiting
    }

    [Fact]
    public async Task Open_TornLastRecord_IsCutCountedAndAppendsContinue()
    {
        using var dir = new TempDir();
        await using (var log = Log.Open(new DurableLogOptions { Directory = dir.Path }))
        {
            for (var i = 0; i < 10; i++) await log.AppendAsync(Line(i));
        }
        var seg = Directory.GetFiles(dir.Path, "*.seg").Single();
        var length = new FileInfo(seg).Length;
        using (var fs = new FileStream(seg, FileMode.Open)) fs.SetLength(length - 5); // cut mid-record
        await using var reopened = Log.Open(new DurableLogOptions { Directory = dir.Path });
        Assert.Equal(1, reopened.Recovery.TornRecords);
        Assert.Equal(9, reopened.Recovery.Records);
        Assert.Equal(AppendStatus.Committed, await reopened.AppendAsync(Line(99)));
        var lines = await ReadAllAsync(reopened);
        Assert.Equal(10, lines.Count);
        Assert.Contains(lines, l => l.Contains("\"d99\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_FlippedBit_IsReportedToDeadLettersAndSkipped()
    {
        using var dir = new TempDir();
        await using (var log = Log.Open(new DurableLogOptions { Directory = dir.Path }))
        {
            for (var i = 0; i < 10; i++) await log.AppendAsync(Line(i));
        }
        var seg = Directory.GetFiles(dir.Path, "*.seg").Single();
        var bytes = File.ReadAllBytes(seg);
        var fifth = 8 + 4 * (12 + Line(0).Length) + 12 + 5; // a payload byte of the 5th record (records 0..9 are equal length)
        bytes[fifth] ^= 0x10;
        File.WriteAllBytes(seg, bytes);
        var dlq = new CountingDeadLetterSink();
        for (var restart = 0; restart < 2; restart++) // no crash loop: every open reports and goes on
        {
            await using var reopened = Log.Open(new DurableLogOptions { Directory = dir.Path, DeadLetters = dlq });
            Assert.Equal(1, reopened.Recovery.CorruptRecords);
            Assert.Equal(9, reopened.Recovery.Records);
            await using var reader = reopened.OpenReader(new DurableLogReaderOptions { Follow = false });
            var lines = new List<string>();
            while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } chunk)
            {
                using (chunk) lines.AddRange(Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
            Assert.Equal(9, lines.Count);
            Assert.Equal(1, reader.CorruptRecordsSkipped);
        }
        Assert.Equal(2, dlq.Count);
        Assert.Contains("CRC-32C", dlq.LastReason!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_CorruptLength_ResyncsOnTheNextRecord()
    {
        using var dir = new TempDir();
        await using (var log = Log.Open(new DurableLogOptions { Directory = dir.Path }))
        {
            for (var i = 0; i < 10; i++) await log.AppendAsync(Line(i));
        }
        var seg = Directory.GetFiles(dir.Path, "*.seg").Single();
        var bytes = File.ReadAllBytes(seg);
        bytes[8 + 2 * (12 + Line(0).Length) + 6] ^= 0x40; // the length field of record 2
        File.WriteAllBytes(seg, bytes);
        await using var reopened = Log.Open(new DurableLogOptions { Directory = dir.Path });
        Assert.Equal(1, reopened.Recovery.CorruptRecords);
        Assert.Equal(9, (await ReadAllAsync(reopened)).Count);
    }

    [Fact]
    public async Task Append_BacklogAtLimit_AnswersFull()
    {
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, MaxPendingBytes = 1024, MaxRecordBytes = 512 });
        var big = new byte[500];
        big.AsSpan().Fill((byte)'x');
        big[^1] = (byte)'\n';
        var statuses = new List<Task<AppendStatus>>();
        for (var i = 0; i < 50; i++) statuses.Add(log.AppendAsync(big));
        var results = await Task.WhenAll(statuses);
        Assert.Contains(AppendStatus.Full, results);
        Assert.Contains(AppendStatus.Committed, results);
    }

    [Fact]
    public async Task Retention_BySize_DeletesOldestSealedSegments()
    {
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, SegmentBytes = 4096, RetentionBytes = 16 * 1024, Fsync = FsyncPolicy.Never });
        for (var i = 0; i < 2000; i++) await log.AppendAsync(Line(i));
        Assert.True(log.SegmentsDeleted > 0);
        Assert.True(log.SizeBytes <= 16 * 1024 + 4096, $"size {log.SizeBytes}");
        var lines = await ReadAllAsync(log);
        Assert.Contains(lines, l => l.Contains("\"d1999\"", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("\"d0\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retention_ByAge_KeepsTheFloor()
    {
        using var dir = new TempDir();
        var clock = new ManualClock();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, SegmentBytes = 4096, RetentionAge = TimeSpan.FromHours(1), Fsync = FsyncPolicy.Never, Clock = clock });
        log.RetainFrom(new LogPosition(2, 0));
        for (var i = 0; i < 600; i++) await log.AppendAsync(Line(i)); // segments 0..4 or so
        clock.Advance(TimeSpan.FromHours(2));
        for (var i = 0; i < 400; i++) await log.AppendAsync(Line(i));
        Assert.Equal(2, log.SegmentsDeleted); // segments 0 and 1 only: 2 is the floor
        Assert.Equal(2, log.Beginning.Segment);
    }

    [Fact]
    public async Task Retention_NeverDeletesWhatAnOpenReaderHasNotRead()
    {
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, SegmentBytes = 4096, RetentionBytes = 8 * 1024, Fsync = FsyncPolicy.Never });
        await using var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false, ChunkBytes = 4096 });
        for (var i = 0; i < 1000; i++) await log.AppendAsync(Line(i));
        Assert.Equal(0, log.SegmentsDeleted); // far over the size limit, but the reader stands in segment 0
        var read = 0;
        while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } chunk)
        {
            using (chunk) read += Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        }
        Assert.Equal(1000, read);
        for (var i = 0; i < 100; i++) await log.AppendAsync(Line(i)); // the next roll applies retention up to the reader
        Assert.True(log.SegmentsDeleted > 0);
        Assert.True(log.Beginning.Segment <= reader.Position.Segment);
    }

    [Fact]
    public async Task CheckpointRetention_DeletesOnlyBeforeTheLastCompletedCheckpoint()
    {
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, SegmentBytes = 4096, RetentionBytes = 8 * 1024, Fsync = FsyncPolicy.Never });
        var retention = new Platform.Host.Ingest.LogCheckpointRetention(log, "t").Enable();
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        for (var i = 0; i < 500; i++) await log.AppendAsync(Line(i));
        Assert.Equal(0, log.SegmentsDeleted); // checkpoints on, none completed: everything may be replayed
        var first = log.End;
        retention.Begun(first.ToBytes());
        retention.Snapshot(writer); // checkpoint 1 completing: its manifest is not written yet, so no floor moves
        for (var i = 0; i < 500; i++) await log.AppendAsync(Line(i));
        Assert.Equal(0, log.SegmentsDeleted);
        retention.Begun(log.End.ToBytes());
        retention.Snapshot(writer); // checkpoint 2 completing: checkpoint 1 is complete
        for (var i = 0; i < 300; i++) await log.AppendAsync(Line(i));
        Assert.True(log.SegmentsDeleted > 0);
        Assert.Equal(first.Segment, log.Beginning.Segment); // exactly up to checkpoint 1's segment
        Assert.Equal(first, LogPosition.Read(writer.WrittenSpan[..LogPosition.SerializedSize]));

        var restored = new Platform.Host.Ingest.LogCheckpointRetention(log, "t");
        restored.Restore(new System.Buffers.ReadOnlySequence<byte>(log.End.ToBytes()));
        Assert.Equal(log.End, log.RetentionFloor);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}

public sealed class DurableLogCheckpointTests
{
    [Fact]
    public async Task Reader_SaveAndSeek_ResumesAfterTheSavedChunk()
    {
        using var dir = new TempDir();
        await using var log = Platform.Connectors.DurableLog.DurableLog.Open(new DurableLogOptions { Directory = dir.Path, SegmentBytes = 8 * 1024, Fsync = FsyncPolicy.Never });
        for (var i = 0; i < 200; i++) await log.AppendAsync(System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{i}}}\n"));
        byte[] saved;
        long firstRecords;
        await using (var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false, ChunkBytes = 1024 }))
        {
            using (await reader.ReadAsync(TestContext.Current.CancellationToken)) { }
            saved = reader.SavePosition(0);
            firstRecords = reader.Records;
        }
        await using var resumed = log.OpenReader(new DurableLogReaderOptions { Follow = false, ChunkBytes = 1024 });
        ((Platform.Engine.Contracts.ICheckpointableSource)resumed).Seek([saved]);
        var rest = 0L;
        while (await resumed.ReadAsync(TestContext.Current.CancellationToken) is { } chunk) using (chunk) { }
        rest = resumed.Records;
        Assert.Equal(200, firstRecords + rest);
        Assert.Throws<InvalidOperationException>(() => resumed.Seek([saved]));
        Assert.Throws<ArgumentOutOfRangeException>(() => resumed.SavePosition(1));
    }
}
