using System.Collections.Concurrent;
using Platform.Engine.DeadLetters;

namespace Platform.Churn.Tests;

/// <summary>Keeps every dead letter (reason and raw text) for assertions.</summary>
internal sealed class CollectingDeadLetters : IDeadLetterSink
{
    public ConcurrentQueue<(long Position, string Reason, string Raw)> Letters { get; } = new();

    public long Count => Letters.Count;

    public void Write(string source, int partition, long position, string reason, ReadOnlySpan<byte> raw) =>
        Letters.Enqueue((position, reason, System.Text.Encoding.UTF8.GetString(raw)));
}
