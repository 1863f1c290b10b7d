using System.Text;

namespace Platform.Connectors.Aws.Kinesis;

/// <summary>
/// The bytes a <see cref="KinesisSource"/> stores in a checkpoint for one engine partition: a version
/// line, then one line per shard of that partition, <c>shardId TAB sequenceNumber</c>, or
/// <c>shardId TAB $END</c> for a closed shard read to its end (so its children may start at once).
/// Text, so <c>platform checkpoints</c> and a human can read it.
/// </summary>
internal static class KinesisPositionCodec
{
    public const string Version = "kinesis-positions/1";
    private const string FinishedMarker = "$END";

    public static byte[] Encode(IEnumerable<KinesisShardPosition> shards)
    {
        var sb = new StringBuilder(Version).Append('\n');
        foreach (var p in shards)
        {
            if (!p.Finished && p.SequenceNumber is null) continue; // nothing read yet: it starts where a new shard would
            sb.Append(p.ShardId).Append('\t').Append(p.Finished ? FinishedMarker : p.SequenceNumber).Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>The shards in <paramref name="bytes"/>; <see cref="ArgumentException"/> when they are not ours.</summary>
    public static List<KinesisShardPosition> Decode(ReadOnlySpan<byte> bytes, int partition)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ArgumentException($"Kinesis position of partition {partition} is not UTF-8 text.");
        }
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != Version)
            throw new ArgumentException($"Kinesis position of partition {partition} does not start with '{Version}' (was the checkpoint taken with another source type?).");
        var shards = new List<KinesisShardPosition>(lines.Length - 1);
        foreach (var line in lines.AsSpan(1))
        {
            var tab = line.IndexOf('\t');
            if (tab <= 0 || tab == line.Length - 1 || line.IndexOf('\t', tab + 1) >= 0)
                throw new ArgumentException($"Kinesis position of partition {partition} has a bad line '{line}' (expected 'shardId<TAB>sequenceNumber').");
            var id = line[..tab];
            var seq = line[(tab + 1)..];
            if (seq == FinishedMarker) shards.Add(new KinesisShardPosition(id, null, true));
            else if (seq.All(char.IsAsciiDigit)) shards.Add(new KinesisShardPosition(id, seq, false));
            else throw new ArgumentException($"Kinesis position of partition {partition}: shard {id} has sequence number '{seq}', which is not a decimal number.");
        }
        return shards;
    }
}
