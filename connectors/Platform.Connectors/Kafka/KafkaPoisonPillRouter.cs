using Platform.Engine.DeadLetters;

namespace Platform.Connectors.Kafka;

/// <summary>
/// A partition task's dead-letter sink: the parser reports a bad line by its virtual byte position; this turns
/// it into the message's topic, Kafka partition and offset and passes it on (to a <see cref="KafkaDeadLetterTopic"/>
/// or any other dead-letter sink), so the record can be found at its source.
/// </summary>
internal sealed class KafkaPoisonPillRouter(KafkaPartitionSource source, IDeadLetterSink target) : IDeadLetterSink
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Write(string sourceName, int partition, long position, string reason, ReadOnlySpan<byte> raw)
    {
        Interlocked.Increment(ref _count);
        target.Write(source.Topic, source.KafkaPartition, source.OffsetAt(position), reason, raw);
    }
}
