using System.Buffers.Binary;
using System.Text;
using Platform.Host.Checkpoints;

namespace Platform.Host.Tests.Cli;

public class CheckpointsCommandTests
{
    [Fact]
    public void Describe_KinesisPositions_ShowsEachShardAndItsSequenceNumber()
    {
        var position = Encoding.UTF8.GetBytes(
            "kinesis-positions/1\nshardId-000000000000\t49590338271490256608559692538361571095921575989136588898\nshardId-000000000001\t$END\n");

        Assert.Equal(
            "shardId-000000000000: 49590338271490256608559692538361571095921575989136588898; shardId-000000000001: read to its end (closed)",
            CheckpointsCommand.Describe(position));
    }

    [Fact]
    public void Describe_KinesisPositionsBeforeAnyRead_SaysSo()
    {
        Assert.Equal("(nothing read yet)", CheckpointsCommand.Describe(Encoding.UTF8.GetBytes("kinesis-positions/1\n")));
    }

    [Fact]
    public void Describe_EightBytes_IsAnOffset_AndOtherBinaryIsHex()
    {
        var offset = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(offset, 1_234_567);

        Assert.Equal("1,234,567", CheckpointsCommand.Describe(offset));
        Assert.Equal("00FF10", CheckpointsCommand.Describe([0x00, 0xFF, 0x10]));
    }
}
