using System.Runtime.CompilerServices;
using System.Text.Json;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Symbols;
using Platform.Formats.Ndjson;

namespace Platform.Formats.Segment;

/// <summary>
/// Parses NDJSON Segment messages into <see cref="CustomerEvent"/>s. A line is one message (as the ingest
/// endpoints store them) or a batch request (<c>{"batch":[…], …}</c>, Segment's /v1/batch body), whose messages
/// each become a record. A rejected message goes to the dead-letter sink with its reason (field and rule), its
/// raw bytes and the line's position; the other messages of its batch still count. Nothing is allocated per
/// record; one instance serves any number of threads.
/// </summary>
/// <typeparam name="TProjection">What is read from properties / traits (see <see cref="CdpProjection"/>).</typeparam>
public sealed class SegmentNdjsonParser<TProjection> : IChunkParser<CustomerEvent>
    where TProjection : struct, ICustomerEventProjection
{
    /// <summary>Longest line: a batch request at Segment's 500 KB limit.</summary>
    public const int MaxLineBytes = SegmentMessageValidator.MaxBatchBytes;

    private readonly SymbolTable _symbols;

    /// <summary>Creates a parser interning ids and names into <paramref name="symbols"/>.</summary>
    public SegmentNdjsonParser(SymbolTable symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        _symbols = symbols;
    }

    /// <summary>The interning table.</summary>
    public SymbolTable Symbols => _symbols;

    /// <inheritdoc />
    public int Parse(Chunk chunk, string sourceName, Batch<CustomerEvent> output, IDeadLetterSink deadLetters)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return Parse(chunk.Span, sourceName, chunk.Partition, chunk.Position, output, deadLetters);
    }

    /// <summary>Parses every line of <paramref name="data"/> (first byte at <paramref name="position"/>); returns the messages rejected.</summary>
    public int Parse(ReadOnlySpan<byte> data, string sourceName, int partition, long position, Batch<CustomerEvent> output, IDeadLetterSink deadLetters)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(deadLetters);
        var handler = new LineHandler(this, sourceName, partition, output, deadLetters);
        var skipping = false;
        NdjsonFraming.FrameSpan(data, position, MaxLineBytes, isFinal: true, ref skipping, ref handler);
        return handler.Rejected;
    }

    /// <summary>
    /// Parses one line (a message or a batch request) into <paramref name="output"/>, reporting each rejected
    /// message to <paramref name="onReject"/> with its raw bytes. Returns the messages rejected.
    /// </summary>
    public int ParseLine<TReject>(ReadOnlySpan<byte> line, Batch<CustomerEvent> output, ref TReject onReject)
        where TReject : struct, IRejectHandler
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!IsBatch(line, out var batchStart))
        {
            ref var slot = ref output.AddSlot();
            if (SegmentMessageParser.TryParse<TProjection>(line, _symbols, null, ref slot, out var failure)) return 0;
            output.RemoveLast();
            onReject.Reject(line, failure);
            return 1;
        }
        return ParseBatch(line, batchStart, output, ref onReject);
    }

    /// <summary>Receives rejected messages. Implement as a struct.</summary>
    public interface IRejectHandler
    {
        /// <summary>One rejected message (or a whole line that is not JSON).</summary>
        void Reject(ReadOnlySpan<byte> raw, in SegmentParseFailure failure);
    }

    /// <summary>Whether the line is a batch request; if so, where its array starts.</summary>
    private static bool IsBatch(ReadOnlySpan<byte> line, out int arrayStart)
    {
        arrayStart = -1;
        // Cheap test first: a single message never has a top-level "batch" key, and scanning is only for lines that might.
        if (line.IndexOf("\"batch\""u8) < 0) return false;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isBatch = reader.ValueTextEquals("batch"u8);
                reader.Read();
                if (isBatch && reader.TokenType == JsonTokenType.StartArray)
                {
                    arrayStart = (int)reader.TokenStartIndex;
                    return true;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the single-message path reports why.
        }
        return false;
    }

    private int ParseBatch<TReject>(ReadOnlySpan<byte> line, int arrayStart, Batch<CustomerEvent> output, ref TReject onReject)
        where TReject : struct, IRejectHandler
    {
        var rejected = 0;
        var reader = new Utf8JsonReader(line[arrayStart..]);
        try
        {
            reader.Read(); // [
            for (var index = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; index++)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var raw = line.Slice(arrayStart + start, (int)reader.BytesConsumed - start);
                ref var slot = ref output.AddSlot();
                if (SegmentMessageParser.TryParse<TProjection>(raw, _symbols, null, ref slot, out var failure)) continue;
                output.RemoveLast();
                failure.BatchIndex = index;
                onReject.Reject(raw, failure);
                rejected++;
            }
        }
        catch (JsonException e)
        {
            onReject.Reject(line, SegmentParseFailure.Of("batch", $"not valid JSON (at byte {arrayStart + reader.BytesConsumed}): {e.Message}"));
            rejected++;
        }
        return rejected;
    }

    private struct LineHandler(SegmentNdjsonParser<TProjection> parser, string source, int partition, Batch<CustomerEvent> output, IDeadLetterSink deadLetters)
        : INdjsonLineHandler
    {
        public int Rejected;

        public void OnLine(ReadOnlySpan<byte> line, long position)
        {
            var reject = new DeadLetterReject(source, partition, position, deadLetters);
            Rejected += parser.ParseLine(line, output, ref reject);
        }

        public readonly void OnOversized(ReadOnlySpan<byte> head, long position) =>
            deadLetters.Write(source, partition, position, $"$: line is over {MaxLineBytes} bytes (Segment's batch limit)", head);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly int TryRecordAt(ReadOnlySpan<byte> window, bool windowEndsData, long position) => -1;
    }

    private readonly struct DeadLetterReject(string source, int partition, long position, IDeadLetterSink deadLetters) : IRejectHandler
    {
        public void Reject(ReadOnlySpan<byte> raw, in SegmentParseFailure failure) =>
            deadLetters.Write(source, partition, position, failure.ToReason(), raw);
    }
}
