using System.Text;
using Confluent.Kafka;
using Platform.Connectors.Kafka;

namespace Platform.Kafka.Tests.Infrastructure;

/// <summary>Checks a dead-letter topic's messages against the bad messages a test produced.</summary>
public static class DeadLetterCheck
{
    /// <summary>A header's value as text.</summary>
    public static string Header(ConsumeResult<byte[], byte[]> letter, string name) => Encoding.UTF8.GetString(letter.Message.Headers.GetLastBytes(name));

    /// <summary>
    /// One letter per bad message: each names the input topic and the partition and offset of a bad message, carries
    /// its bytes as they were and an error; none is there twice. Returns each letter with what it was produced from.
    /// </summary>
    public static List<(ConsumeResult<byte[], byte[]> Letter, TBad Original)> EachNamesItsBadMessage<TBad>(
        IReadOnlyList<ConsumeResult<byte[], byte[]>> letters, string input, IReadOnlyDictionary<(int Partition, long Offset), TBad> badAt, Func<TBad, byte[]> bytesOf)
    {
        Assert.Equal(badAt.Count, letters.Count);
        var matched = new List<(ConsumeResult<byte[], byte[]>, TBad)>(letters.Count);
        foreach (var letter in letters)
        {
            Assert.Equal(input, Header(letter, KafkaDeadLetterHeaders.Topic));
            var at = (int.Parse(Header(letter, KafkaDeadLetterHeaders.Partition)), long.Parse(Header(letter, KafkaDeadLetterHeaders.Offset)));
            Assert.True(badAt.TryGetValue(at, out var original), $"dead letter names {at}, where no bad record was produced");
            Assert.False(string.IsNullOrWhiteSpace(Header(letter, KafkaDeadLetterHeaders.Error)));
            Assert.Equal(bytesOf(original), letter.Message.Value);
            matched.Add((letter, original));
        }
        Assert.Equal(badAt.Count, letters.Select(l => (Header(l, KafkaDeadLetterHeaders.Partition), Header(l, KafkaDeadLetterHeaders.Offset))).Distinct().Count());
        return matched;
    }
}
