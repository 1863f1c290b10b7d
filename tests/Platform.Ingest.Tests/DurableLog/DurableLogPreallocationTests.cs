using System.Text;
using Platform.Connectors.DurableLog;
using Log = Platform.Connectors.DurableLog.DurableLog;

namespace Platform.Ingest.Tests.DurableLog;

/// <summary>
/// Under fsync: always the active segment is zero-filled ahead of the appends. A crash leaves that zero tail on disk:
/// recovery must read it as the end of the data, tell a write torn into it from a flipped bit, and keep appending.
/// A "crash" here is a copy of the segment files taken while the log is open (what the disk holds at that moment).
/// </summary>
public sealed class DurableLogPreallocationTests
{
    private const int Records = 200;

    private static byte[] Line(int i) => Encoding.UTF8.GetBytes($"{{\"deviceId\":\"d{i}\",\"n\":{i}}}\n");

    private static int RecordSize(int i) => 12 + Line(i).Length;

    /// <summary>Appends <see cref="Records"/> records, waits for the zero-filled window, copies the files of the open log.</summary>
    private static async Task<(TempDir Copy, string Segment, long DataEnd)> CrashCopyAsync()
    {
        using var dir = new TempDir();
        var copy = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, Fsync = FsyncPolicy.Always });
        for (var i = 0; i < Records; i++) Assert.Equal(AppendStatus.Committed, await log.AppendAsync(Line(i)));
        var segment = Directory.GetFiles(dir.Path, "*.seg").Single();
        var dataEnd = log.End.Offset;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (new FileInfo(segment).Length <= dataEnd && DateTime.UtcNow < deadline) await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.True(new FileInfo(segment).Length > dataEnd, "the active segment is zero-filled past its data");
        var copied = Path.Combine(copy.Path, Path.GetFileName(segment));
        File.Copy(segment, copied);
        return (copy, copied, dataEnd);
    }

    [Fact]
    public async Task CrashWithZeroFilledTail_ReopensClean_WithEveryRecord_AndAppendsAfterThem()
    {
        var (copy, segment, dataEnd) = await CrashCopyAsync();
        using (copy)
        {
            await using var log = Log.Open(new DurableLogOptions { Directory = copy.Path });
            Assert.True(log.Recovery.IsClean, log.Recovery.ToString());
            Assert.Equal(Records, log.Recovery.Records);
            Assert.Equal(dataEnd, log.End.Offset);
            Assert.Equal(AppendStatus.Committed, await log.AppendAsync(Line(Records)));
            await using var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false });
            var lines = new List<string>();
            while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } chunk)
            {
                using (chunk) lines.AddRange(Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
            Assert.Equal(Enumerable.Range(0, Records + 1).Select(i => Encoding.UTF8.GetString(Line(i)).TrimEnd('\n')), lines);
            Assert.Equal(0, reader.CorruptRecordsSkipped);
        }
    }

    [Fact]
    public async Task WriteTornIntoTheZeros_IsCountedAsTornTail_NotCorrupt()
    {
        var (copy, segment, dataEnd) = await CrashCopyAsync();
        using (copy)
        {
            // The last record's final bytes never reached the disk: they are still the preallocated zeros.
            using (var f = new FileStream(segment, FileMode.Open, FileAccess.Write))
            {
                f.Seek(dataEnd - 6, SeekOrigin.Begin);
                f.Write(new byte[6]);
            }
            await using var log = Log.Open(new DurableLogOptions { Directory = copy.Path });
            Assert.Equal(1, log.Recovery.TornRecords);
            Assert.Equal(0, log.Recovery.CorruptRecords);
            Assert.Equal(Records - 1, log.Recovery.Records);
            Assert.Equal(dataEnd - RecordSize(Records - 1), log.End.Offset);
            Assert.Equal(AppendStatus.Committed, await log.AppendAsync(Line(Records)));
        }
    }

    [Fact]
    public async Task FlippedBitInTheLastRecord_BeforeTheZeros_IsCorrupt_NotTorn()
    {
        var (copy, segment, dataEnd) = await CrashCopyAsync();
        using (copy)
        {
            var bytes = File.ReadAllBytes(segment);
            bytes[dataEnd - 4] ^= 0x10; // inside the payload; its final '\n' is intact, so it was written whole
            File.WriteAllBytes(segment, bytes);
            await using var log = Log.Open(new DurableLogOptions { Directory = copy.Path });
            Assert.Equal(1, log.Recovery.CorruptRecords);
            Assert.Equal(0, log.Recovery.TornRecords);
            Assert.Equal(Records - 1, log.Recovery.Records);
        }
    }

    [Fact]
    public async Task Close_TrimsTheZeroFilledTail()
    {
        using var dir = new TempDir();
        long dataEnd;
        string segment;
        await using (var log = Log.Open(new DurableLogOptions { Directory = dir.Path, Fsync = FsyncPolicy.Always }))
        {
            for (var i = 0; i < Records; i++) await log.AppendAsync(Line(i));
            dataEnd = log.End.Offset;
            segment = Directory.GetFiles(dir.Path, "*.seg").Single();
        }
        Assert.Equal(dataEnd, new FileInfo(segment).Length);
    }

    [Fact]
    public async Task LagBytes_IsWhatTheReaderHasNotReturned_AcrossSegments()
    {
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path, SegmentBytes = 8 * 1024, Fsync = FsyncPolicy.Never });
        await using var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false, ChunkBytes = 2048 });
        long total = 0;
        for (var i = 0; i < 500; i++)
        {
            await log.AppendAsync(Line(i));
            total += RecordSize(i);
        }
        Assert.True(Directory.GetFiles(dir.Path, "*.seg").Length > 2);
        Assert.Equal(total, reader.LagBytes);
        long returned = 0;
        while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } chunk)
        {
            using (chunk)
            {
                returned += chunk.Length + 12 * Encoding.UTF8.GetString(chunk.Span).Count(c => c == '\n');
                Assert.Equal(total - returned, reader.LagBytes);
            }
        }
        Assert.Equal(0, reader.LagBytes);
    }
}
