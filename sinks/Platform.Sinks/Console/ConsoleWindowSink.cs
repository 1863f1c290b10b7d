using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Sinks.Console;

/// <summary>
/// Prints window statistics as text, one row per line (debugging; the <c>console</c> sink type):
/// <c>2026-01-01T00:00:00.000Z 2026-01-01T00:00:10.000Z dev-000042 temperature count=3 sum=… min=… max=… mean=… var=… p50=… p95=… p99=…</c>,
/// with <c> update</c> appended for a revised window. Called from one thread.
/// </summary>
public sealed class ConsoleWindowSink : ISink<WindowResult>
{
    private readonly TextWriter _writer;
    private readonly SymbolTable _symbols;
    private readonly ConsoleSinkOptions _options;
    private readonly SinkInstruments _instruments;
    private readonly StringBuilder _line = new(256);
    private long _rows;
    private long _suppressed;

    /// <summary>Creates the sink writing to <paramref name="writer"/> (for example <see cref="System.Console.Out"/>).</summary>
    public ConsoleWindowSink(TextWriter writer, SymbolTable symbols, ConsoleSinkOptions? options = null, Meter? meter = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(symbols);
        _options = options ?? new ConsoleSinkOptions();
        _options.Validate();
        _writer = writer;
        _symbols = symbols;
        _instruments = new SinkInstruments(_options.Name, meter);
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <summary>Rows printed.</summary>
    public long RowsWritten => Interlocked.Read(ref _rows);

    /// <summary>Rows received beyond <see cref="ConsoleSinkOptions.MaxRows"/> (not printed).</summary>
    public long RowsSuppressed => Interlocked.Read(ref _suppressed);

    /// <inheritdoc />
    public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask WriteAsync(Batch<WindowResult> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var start = Stopwatch.GetTimestamp();
        foreach (ref readonly var r in batch.Items)
        {
            if (_options.MaxRows > 0 && _rows >= _options.MaxRows)
            {
                _suppressed++;
                continue;
            }
            Format(in r);
            _writer.Write(_line);
            _rows++;
        }
        _instruments.Written(batch.Count, start);
        return ValueTask.CompletedTask;
    }

    private void Format(in WindowResult r)
    {
        var key = SensorKey.FromPacked(r.Key);
        var ic = CultureInfo.InvariantCulture;
        _line.Clear()
            .Append(ic, $"{DateTimeOffset.FromUnixTimeMilliseconds(r.WindowStart):yyyy-MM-dd'T'HH:mm:ss.fff'Z'} ")
            .Append(ic, $"{DateTimeOffset.FromUnixTimeMilliseconds(r.WindowEnd):yyyy-MM-dd'T'HH:mm:ss.fff'Z'} ")
            .Append(NameOf(key.Device)).Append(' ').Append(NameOf(key.Sensor))
            .Append(ic, $" count={r.Count} sum={r.Sum:G6} min={r.Min:G6} max={r.Max:G6} mean={r.Mean:G6} var={r.Variance:G6} p50={r.P50:G6} p95={r.P95:G6} p99={r.P99:G6}");
        if (r.IsUpdate) _line.Append(" update");
        _line.Append('\n');
    }

    private string NameOf(Symbol symbol) =>
        (uint)symbol.Id <= (uint)_symbols.Count ? _symbols.NameOf(symbol) : "#" + symbol.Id.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await _writer.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_suppressed > 0) await _writer.WriteAsync($"… {_suppressed} more rows not shown (max-rows {_options.MaxRows})\n");
        await _writer.FlushAsync();
        _instruments.Dispose();
    }
}
