using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Platform.Engine.DeadLetters;

namespace Platform.Sinks.DeadLetter;

/// <summary>
/// Appends dead letters to an NDJSON file, one object a line:
/// <c>{"reason":…,"source":…,"partition":…,"position":…,"raw":"&lt;base64&gt;","time":"&lt;ISO-8601 UTC&gt;"}</c>.
/// Thread-safe: each caller formats its line on its own thread, then holds a lock only to copy it
/// into the file's buffer (a write to the OS when the buffer fills). <see cref="FlushAsync"/> pushes the buffer out.
/// </summary>
public sealed class DeadLetterFileSink : IDeadLetterSink, IAsyncDisposable
{
    // Per-thread formatting state, so concurrent writers share nothing but the lock.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_json;
    private const int KeepBufferBytes = 1 << 20;

    private readonly DeadLetterFileOptions _options;
    private readonly TimeProvider _clock;
    private readonly FileStream _stream;
    private readonly Lock _gate = new();
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _written;
    private readonly KeyValuePair<string, object?> _tag;
    private long _count;
    private bool _disposed;

    /// <summary>Opens (appends to) the file, creating it and its directory.</summary>
    /// <param name="options">Where to write (validated here).</param>
    /// <param name="clock">Clock for the <c>time</c> field; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="meter">Meter for the <c>sink.dead_letters</c> counter; null = one owned by the sink.</param>
    public DeadLetterFileSink(DeadLetterFileOptions options, TimeProvider? clock = null, Meter? meter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _clock = clock ?? TimeProvider.System;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.Path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _stream = new FileStream(options.Path, FileMode.Append, FileAccess.Write, FileShare.Read, Math.Max(1, options.BufferBytes));
        _ownedMeter = meter is null ? new Meter(SinkInstruments.MeterName) : null;
        _written = (meter ?? _ownedMeter!).CreateCounter<long>("sink.dead_letters", "{record}", "Dead letters written to a dead-letter sink.");
        _tag = new KeyValuePair<string, object?>("sink", options.Name);
    }

    /// <summary>The file written to.</summary>
    public string Path => _options.Path;

    /// <inheritdoc />
    public long Count => Interlocked.Read(ref _count);

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The sink was disposed.</exception>
    public void Write(string source, int partition, long position, string reason, ReadOnlySpan<byte> raw)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var json = t_json;
        if (json is null) t_json = json = new Utf8JsonWriter(buffer);
        else json.Reset(buffer);
        json.WriteStartObject();
        json.WriteString("reason"u8, reason);
        json.WriteString("source"u8, source);
        json.WriteNumber("partition"u8, partition);
        json.WriteNumber("position"u8, position);
        json.WriteBase64String("raw"u8, raw);
        json.WriteString("time"u8, _clock.GetUtcNow().UtcDateTime);
        json.WriteEndObject();
        json.Flush();
        buffer.Write("\n"u8);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _stream.Write(buffer.WrittenSpan);
            _count++;
        }
        _written.Add(1, _tag);
        if (buffer.Capacity > KeepBufferBytes)
        {
            t_buffer = null; // do not keep a huge line's buffer alive on this thread
            t_json = null;
        }
    }

    /// <summary>Pushes buffered lines to the OS (and to disk with <see cref="DeadLetterFileOptions.FlushToDisk"/>).</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Flush(_options.FlushToDisk);
        return ValueTask.CompletedTask;
    }

    /// <summary>Pushes buffered lines to the OS, and with <paramref name="toDisk"/> to the disk.</summary>
    internal void Flush(bool toDisk)
    {
        lock (_gate)
        {
            if (!_disposed) _stream.Flush(toDisk);
        }
    }

    /// <summary>Flushes and closes the file; later writes throw <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed) return ValueTask.CompletedTask;
            _disposed = true;
            try { _stream.Flush(_options.FlushToDisk); }
            finally { _stream.Dispose(); }
        }
        _ownedMeter?.Dispose();
        return ValueTask.CompletedTask;
    }
}
