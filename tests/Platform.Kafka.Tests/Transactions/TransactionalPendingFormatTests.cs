using System.Buffers;
using Confluent.Kafka;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.Transactions;

/// <summary>The checkpointed form of a pending transaction, and the commit journal.</summary>
public sealed class TransactionalPendingFormatTests
{
    [Fact]
    public void WriteThenRead_KeepsEveryField()
    {
        var records = new List<(string, Message<byte[], byte[]>)>
        {
            ("out", new Message<byte[], byte[]> { Key = [1, 2], Value = [3], Timestamp = new Timestamp(42, TimestampType.CreateTime), Headers = new Headers { { "sensorType", [7] }, { "none", null } } }),
            ("out2", new Message<byte[], byte[]> { Key = null!, Value = [], Timestamp = new Timestamp(-1, TimestampType.CreateTime), Headers = [] }),
        };
        var writer = new ArrayBufferWriter<byte>();

        TransactionalPendingFormat.Write(writer, 1, 17, records);
        var (sequence, back) = TransactionalPendingFormat.Read(new ReadOnlySequence<byte>(writer.WrittenMemory), 1);

        Assert.Equal(17, sequence);
        Assert.Equal(2, back.Count);
        Assert.Equal("out", back[0].Topic);
        Assert.Equal([1, 2], back[0].Message.Key);
        Assert.Equal([3], back[0].Message.Value);
        Assert.Equal(42, back[0].Message.Timestamp.UnixTimestampMs);
        Assert.Equal([7], back[0].Message.Headers.GetLastBytes("sensorType"));
        Assert.Null(back[0].Message.Headers.GetLastBytes("none"));
        Assert.Null(back[1].Message.Key);
        Assert.Empty(back[1].Message.Value);
    }

    [Fact]
    public void Read_TruncatedOrWrongVersion_IsInvalidData()
    {
        var writer = new ArrayBufferWriter<byte>();
        TransactionalPendingFormat.Write(writer, 1, 3, [("t", new Message<byte[], byte[]> { Value = new byte[100], Headers = [] })]);
        var bytes = writer.WrittenSpan.ToArray();

        Assert.Throws<InvalidDataException>(() => TransactionalPendingFormat.Read(new ReadOnlySequence<byte>(bytes[..^10]), 1));
        Assert.Throws<InvalidDataException>(() => TransactionalPendingFormat.Read(new ReadOnlySequence<byte>(bytes), 2));
        Assert.Throws<InvalidDataException>(() => TransactionalPendingFormat.Read(new ReadOnlySequence<byte>([.. bytes, 0]), 1));
    }

    [Fact]
    public void Journal_SurvivesAReopen_AndNeverGoesBack()
    {
        using var dir = new TempDirectory();
        var journal = new TransactionalCommitJournal(dir.File("j"));
        Assert.Equal(0, journal.LastCommitted);

        journal.RecordCommitted(5);
        journal.RecordCommitted(3);

        Assert.Equal(5, new TransactionalCommitJournal(dir.File("j")).LastCommitted);
        File.WriteAllBytes(dir.File("bad"), [1, 2, 3]);
        Assert.Throws<InvalidDataException>(() => new TransactionalCommitJournal(dir.File("bad")));
    }
}
