using System.Text.Json;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Sinks.Kafka;

namespace Platform.Sinks.Churn;

/// <summary>Trait updates as identify JSON lines on a text writer (<c>type: console</c> in a churn pipeline).</summary>
public sealed class ChurnConsoleSink(TextWriter output, SymbolTable symbols) : ISink<CustomerProfileUpdate>
{
    private readonly SymbolUtf8Cache _names = new(symbols);
    private readonly MemoryStream _buffer = new();

    /// <inheritdoc />
    public string Name => "console";

    /// <inheritdoc />
    public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask WriteAsync(Batch<CustomerProfileUpdate> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _buffer.SetLength(0);
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            foreach (ref readonly var update in batch.Items)
            {
                ChurnTraitUpdate.Write(update, _names, writer);
                writer.Flush();
                writer.Reset(_buffer);
                _buffer.WriteByte((byte)'\n');
            }
        }
        await output.WriteAsync(System.Text.Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length).AsMemory(), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await output.FlushAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _buffer.Dispose();
        return ValueTask.CompletedTask;
    }
}
