using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Formats.Ndjson;

namespace Platform.Formats;

/// <summary>What <see cref="TelemetryNdjsonReader.ReadAsync"/> did.</summary>
/// <param name="Records">Records emitted.</param>
/// <param name="Rejected">Lines sent to the dead-letter sink.</param>
/// <param name="Bytes">Bytes consumed from the reader.</param>
public readonly record struct TelemetryReadSummary(long Records, long Rejected, long Bytes);

/// <summary>
/// Reads NDJSON telemetry from a <see cref="PipeReader"/> to its end: lines inside one segment are parsed in
/// place, lines that straddle segments are copied into a pooled buffer, oversized lines are skipped without
/// buffering them. Records and rejects are exactly those of <see cref="TelemetryNdjsonParser.Parse(ReadOnlySpan{byte}, string, int, long, Batch{Telemetry}, IDeadLetterSink)"/>
/// on the same bytes.
/// </summary>
public static class TelemetryNdjsonReader
{
    /// <summary>
    /// Parses every line from <paramref name="reader"/> into <paramref name="output"/> until the writer completes.
    /// Positions given to the dead-letter sink count from <paramref name="startPosition"/>. Does not complete the reader.
    /// </summary>
    public static async ValueTask<TelemetryReadSummary> ReadAsync(
        PipeReader reader,
        TelemetryNdjsonParser parser,
        string sourceName,
        int partition,
        IBatchOutput<Telemetry> output,
        IDeadLetterSink deadLetters,
        long startPosition = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(deadLetters);
        var state = new ReadState(parser, sourceName, partition, output, deadLetters, startPosition);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = state.Process(buffer, result.IsCompleted);
            reader.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
            if (result.IsCompleted || result.IsCanceled) break;
        }
        return new TelemetryReadSummary(state.Records, state.Rejected, state.Position - startPosition);
    }

    private sealed class ReadState(TelemetryNdjsonParser parser, string source, int partition, IBatchOutput<Telemetry> output, IDeadLetterSink deadLetters, long position)
    {
        private bool _skipping;
        public long Position = position;
        public long Records;
        public long Rejected;

        public long Process(ReadOnlySequence<byte> buffer, bool isFinal)
        {
            var handler = new EmitHandler(parser, source, partition, output, deadLetters);
            var consumed = NdjsonFraming.FrameSequence(buffer, Position, parser.MaxLineBytes, isFinal, ref _skipping, ref handler);
            handler.Complete();
            Position += consumed;
            Records += handler.Records;
            Rejected += handler.Rejected;
            return consumed;
        }
    }

    private struct EmitHandler(TelemetryNdjsonParser parser, string source, int partition, IBatchOutput<Telemetry> output, IDeadLetterSink deadLetters)
        : INdjsonLineHandler
    {
        private readonly SymbolCache _symbols = SymbolCache.Rent(parser.SymbolTable);
        public long Records;
        public long Rejected;

        /// <summary>Gives the symbol cache back (a call that throws drops it instead).</summary>
        public readonly void Complete() => _symbols.Return();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void OnLine(ReadOnlySpan<byte> line, long position)
        {
            Unsafe.SkipInit(out Telemetry record);
            Unsafe.SkipInit(out TelemetryParseFailure failure);
            if (TelemetryLineParser.TryParse(line, _symbols, ref record, ref failure))
            {
                output.Emit(record);
                Records++;
                return;
            }
            Reject(line, position, failure);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int TryRecordAt(ReadOnlySpan<byte> window, bool windowEndsData, long position)
        {
            Unsafe.SkipInit(out Telemetry record);
            Unsafe.SkipInit(out TelemetryParseFailure failure);
            if (TelemetryLineParser.TryParse(window, _symbols, ref record, ref failure, out var end, deferDevice: false, out _)
                && NdjsonFraming.TryAcceptEnd(window, end, windowEndsData, parser.MaxLineBytes, out var consumed))
            {
                output.Emit(record);
                Records++;
                return consumed;
            }
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
            Rejected++;
            deadLetters.Write(source, partition, position, failure.ToReason(line, parser.MaxLineBytes), line);
        }
    }
}
