using System.Text.Json;

namespace Platform.Sinks.Aws;

/// <summary>The entries of one batch call (PutRecords, PutEvents) as <see cref="AwsBatchSender{TCall}"/> sends and retries them.</summary>
internal interface IAwsBatchCall
{
    int Count { get; }

    /// <summary>The entry's record number in the sink's input, for dead letters and logs.</summary>
    long OrdinalOf(int entry);

    /// <summary>The bytes a dead letter keeps of the entry.</summary>
    ReadOnlySpan<byte> PayloadOf(int entry);

    /// <summary>Writes the request body for the entries at <paramref name="entries"/>, in that order.</summary>
    void WriteRequest(Utf8JsonWriter writer, List<int> entries);
}
