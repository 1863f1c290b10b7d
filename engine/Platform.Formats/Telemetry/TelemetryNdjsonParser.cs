using System.Buffers;
using System.Runtime.CompilerServices;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Ndjson;

namespace Platform.Formats;

/// <summary>
/// Parses NDJSON telemetry (seed 002 §3) into <see cref="Telemetry"/> structs without allocating per record.
/// Strict JSON: whatever it accepts, System.Text.Json accepts too. Every rejected line goes to the dead-letter
/// sink with a precise reason, its raw bytes and its byte position. Stateless apart from the (thread-safe)
/// symbol table, so one instance serves any number of threads.
/// </summary>
public sealed class TelemetryNdjsonParser : IChunkParser<Telemetry>
{
    private readonly SymbolTable _symbols;
    private readonly int _maxLineBytes;

    /// <summary>Creates a parser interning into <paramref name="symbols"/>.</summary>
    public TelemetryNdjsonParser(SymbolTable symbols, TelemetryNdjsonParserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        _symbols = symbols;
        Options = (options ?? TelemetryNdjsonParserOptions.Default).Validate();
        _maxLineBytes = Options.MaxLineBytes;
    }

    /// <summary>The table device ids, sensor types and units are interned into.</summary>
    public SymbolTable Symbols => _symbols;

    /// <summary>The settings.</summary>
    public TelemetryNdjsonParserOptions Options { get; }

    /// <inheritdoc />
    public int Parse(Chunk chunk, string sourceName, Batch<Telemetry> output, IDeadLetterSink deadLetters)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return Parse(chunk.Span, sourceName, chunk.Partition, chunk.Position, output, deadLetters);
    }

    /// <summary>
    /// Parses every line of <paramref name="data"/> (whose first byte is at <paramref name="position"/> in
    /// <paramref name="partition"/>) into <paramref name="output"/>. Returns the number of lines rejected.
    /// </summary>
    public int Parse(ReadOnlySpan<byte> data, string sourceName, int partition, long position, Batch<Telemetry> output, IDeadLetterSink deadLetters)
    {
        var handler = new BatchHandler(this, sourceName, partition, output, deadLetters);
        var skipping = false;
        NdjsonFraming.FrameSpan(data, position, _maxLineBytes, isFinal: true, ref skipping, ref handler);
        handler.Complete();
        return handler.Rejected;
    }

    /// <summary>
    /// Parses every line of <paramref name="data"/>, which may span many segments; gives exactly the records,
    /// reasons and positions the span overload gives for the same bytes.
    /// </summary>
    public int Parse(in ReadOnlySequence<byte> data, string sourceName, int partition, long position, Batch<Telemetry> output, IDeadLetterSink deadLetters)
    {
        var handler = new BatchHandler(this, sourceName, partition, output, deadLetters);
        var skipping = false;
        NdjsonFraming.FrameSequence(data, position, _maxLineBytes, isFinal: true, ref skipping, ref handler);
        handler.Complete();
        return handler.Rejected;
    }

    /// <summary>
    /// Parses one line (without its line terminator). On failure <paramref name="failure"/> says why;
    /// <see cref="Describe"/> turns it into text.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryParseLine(ReadOnlySpan<byte> line, out Telemetry record, out TelemetryParseFailure failure)
    {
        Unsafe.SkipInit(out record);
        failure = default;
        if (line.Length > _maxLineBytes)
        {
            failure._error = TelemetryParseError.LineTooLong;
            return false;
        }
        var cache = SymbolCache.Rent(_symbols);
        var ok = TelemetryLineParser.TryParse(line, cache, ref record, ref failure);
        cache.Return();
        return ok;
    }

    /// <summary>The reason text for a failure of <paramref name="line"/> (the dead-letter path; allocates).</summary>
    public string Describe(in TelemetryParseFailure failure, ReadOnlySpan<byte> line) => failure.ToReason(line, _maxLineBytes);

    internal SymbolTable SymbolTable => _symbols;

    internal int MaxLineBytes => _maxLineBytes;

    /// <summary>Writes parsed records straight into a batch slot; rejects go to the dead-letter sink.</summary>
    private struct BatchHandler(TelemetryNdjsonParser parser, string source, int partition, Batch<Telemetry> output, IDeadLetterSink deadLetters)
        : INdjsonLineHandler
    {
        private readonly SymbolCache _symbols = SymbolCache.Rent(parser._symbols);
        public int Rejected;

        /// <summary>Resolves the device ids still deferred and gives the cache back (a call that throws drops it instead).</summary>
        public readonly void Complete()
        {
            _symbols.ResolvePending(output.Span);
            _symbols.Return();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnLine(ReadOnlySpan<byte> line, long position)
        {
            ref var slot = ref output.AddSlot();
            Unsafe.SkipInit(out TelemetryParseFailure failure);
            if (TelemetryLineParser.TryParse(line, _symbols, ref slot, ref failure)) return;
            output.RemoveLast();
            Reject(line, position, failure);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int TryRecordAt(ReadOnlySpan<byte> window, bool windowEndsData, long position)
        {
            ref var slot = ref output.AddSlot();
            Unsafe.SkipInit(out TelemetryParseFailure failure);
            if (TelemetryLineParser.TryParse(window, _symbols, ref slot, ref failure, out var end, deferDevice: true, out var device)
                && NdjsonFraming.TryAcceptEnd(window, end, windowEndsData, parser._maxLineBytes, out var consumed))
            {
                if (device.Length != 0) _symbols.Defer(device, output.Count - 1, output.Span);
                return consumed;
            }
            output.RemoveLast();
            return -1;
        }

        public void OnOversized(ReadOnlySpan<byte> head, long position)
        {
            var failure = new TelemetryParseFailure { _error = TelemetryParseError.LineTooLong };
            Reject(head, position, failure);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Reject(ReadOnlySpan<byte> line, long position, in TelemetryParseFailure failure)
        {
            // Settle deferred lookups first: the sink is outside code and could parse on this thread itself.
            _symbols.ResolvePending(output.Span);
            Rejected++;
            deadLetters.Write(source, partition, position, failure.ToReason(line, parser._maxLineBytes), line);
        }
    }
}
