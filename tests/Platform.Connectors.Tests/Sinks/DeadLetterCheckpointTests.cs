using System.Buffers;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Sinks.DeadLetter;

namespace Platform.Connectors.Tests.Sinks;

public sealed class DeadLetterCheckpointTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static long LinesOnDisk(string path)
    {
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var count = 0L;
        int b;
        while ((b = reader.ReadByte()) >= 0) if (b == '\n') count++;
        return count;
    }

    [Fact]
    public async Task Snapshot_PutsBufferedDeadLettersInTheFile_RestoreChecksTheFormat()
    {
        var path = _dir.File("dead.ndjson");
        await using var sink = new DeadLetterFileSink(new DeadLetterFileOptions { Path = path, BufferBytes = 1 << 20 });
        var participant = new DeadLetterCheckpoint(sink);
        for (var i = 0; i < 50; i++) sink.Write("file", 0, i * 100L, "bad line", "{\"deviceId\":"u8);
        Assert.Equal(0, LinesOnDisk(path)); // still in the sink's buffer: a crash now would lose them

        var snapshot = new ArrayBufferWriter<byte>();
        participant.Snapshot(snapshot);

        Assert.Equal(50, LinesOnDisk(path));
        participant.Restore(new ReadOnlySequence<byte>(snapshot.WrittenMemory));
        Assert.Throws<InvalidDataException>(() => participant.Restore(new ReadOnlySequence<byte>(new byte[12])));
        Assert.Equal("dead-letters", participant.Name);
    }

    public void Dispose() => _dir.Dispose();
}
