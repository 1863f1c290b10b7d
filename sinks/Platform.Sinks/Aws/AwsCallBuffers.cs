using System.Text.Json;
using Platform.Connectors.Aws;

namespace Platform.Sinks.Aws;

/// <summary>What one send loop of <see cref="AwsBatchSender{TCall}"/> works in: the request body and the entry lists. Reusable.</summary>
internal sealed class AwsCallBuffers(int bodyCapacity, int maxEntries) : IDisposable
{
    private Utf8JsonWriter? _writer;

    public PooledBufferWriter Body { get; } = new(bodyCapacity);

    /// <summary>Entries still to send.</summary>
    public List<int> Pending { get; set; } = new(maxEntries);

    /// <summary>Entries that failed retryably in the last attempt.</summary>
    public List<int> Failed { get; set; } = new(maxEntries);

    public List<AwsEntryFailure> Failures { get; } = [];

    /// <summary>Empties <see cref="Body"/> and returns a JSON writer over it.</summary>
    public Utf8JsonWriter StartBody()
    {
        Body.Reset();
        if (_writer is null) _writer = new Utf8JsonWriter(Body);
        else _writer.Reset(Body);
        return _writer;
    }

    public void Dispose()
    {
        Body.Dispose();
        _writer?.Dispose();
    }
}
